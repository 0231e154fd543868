"""billing items: unique by provider item id; several rows may share one subscription

A billed module is identified by its provider subscription item. Today each paid module has its own subscription
(nexo.billing.layout), but one subscription with an item per module must fit the same rows, so the subscription id
is indexed rather than unique.

Revision ID: 4dc0282d4285
Revises: e41b7c2d9a05
Create Date: 2026-11-28 21:49:33.097264
"""

from collections.abc import Sequence

from alembic import op

revision: str = "4dc0282d4285"
down_revision: str | Sequence[str] | None = "e41b7c2d9a05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "billing_subscription_items"


def upgrade() -> None:
    op.drop_constraint(op.f("uq_billing_subscription_items_subscription_id"), TABLE, schema="public", type_="unique")
    op.create_index(
        op.f("ix_public_billing_subscription_items_subscription_id"), TABLE, ["subscription_id"], schema="public"
    )
    op.create_unique_constraint(op.f("uq_billing_subscription_items_item_id"), TABLE, ["item_id"], schema="public")


def downgrade() -> None:
    op.drop_constraint(op.f("uq_billing_subscription_items_item_id"), TABLE, schema="public", type_="unique")
    op.drop_index(op.f("ix_public_billing_subscription_items_subscription_id"), table_name=TABLE, schema="public")
    op.create_unique_constraint(
        op.f("uq_billing_subscription_items_subscription_id"), TABLE, ["subscription_id"], schema="public"
    )
