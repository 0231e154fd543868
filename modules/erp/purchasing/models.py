"""Purchasing tables (tenant schema): purchase order → receipt (→ supplier bill in erp.accounting)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nexo.platform.db.base import TenantBase

KEY = "erp.purchasing"
ORDER_STATUSES = ("draft", "sent", "partially_received", "received", "closed", "cancelled")


class PurchaseOrder(TenantBase):
    __tablename__ = "erp_purchase_orders"
    __module_key__ = KEY
    __table_args__ = (CheckConstraint(f"status IN {ORDER_STATUSES!r}", name="known_status"),)

    supplier_org_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("organizations.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_warehouses.id"))
    status: Mapped[str] = mapped_column(String(30), default="draft", server_default="draft")
    order_date: Mapped[datetime.date] = mapped_column(Date, index=True)
    expected_on: Mapped[datetime.date | None] = mapped_column(Date, nullable=True)
    currency: Mapped[str] = mapped_column(String(3))

    lines: Mapped[list[PurchaseOrderLine]] = relationship(
        lazy="selectin", order_by="PurchaseOrderLine.id", viewonly=True
    )

    @property
    def number(self) -> str:
        return f"PO-{self.id:06d}"


class PurchaseOrderLine(TenantBase):
    __tablename__ = "erp_purchase_order_lines"
    __module_key__ = KEY
    __table_args__ = (
        CheckConstraint("quantity > 0 AND unit_cost >= 0", name="sane_amounts"),
        CheckConstraint("quantity_received >= 0 AND quantity_received <= quantity", name="received_within"),
        CheckConstraint("quantity_billed >= 0 AND quantity_billed <= quantity", name="billed_within"),
    )

    order_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("erp_purchase_orders.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_products.id"), index=True)
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    unit_cost: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(6, 4), default=Decimal(0), server_default="0")
    quantity_received: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0), server_default="0")
    quantity_billed: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0), server_default="0")


class Receipt(TenantBase):
    __tablename__ = "erp_receipts"
    __module_key__ = KEY

    order_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_purchase_orders.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_warehouses.id"))
    received_on: Mapped[datetime.date] = mapped_column(Date)

    lines: Mapped[list[ReceiptLine]] = relationship(lazy="selectin", order_by="ReceiptLine.id", viewonly=True)

    @property
    def number(self) -> str:
        return f"REC-{self.id:06d}"


class ReceiptLine(TenantBase):
    __tablename__ = "erp_receipt_lines"
    __module_key__ = KEY
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    receipt_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_receipts.id", ondelete="CASCADE"), index=True)
    order_line_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_purchase_order_lines.id"))
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    stock_move_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_stock_moves.id"))
