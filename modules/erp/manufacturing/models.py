"""Manufacturing tables (tenant schema)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, ForeignKey, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nexo.platform.db.base import TenantBase

KEY = "erp.manufacturing"
WORK_ORDER_STATUSES = ("draft", "done", "cancelled")


class BillOfMaterials(TenantBase):
    """How to make ``output_quantity`` of a product from components."""

    __tablename__ = "erp_boms"
    __module_key__ = KEY
    __table_args__ = (CheckConstraint("output_quantity > 0", name="output_positive"),)

    product_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_products.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    output_quantity: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(1), server_default="1")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))

    lines: Mapped[list[BomLine]] = relationship(lazy="selectin", order_by="BomLine.id", viewonly=True)


class BomLine(TenantBase):
    __tablename__ = "erp_bom_lines"
    __module_key__ = KEY
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    bom_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_boms.id", ondelete="CASCADE"), index=True)
    component_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_products.id"))
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 4))


class WorkOrder(TenantBase):
    __tablename__ = "erp_work_orders"
    __module_key__ = KEY
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint(f"status IN {WORK_ORDER_STATUSES!r}", name="known_status"),
    )

    bom_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_boms.id"), index=True)
    product_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_products.id"))
    warehouse_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_warehouses.id"))
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    status: Mapped[str] = mapped_column(String(20), default="draft", server_default="draft")
    planned_on: Mapped[datetime.date] = mapped_column(Date)
    completed_on: Mapped[datetime.date | None] = mapped_column(Date, nullable=True)
    # Rolled-up cost: the components' average cost consumed, per unit produced and in total.
    unit_cost: Mapped[Decimal] = mapped_column(Numeric(18, 6), default=Decimal(0), server_default="0")
    total_cost: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0), server_default="0")

    @property
    def number(self) -> str:
        return f"WO-{self.id:06d}"
