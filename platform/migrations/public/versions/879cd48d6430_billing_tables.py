"""billing tables

Revision ID: 879cd48d6430
Revises: 1d64f393fa87
Create Date: 2026-11-28 19:20:18.755197
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision: str = "879cd48d6430"
down_revision: str | Sequence[str] | None = "1d64f393fa87"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "billing_module_prices",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("module_key", sa.String(length=63), nullable=False),
        sa.Column("product_id", sa.String(length=255), nullable=False),
        sa.Column("price_id", sa.String(length=255), nullable=False),
        sa.Column("unit_amount", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_module_prices")),
        sa.UniqueConstraint("module_key", name=op.f("uq_billing_module_prices_module_key")),
        schema="public",
    )
    op.create_table(
        "billing_webhook_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("payload", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "received",
                "processing",
                "processed",
                "failed",
                name="billing_inbox_status",
                schema="public",
                inherit_schema=True,
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=True),
        sa.Column("processed_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_webhook_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_billing_webhook_events_event_id")),
        schema="public",
    )
    op.create_index(
        op.f("ix_public_billing_webhook_events_event_type"),
        "billing_webhook_events",
        ["event_type"],
        unique=False,
        schema="public",
    )
    op.create_index(
        op.f("ix_public_billing_webhook_events_tenant_id"),
        "billing_webhook_events",
        ["tenant_id"],
        unique=False,
        schema="public",
    )
    op.create_table(
        "billing_accounts",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("customer_id", sa.String(length=255), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "trialing", "active", "past_due", "canceled", name="billing_state", schema="public", inherit_schema=True
            ),
            nullable=False,
        ),
        sa.Column("trial_ends_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("past_due_since", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("canceled_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("default_payment_method", sa.String(length=255), nullable=True),
        sa.Column("card_label", sa.String(length=100), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["public.tenants.id"], name=op.f("fk_billing_accounts_tenant_id_tenants"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_accounts")),
        sa.UniqueConstraint("customer_id", name=op.f("uq_billing_accounts_customer_id")),
        sa.UniqueConstraint("tenant_id", name=op.f("uq_billing_accounts_tenant_id")),
        schema="public",
    )
    op.create_table(
        "billing_subscription_items",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("module_key", sa.String(length=63), nullable=False),
        sa.Column("subscription_id", sa.String(length=255), nullable=False),
        sa.Column("item_id", sa.String(length=255), nullable=False),
        sa.Column("price_id", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["public.tenants.id"],
            name=op.f("fk_billing_subscription_items_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_billing_subscription_items")),
        sa.UniqueConstraint("subscription_id", name=op.f("uq_billing_subscription_items_subscription_id")),
        sa.UniqueConstraint("tenant_id", "module_key", name=op.f("uq_billing_subscription_items_tenant_id")),
        schema="public",
    )
    op.create_index(
        op.f("ix_public_billing_subscription_items_tenant_id"),
        "billing_subscription_items",
        ["tenant_id"],
        unique=False,
        schema="public",
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_public_billing_subscription_items_tenant_id"), table_name="billing_subscription_items", schema="public"
    )
    op.drop_table("billing_subscription_items", schema="public")
    op.drop_table("billing_accounts", schema="public")
    op.drop_index(
        op.f("ix_public_billing_webhook_events_tenant_id"), table_name="billing_webhook_events", schema="public"
    )
    op.drop_index(
        op.f("ix_public_billing_webhook_events_event_type"), table_name="billing_webhook_events", schema="public"
    )
    op.drop_table("billing_webhook_events", schema="public")
    op.drop_table("billing_module_prices", schema="public")
