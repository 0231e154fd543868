"""initial public schema

Revision ID: 5a70a3d8ef80
Revises:
Create Date: 2026-11-28 19:04:30.000257
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "5a70a3d8ef80"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tenants",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("slug", sa.String(length=63), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("schema_name", sa.String(length=63), nullable=False),
        sa.Column(
            "status",
            sa.Enum("active", "read_only", "canceled", name="tenant_status", schema="public", inherit_schema=True),
            nullable=False,
        ),
        sa.Column("currency", sa.String(length=3), server_default="EUR", nullable=False),
        sa.Column("timezone", sa.String(length=64), server_default="UTC", nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenants")),
        sa.UniqueConstraint("schema_name", name=op.f("uq_tenants_schema_name")),
        schema="public",
    )
    op.create_index(op.f("ix_public_tenants_slug"), "tenants", ["slug"], unique=True, schema="public")
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("last_login_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        schema="public",
    )
    op.create_index(op.f("ix_public_users_email"), "users", ["email"], unique=True, schema="public")
    op.create_table(
        "memberships",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "role",
            sa.Enum("owner", "admin", "member", name="member_role", schema="public", inherit_schema=True),
            nullable=False,
        ),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["public.tenants.id"], name=op.f("fk_memberships_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["public.users.id"], name=op.f("fk_memberships_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memberships")),
        sa.UniqueConstraint("tenant_id", "user_id", name=op.f("uq_memberships_tenant_id")),
        schema="public",
    )
    op.create_index(
        op.f("ix_public_memberships_tenant_id"), "memberships", ["tenant_id"], unique=False, schema="public"
    )
    op.create_index(op.f("ix_public_memberships_user_id"), "memberships", ["user_id"], unique=False, schema="public")
    op.create_table(
        "kv_store",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("namespace", sa.String(length=255), nullable=False),
        sa.Column("value", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kv_store")),
        sa.UniqueConstraint("key", "namespace", name="uq_kv_store_key_namespace"),
        schema="public",
    )
    op.create_index(op.f("ix_public_kv_store_expires_at"), "kv_store", ["expires_at"], unique=False, schema="public")
    op.create_table(
        "user_sessions",
        sa.Column("id", advanced_alchemy.types.guid.GUID(length=16), nullable=False),
        sa.Column("session_id", sa.String(length=255), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("expires_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("sa_orm_sentinel", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("session_id", name="uq_user_sessions_session_id"),
        schema="public",
    )
    op.create_index(
        op.f("ix_public_user_sessions_expires_at"), "user_sessions", ["expires_at"], unique=False, schema="public"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_public_user_sessions_expires_at"), table_name="user_sessions", schema="public")
    op.drop_table("user_sessions", schema="public")
    op.drop_index(op.f("ix_public_kv_store_expires_at"), table_name="kv_store", schema="public")
    op.drop_table("kv_store", schema="public")
    op.drop_index(op.f("ix_public_memberships_user_id"), table_name="memberships", schema="public")
    op.drop_index(op.f("ix_public_memberships_tenant_id"), table_name="memberships", schema="public")
    op.drop_table("memberships", schema="public")
    op.drop_index(op.f("ix_public_users_email"), table_name="users", schema="public")
    op.drop_table("users", schema="public")
    op.drop_index(op.f("ix_public_tenants_slug"), table_name="tenants", schema="public")
    op.drop_table("tenants", schema="public")
