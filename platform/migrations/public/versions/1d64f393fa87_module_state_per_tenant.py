"""module state per tenant

Revision ID: 1d64f393fa87
Revises: 7c1e0b9d4f20
Create Date: 2026-11-28 19:13:36.216427
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "1d64f393fa87"
down_revision: str | Sequence[str] | None = "7c1e0b9d4f20"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tenant_modules",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("module_key", sa.String(length=63), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["public.tenants.id"], name=op.f("fk_tenant_modules_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tenant_modules")),
        sa.UniqueConstraint("tenant_id", "module_key", name=op.f("uq_tenant_modules_tenant_id")),
        schema="public",
    )
    op.create_index(
        op.f("ix_public_tenant_modules_tenant_id"), "tenant_modules", ["tenant_id"], unique=False, schema="public"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_public_tenant_modules_tenant_id"), table_name="tenant_modules", schema="public")
    op.drop_table("tenant_modules", schema="public")
