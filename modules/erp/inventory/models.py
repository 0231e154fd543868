"""Inventory tables (tenant schema)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Numeric,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from nexo.platform.db.base import TenantBase
from nexo.platform.db.ddl import after_create

KEY = "erp.inventory"
MOVE_KINDS = ("receipt", "delivery", "transfer", "adjustment", "consumption", "production")


class Product(TenantBase):
    __tablename__ = "erp_products"
    __module_key__ = KEY
    __table_args__ = (
        CheckConstraint("cost >= 0 AND sale_price >= 0 AND average_cost >= 0", name="prices_not_negative"),
        CheckConstraint("tax_rate >= 0 AND tax_rate < 1", name="tax_rate_fraction"),
    )

    sku: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    unit: Mapped[str] = mapped_column(String(20), default="unit", server_default="unit")
    cost: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0), server_default="0")
    sale_price: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0), server_default="0")
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(6, 4), default=Decimal(0), server_default="0")  # 0.2 = 20 %
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    # Weighted average unit cost of the stock on hand (all warehouses), kept by the stock service.
    average_cost: Mapped[Decimal] = mapped_column(Numeric(18, 6), default=Decimal(0), server_default="0")


class Warehouse(TenantBase):
    __tablename__ = "erp_warehouses"
    __module_key__ = KEY

    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class StockLevel(TenantBase):
    """On-hand quantity of a product in a warehouse: the running sum of its stock moves."""

    __tablename__ = "erp_stock_levels"
    __module_key__ = KEY
    __table_args__ = (UniqueConstraint("product_id", "warehouse_id"),)

    product_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_products.id", ondelete="CASCADE"))
    warehouse_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("erp_warehouses.id", ondelete="CASCADE"), index=True
    )
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0), server_default="0")


class StockMove(TenantBase):
    """One movement of stock; written only by ``nexo.modules.erp.inventory.services.StockService``."""

    __tablename__ = "erp_stock_moves"
    __module_key__ = KEY
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(f"kind IN ({', '.join(repr(k) for k in MOVE_KINDS)})", name="known_kind"),
        CheckConstraint(
            "(kind IN ('receipt', 'production') AND from_warehouse_id IS NULL AND to_warehouse_id IS NOT NULL)"
            " OR (kind IN ('delivery', 'consumption') AND from_warehouse_id IS NOT NULL AND to_warehouse_id IS NULL)"
            " OR (kind = 'transfer' AND from_warehouse_id IS NOT NULL AND to_warehouse_id IS NOT NULL"
            "     AND from_warehouse_id <> to_warehouse_id)"
            " OR (kind = 'adjustment' AND (from_warehouse_id IS NULL) <> (to_warehouse_id IS NULL))",
            name="warehouses_match_kind",
        ),
    )

    kind: Mapped[str] = mapped_column(String(20))
    product_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_products.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    from_warehouse_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("erp_warehouses.id"), nullable=True)
    to_warehouse_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("erp_warehouses.id"), nullable=True)
    unit_cost: Mapped[Decimal] = mapped_column(Numeric(18, 6), default=Decimal(0), server_default="0")
    moved_on: Mapped[datetime.date] = mapped_column(Date, server_default=text("CURRENT_DATE"), index=True)
    reference: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # The document that caused the move ("delivery", "receipt", "work_order", ...) and its id.
    source_type: Mapped[str | None] = mapped_column(String(30), nullable=True)
    source_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class InventorySettings(TenantBase):
    """The workspace's inventory settings: a single row (id 1), created with the table."""

    __tablename__ = "erp_inventory_settings"
    __module_key__ = KEY
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    allow_negative_stock: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))


def settings_row_statements() -> list[str]:
    return [
        "INSERT INTO erp_inventory_settings (id, allow_negative_stock, created_at, updated_at)"
        " VALUES (1, false, now(), now())"
    ]


after_create(InventorySettings.__table__, settings_row_statements)  # type: ignore[arg-type]
