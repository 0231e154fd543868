"""erp.purchasing initial tables

Revision ID: 3607a867322a
Revises:
Create Date: 2026-11-28 19:30:04.852540
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "3607a867322a"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("erp_purchasing",)
depends_on: str | Sequence[str] | None = None  # order across branches comes from the module registry


def upgrade() -> None:
    op.create_table(
        "erp_purchase_orders",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("supplier_org_id", sa.BigInteger(), nullable=False),
        sa.Column("warehouse_id", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=30), server_default="draft", nullable=False),
        sa.Column("order_date", sa.Date(), nullable=False),
        sa.Column("expected_on", sa.Date(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'sent', 'partially_received', 'received', 'closed', 'cancelled')",
            name=op.f("ck_erp_purchase_orders_known_status"),
        ),
        sa.ForeignKeyConstraint(
            ["supplier_org_id"], ["organizations.id"], name=op.f("fk_erp_purchase_orders_supplier_org_id_organizations")
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["erp_warehouses.id"], name=op.f("fk_erp_purchase_orders_warehouse_id_erp_warehouses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_purchase_orders")),
        info={"module": "erp.purchasing"},
    )
    op.create_index(op.f("ix_erp_purchase_orders_order_date"), "erp_purchase_orders", ["order_date"], unique=False)
    op.create_index(
        op.f("ix_erp_purchase_orders_supplier_org_id"), "erp_purchase_orders", ["supplier_org_id"], unique=False
    )
    op.create_table(
        "erp_purchase_order_lines",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("unit_cost", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("tax_rate", sa.Numeric(precision=6, scale=4), server_default="0", nullable=False),
        sa.Column("quantity_received", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("quantity_billed", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("quantity > 0 AND unit_cost >= 0", name=op.f("ck_erp_purchase_order_lines_sane_amounts")),
        sa.CheckConstraint(
            "quantity_billed >= 0 AND quantity_billed <= quantity",
            name=op.f("ck_erp_purchase_order_lines_billed_within"),
        ),
        sa.CheckConstraint(
            "quantity_received >= 0 AND quantity_received <= quantity",
            name=op.f("ck_erp_purchase_order_lines_received_within"),
        ),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["erp_purchase_orders.id"],
            name=op.f("fk_erp_purchase_order_lines_order_id_erp_purchase_orders"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["erp_products.id"], name=op.f("fk_erp_purchase_order_lines_product_id_erp_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_purchase_order_lines")),
        info={"module": "erp.purchasing"},
    )
    op.create_index(
        op.f("ix_erp_purchase_order_lines_order_id"), "erp_purchase_order_lines", ["order_id"], unique=False
    )
    op.create_index(
        op.f("ix_erp_purchase_order_lines_product_id"), "erp_purchase_order_lines", ["product_id"], unique=False
    )
    op.create_table(
        "erp_receipts",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("order_id", sa.BigInteger(), nullable=False),
        sa.Column("warehouse_id", sa.BigInteger(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"], ["erp_purchase_orders.id"], name=op.f("fk_erp_receipts_order_id_erp_purchase_orders")
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["erp_warehouses.id"], name=op.f("fk_erp_receipts_warehouse_id_erp_warehouses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_receipts")),
        info={"module": "erp.purchasing"},
    )
    op.create_index(op.f("ix_erp_receipts_order_id"), "erp_receipts", ["order_id"], unique=False)
    op.create_table(
        "erp_receipt_lines",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("receipt_id", sa.BigInteger(), nullable=False),
        sa.Column("order_line_id", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("stock_move_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_erp_receipt_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["erp_purchase_order_lines.id"],
            name=op.f("fk_erp_receipt_lines_order_line_id_erp_purchase_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["receipt_id"],
            ["erp_receipts.id"],
            name=op.f("fk_erp_receipt_lines_receipt_id_erp_receipts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["stock_move_id"], ["erp_stock_moves.id"], name=op.f("fk_erp_receipt_lines_stock_move_id_erp_stock_moves")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_receipt_lines")),
        info={"module": "erp.purchasing"},
    )
    op.create_index(op.f("ix_erp_receipt_lines_receipt_id"), "erp_receipt_lines", ["receipt_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_erp_receipt_lines_receipt_id"), table_name="erp_receipt_lines")
    op.drop_table("erp_receipt_lines")
    op.drop_index(op.f("ix_erp_receipts_order_id"), table_name="erp_receipts")
    op.drop_table("erp_receipts")
    op.drop_index(op.f("ix_erp_purchase_order_lines_product_id"), table_name="erp_purchase_order_lines")
    op.drop_index(op.f("ix_erp_purchase_order_lines_order_id"), table_name="erp_purchase_order_lines")
    op.drop_table("erp_purchase_order_lines")
    op.drop_index(op.f("ix_erp_purchase_orders_supplier_org_id"), table_name="erp_purchase_orders")
    op.drop_index(op.f("ix_erp_purchase_orders_order_date"), table_name="erp_purchase_orders")
    op.drop_table("erp_purchase_orders")
