"""erp.sales initial tables

Revision ID: 28cab23d51b6
Revises:
Create Date: 2026-11-28 19:30:41.714174
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "28cab23d51b6"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("erp_sales",)
depends_on: str | Sequence[str] | None = None  # order across branches comes from the module registry


def upgrade() -> None:
    op.create_table(
        "erp_quotes",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("customer_org_id", sa.BigInteger(), nullable=False),
        sa.Column("contact_person_id", sa.BigInteger(), nullable=True),
        sa.Column("status", sa.String(length=20), server_default="draft", nullable=False),
        sa.Column("quote_date", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("opportunity_id", sa.BigInteger(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'sent', 'accepted', 'declined')", name=op.f("ck_erp_quotes_known_status")
        ),
        sa.ForeignKeyConstraint(
            ["contact_person_id"],
            ["people.id"],
            name=op.f("fk_erp_quotes_contact_person_id_people"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["customer_org_id"], ["organizations.id"], name=op.f("fk_erp_quotes_customer_org_id_organizations")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_quotes")),
        info={"module": "erp.sales"},
    )
    op.create_index(op.f("ix_erp_quotes_customer_org_id"), "erp_quotes", ["customer_org_id"], unique=False)
    op.create_index(op.f("ix_erp_quotes_opportunity_id"), "erp_quotes", ["opportunity_id"], unique=False)
    op.create_table(
        "erp_quote_lines",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("quote_id", sa.BigInteger(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("tax_rate", sa.Numeric(precision=6, scale=4), server_default="0", nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("quantity > 0 AND unit_price >= 0", name=op.f("ck_erp_quote_lines_sane_amounts")),
        sa.ForeignKeyConstraint(
            ["product_id"], ["erp_products.id"], name=op.f("fk_erp_quote_lines_product_id_erp_products")
        ),
        sa.ForeignKeyConstraint(
            ["quote_id"], ["erp_quotes.id"], name=op.f("fk_erp_quote_lines_quote_id_erp_quotes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_quote_lines")),
        info={"module": "erp.sales"},
    )
    op.create_index(op.f("ix_erp_quote_lines_quote_id"), "erp_quote_lines", ["quote_id"], unique=False)
    op.create_table(
        "erp_sales_orders",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("quote_id", sa.BigInteger(), nullable=True),
        sa.Column("customer_org_id", sa.BigInteger(), nullable=False),
        sa.Column("warehouse_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=30), server_default="open", nullable=False),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('open', 'partially_delivered', 'delivered', 'cancelled')",
            name=op.f("ck_erp_sales_orders_known_status"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_org_id"], ["organizations.id"], name=op.f("fk_erp_sales_orders_customer_org_id_organizations")
        ),
        sa.ForeignKeyConstraint(["quote_id"], ["erp_quotes.id"], name=op.f("fk_erp_sales_orders_quote_id_erp_quotes")),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["erp_warehouses.id"], name=op.f("fk_erp_sales_orders_warehouse_id_erp_warehouses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_sales_orders")),
        info={"module": "erp.sales"},
    )
    op.create_index(op.f("ix_erp_sales_orders_customer_org_id"), "erp_sales_orders", ["customer_org_id"], unique=False)
    op.create_index(op.f("ix_erp_sales_orders_order_date"), "erp_sales_orders", ["order_date"], unique=False)
    op.create_index(op.f("ix_erp_sales_orders_quote_id"), "erp_sales_orders", ["quote_id"], unique=False)
    op.create_table(
        "erp_deliveries",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("warehouse_id", sa.BigInteger(), nullable=False),
        sa.Column("delivered_on", sa.Date(), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["erp_sales_orders.id"], name=op.f("fk_erp_deliveries_order_id_erp_sales_orders")
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["erp_warehouses.id"], name=op.f("fk_erp_deliveries_warehouse_id_erp_warehouses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_deliveries")),
        info={"module": "erp.sales"},
    )
    op.create_index(op.f("ix_erp_deliveries_order_id"), "erp_deliveries", ["order_id"], unique=False)
    op.create_table(
        "erp_sales_order_lines",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("tax_rate", sa.Numeric(precision=6, scale=4), server_default="0", nullable=False),
        sa.Column("quantity_delivered", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("quantity_invoiced", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("delivered_cost", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("quantity > 0 AND unit_price >= 0", name=op.f("ck_erp_sales_order_lines_sane_amounts")),
        sa.CheckConstraint(
            "quantity_delivered >= 0 AND quantity_delivered <= quantity",
            name=op.f("ck_erp_sales_order_lines_delivered_within"),
        ),
        sa.CheckConstraint(
            "quantity_invoiced >= 0 AND quantity_invoiced <= quantity",
            name=op.f("ck_erp_sales_order_lines_invoiced_within"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["erp_sales_orders.id"],
            name=op.f("fk_erp_sales_order_lines_order_id_erp_sales_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["erp_products.id"], name=op.f("fk_erp_sales_order_lines_product_id_erp_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_sales_order_lines")),
        info={"module": "erp.sales"},
    )
    op.create_index(op.f("ix_erp_sales_order_lines_order_id"), "erp_sales_order_lines", ["order_id"], unique=False)
    op.create_index(op.f("ix_erp_sales_order_lines_product_id"), "erp_sales_order_lines", ["product_id"], unique=False)
    op.create_table(
        "erp_delivery_lines",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("delivery_id", sa.BigInteger(), nullable=False),
        sa.Column("order_line_id", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("stock_move_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_erp_delivery_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["erp_deliveries.id"],
            name=op.f("fk_erp_delivery_lines_delivery_id_erp_deliveries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["erp_sales_order_lines.id"],
            name=op.f("fk_erp_delivery_lines_order_line_id_erp_sales_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["stock_move_id"], ["erp_stock_moves.id"], name=op.f("fk_erp_delivery_lines_stock_move_id_erp_stock_moves")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_delivery_lines")),
        info={"module": "erp.sales"},
    )
    op.create_index(op.f("ix_erp_delivery_lines_delivery_id"), "erp_delivery_lines", ["delivery_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_erp_delivery_lines_delivery_id"), table_name="erp_delivery_lines")
    op.drop_table("erp_delivery_lines")
    op.drop_index(op.f("ix_erp_sales_order_lines_product_id"), table_name="erp_sales_order_lines")
    op.drop_index(op.f("ix_erp_sales_order_lines_order_id"), table_name="erp_sales_order_lines")
    op.drop_table("erp_sales_order_lines")
    op.drop_index(op.f("ix_erp_deliveries_order_id"), table_name="erp_deliveries")
    op.drop_table("erp_deliveries")
    op.drop_index(op.f("ix_erp_sales_orders_quote_id"), table_name="erp_sales_orders")
    op.drop_index(op.f("ix_erp_sales_orders_order_date"), table_name="erp_sales_orders")
    op.drop_index(op.f("ix_erp_sales_orders_customer_org_id"), table_name="erp_sales_orders")
    op.drop_table("erp_sales_orders")
    op.drop_index(op.f("ix_erp_quote_lines_quote_id"), table_name="erp_quote_lines")
    op.drop_table("erp_quote_lines")
    op.drop_index(op.f("ix_erp_quotes_opportunity_id"), table_name="erp_quotes")
    op.drop_index(op.f("ix_erp_quotes_customer_org_id"), table_name="erp_quotes")
    op.drop_table("erp_quotes")
