"""erp.inventory initial tables

Revision ID: 05e0f486af3c
Revises:
Create Date: 2026-11-28 19:24:53.207477
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "05e0f486af3c"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("erp_inventory",)
depends_on: str | Sequence[str] | None = None  # order across branches comes from the module registry

# The statements as they were when this revision was written: a revision never follows later model changes.
STATEMENTS: tuple[str, ...] = (
    """INSERT INTO erp_inventory_settings (id, allow_negative_stock,
created_at, updated_at) VALUES (1, false, now(), now())""",
)


def upgrade() -> None:
    op.create_table(
        "erp_inventory_settings",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("allow_negative_stock", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_erp_inventory_settings_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_inventory_settings")),
        info={"module": "erp.inventory"},
    )
    op.create_table(
        "erp_products",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=20), server_default="unit", nullable=False),
        sa.Column("cost", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("sale_price", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("tax_rate", sa.Numeric(precision=6, scale=4), server_default="0", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("average_cost", sa.Numeric(precision=18, scale=6), server_default="0", nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "cost >= 0 AND sale_price >= 0 AND average_cost >= 0", name=op.f("ck_erp_products_prices_not_negative")
        ),
        sa.CheckConstraint("tax_rate >= 0 AND tax_rate < 1", name=op.f("ck_erp_products_tax_rate_fraction")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_products")),
        sa.UniqueConstraint("sku"),
        info={"module": "erp.inventory"},
    )
    op.create_index(op.f("ix_erp_products_name"), "erp_products", ["name"], unique=False)
    op.create_table(
        "erp_warehouses",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_warehouses")),
        sa.UniqueConstraint("code"),
        info={"module": "erp.inventory"},
    )
    op.create_table(
        "erp_stock_levels",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("warehouse_id", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["erp_products.id"],
            name=op.f("fk_erp_stock_levels_product_id_erp_products"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"],
            ["erp_warehouses.id"],
            name=op.f("fk_erp_stock_levels_warehouse_id_erp_warehouses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_stock_levels")),
        sa.UniqueConstraint("product_id", "warehouse_id", name=op.f("uq_erp_stock_levels_product_id")),
        info={"module": "erp.inventory"},
    )
    op.create_index(op.f("ix_erp_stock_levels_warehouse_id"), "erp_stock_levels", ["warehouse_id"], unique=False)
    op.create_table(
        "erp_stock_moves",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("from_warehouse_id", sa.BigInteger(), nullable=True),
        sa.Column("to_warehouse_id", sa.BigInteger(), nullable=True),
        sa.Column("unit_cost", sa.Numeric(precision=18, scale=6), server_default="0", nullable=False),
        sa.Column("moved_on", sa.Date(), server_default=sa.text("CURRENT_DATE"), nullable=False),
        sa.Column("reference", sa.String(length=200), server_default="", nullable=False),
        sa.Column("source_type", sa.String(length=30), nullable=True),
        sa.Column("source_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(kind IN ('receipt', 'production') AND from_warehouse_id IS NULL AND to_warehouse_id IS NOT NULL) OR (kind IN ('delivery', 'consumption') AND from_warehouse_id IS NOT NULL AND to_warehouse_id IS NULL) OR (kind = 'transfer' AND from_warehouse_id IS NOT NULL AND to_warehouse_id IS NOT NULL     AND from_warehouse_id <> to_warehouse_id) OR (kind = 'adjustment' AND (from_warehouse_id IS NULL) <> (to_warehouse_id IS NULL))",  # noqa: E501
            name=op.f("ck_erp_stock_moves_warehouses_match_kind"),
        ),
        sa.CheckConstraint(
            "kind IN ('receipt', 'delivery', 'transfer', 'adjustment', 'consumption', 'production')",
            name=op.f("ck_erp_stock_moves_known_kind"),
        ),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_erp_stock_moves_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["from_warehouse_id"],
            ["erp_warehouses.id"],
            name=op.f("fk_erp_stock_moves_from_warehouse_id_erp_warehouses"),
        ),
        sa.ForeignKeyConstraint(
            ["product_id"], ["erp_products.id"], name=op.f("fk_erp_stock_moves_product_id_erp_products")
        ),
        sa.ForeignKeyConstraint(
            ["to_warehouse_id"], ["erp_warehouses.id"], name=op.f("fk_erp_stock_moves_to_warehouse_id_erp_warehouses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_stock_moves")),
        info={"module": "erp.inventory"},
    )
    op.create_index(op.f("ix_erp_stock_moves_moved_on"), "erp_stock_moves", ["moved_on"], unique=False)
    op.create_index(op.f("ix_erp_stock_moves_product_id"), "erp_stock_moves", ["product_id"], unique=False)

    for statement in STATEMENTS:
        op.get_bind().exec_driver_sql(statement)


def downgrade() -> None:
    op.drop_index(op.f("ix_erp_stock_moves_product_id"), table_name="erp_stock_moves")
    op.drop_index(op.f("ix_erp_stock_moves_moved_on"), table_name="erp_stock_moves")
    op.drop_table("erp_stock_moves")
    op.drop_index(op.f("ix_erp_stock_levels_warehouse_id"), table_name="erp_stock_levels")
    op.drop_table("erp_stock_levels")
    op.drop_table("erp_warehouses")
    op.drop_index(op.f("ix_erp_products_name"), table_name="erp_products")
    op.drop_table("erp_products")
    op.drop_table("erp_inventory_settings")
