"""erp.manufacturing initial tables

Revision ID: ffedaed0c54d
Revises:
Create Date: 2026-11-28 19:29:40.042769
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "ffedaed0c54d"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("erp_manufacturing",)
depends_on: str | Sequence[str] | None = None  # order across branches comes from the module registry


def upgrade() -> None:
    op.create_table(
        "erp_boms",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("output_quantity", sa.Numeric(precision=18, scale=4), server_default="1", nullable=False),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("output_quantity > 0", name=op.f("ck_erp_boms_output_positive")),
        sa.ForeignKeyConstraint(["product_id"], ["erp_products.id"], name=op.f("fk_erp_boms_product_id_erp_products")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_boms")),
        info={"module": "erp.manufacturing"},
    )
    op.create_index(op.f("ix_erp_boms_product_id"), "erp_boms", ["product_id"], unique=False)
    op.create_table(
        "erp_bom_lines",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("bom_id", sa.BigInteger(), nullable=False),
        sa.Column("component_id", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_erp_bom_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["bom_id"], ["erp_boms.id"], name=op.f("fk_erp_bom_lines_bom_id_erp_boms"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["component_id"], ["erp_products.id"], name=op.f("fk_erp_bom_lines_component_id_erp_products")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_bom_lines")),
        info={"module": "erp.manufacturing"},
    )
    op.create_index(op.f("ix_erp_bom_lines_bom_id"), "erp_bom_lines", ["bom_id"], unique=False)
    op.create_table(
        "erp_work_orders",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("bom_id", sa.BigInteger(), nullable=False),
        sa.Column("product_id", sa.BigInteger(), nullable=False),
        sa.Column("warehouse_id", sa.BigInteger(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="draft", nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.Column("unit_cost", sa.Numeric(precision=18, scale=6), server_default="0", nullable=False),
        sa.Column("total_cost", sa.Numeric(precision=18, scale=4), server_default="0", nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('draft', 'done', 'cancelled')", name=op.f("ck_erp_work_orders_known_status")),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_erp_work_orders_quantity_positive")),
        sa.ForeignKeyConstraint(["bom_id"], ["erp_boms.id"], name=op.f("fk_erp_work_orders_bom_id_erp_boms")),
        sa.ForeignKeyConstraint(
            ["product_id"], ["erp_products.id"], name=op.f("fk_erp_work_orders_product_id_erp_products")
        ),
        sa.ForeignKeyConstraint(
            ["warehouse_id"], ["erp_warehouses.id"], name=op.f("fk_erp_work_orders_warehouse_id_erp_warehouses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_work_orders")),
        info={"module": "erp.manufacturing"},
    )
    op.create_index(op.f("ix_erp_work_orders_bom_id"), "erp_work_orders", ["bom_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_erp_work_orders_bom_id"), table_name="erp_work_orders")
    op.drop_table("erp_work_orders")
    op.drop_index(op.f("ix_erp_bom_lines_bom_id"), table_name="erp_bom_lines")
    op.drop_table("erp_bom_lines")
    op.drop_index(op.f("ix_erp_boms_product_id"), table_name="erp_boms")
    op.drop_table("erp_boms")
