"""invitations, slug redirects, logos

Revision ID: 1a3efdf8650a
Revises: 1d64f393fa87
Create Date: 2026-11-28 19:20:00.819224
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "1a3efdf8650a"
down_revision: str | Sequence[str] | None = "1d64f393fa87"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "invitations",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column(
            "role",
            postgresql.ENUM("owner", "admin", "member", name="member_role", schema="public", create_type=False),
            nullable=False,
        ),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("invited_by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("expires_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("accepted_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("revoked_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["invited_by_user_id"],
            ["public.users.id"],
            name=op.f("fk_invitations_invited_by_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["public.tenants.id"], name=op.f("fk_invitations_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        schema="public",
    )
    op.create_index(op.f("ix_public_invitations_email"), "invitations", ["email"], unique=False, schema="public")
    op.create_index(
        op.f("ix_public_invitations_tenant_id"), "invitations", ["tenant_id"], unique=False, schema="public"
    )
    op.create_table(
        "tenant_logos",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("content_type", sa.String(length=50), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["public.tenants.id"], name=op.f("fk_tenant_logos_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenant_logos")),
        schema="public",
    )
    op.create_index(
        op.f("ix_public_tenant_logos_tenant_id"), "tenant_logos", ["tenant_id"], unique=True, schema="public"
    )
    op.create_table(
        "tenant_slug_redirects",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("old_slug", sa.String(length=63), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["public.tenants.id"],
            name=op.f("fk_tenant_slug_redirects_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenant_slug_redirects")),
        schema="public",
    )
    op.create_index(
        op.f("ix_public_tenant_slug_redirects_old_slug"),
        "tenant_slug_redirects",
        ["old_slug"],
        unique=True,
        schema="public",
    )
    op.create_index(
        op.f("ix_public_tenant_slug_redirects_tenant_id"),
        "tenant_slug_redirects",
        ["tenant_id"],
        unique=False,
        schema="public",
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_public_tenant_slug_redirects_tenant_id"), table_name="tenant_slug_redirects", schema="public"
    )
    op.drop_index(op.f("ix_public_tenant_slug_redirects_old_slug"), table_name="tenant_slug_redirects", schema="public")
    op.drop_table("tenant_slug_redirects", schema="public")
    op.drop_index(op.f("ix_public_tenant_logos_tenant_id"), table_name="tenant_logos", schema="public")
    op.drop_table("tenant_logos", schema="public")
    op.drop_index(op.f("ix_public_invitations_tenant_id"), table_name="invitations", schema="public")
    op.drop_index(op.f("ix_public_invitations_email"), table_name="invitations", schema="public")
    op.drop_table("invitations", schema="public")
