"""Sales tables (tenant schema): quote → sales order → delivery (→ invoice in erp.accounting)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nexo.platform.db.base import TenantBase

KEY = "erp.sales"
QUOTE_STATUSES = ("draft", "sent", "accepted", "declined")
ORDER_STATUSES = ("open", "partially_delivered", "delivered", "cancelled")


class Quote(TenantBase):
    __tablename__ = "erp_quotes"
    __module_key__ = KEY
    __table_args__ = (CheckConstraint(f"status IN {QUOTE_STATUSES!r}", name="known_status"),)

    customer_org_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("organizations.id"), index=True)
    contact_person_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="SET NULL"), nullable=True
    )
    status: Mapped[str] = mapped_column(String(20), default="draft", server_default="draft")
    quote_date: Mapped[datetime.date] = mapped_column(Date)
    valid_until: Mapped[datetime.date | None] = mapped_column(Date, nullable=True)
    currency: Mapped[str] = mapped_column(String(3))
    opportunity_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)  # soft: crm
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)

    lines: Mapped[list[QuoteLine]] = relationship(lazy="selectin", order_by="QuoteLine.id", viewonly=True)

    @property
    def number(self) -> str:
        return f"Q-{self.id:06d}"


class QuoteLine(TenantBase):
    __tablename__ = "erp_quote_lines"
    __module_key__ = KEY
    __table_args__ = (CheckConstraint("quantity > 0 AND unit_price >= 0", name="sane_amounts"),)

    quote_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_quotes.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_products.id"))
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(6, 4), default=Decimal(0), server_default="0")


class SalesOrder(TenantBase):
    __tablename__ = "erp_sales_orders"
    __module_key__ = KEY
    __table_args__ = (CheckConstraint(f"status IN {ORDER_STATUSES!r}", name="known_status"),)

    quote_id: Mapped[int | None] = mapped_column(BigInteger, ForeignKey("erp_quotes.id"), nullable=True, index=True)
    customer_org_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("organizations.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_warehouses.id"))
    status: Mapped[str] = mapped_column(String(30), default="open", server_default="open")
    order_date: Mapped[datetime.date] = mapped_column(Date, index=True)
    currency: Mapped[str] = mapped_column(String(3))

    lines: Mapped[list[SalesOrderLine]] = relationship(lazy="selectin", order_by="SalesOrderLine.id", viewonly=True)

    @property
    def number(self) -> str:
        return f"SO-{self.id:06d}"


class SalesOrderLine(TenantBase):
    __tablename__ = "erp_sales_order_lines"
    __module_key__ = KEY
    __table_args__ = (
        CheckConstraint("quantity > 0 AND unit_price >= 0", name="sane_amounts"),
        CheckConstraint("quantity_delivered >= 0 AND quantity_delivered <= quantity", name="delivered_within"),
        CheckConstraint("quantity_invoiced >= 0 AND quantity_invoiced <= quantity", name="invoiced_within"),
    )

    order_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_sales_orders.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_products.id"), index=True)
    description: Mapped[str] = mapped_column(String(300))
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    tax_rate: Mapped[Decimal] = mapped_column(Numeric(6, 4), default=Decimal(0), server_default="0")
    quantity_delivered: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0), server_default="0")
    quantity_invoiced: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0), server_default="0")
    # Cost of the units delivered so far (average cost at delivery): what invoicing books as cost of goods sold.
    delivered_cost: Mapped[Decimal] = mapped_column(Numeric(18, 4), default=Decimal(0), server_default="0")


class Delivery(TenantBase):
    __tablename__ = "erp_deliveries"
    __module_key__ = KEY

    order_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_sales_orders.id"), index=True)
    warehouse_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_warehouses.id"))
    delivered_on: Mapped[datetime.date] = mapped_column(Date)

    lines: Mapped[list[DeliveryLine]] = relationship(lazy="selectin", order_by="DeliveryLine.id", viewonly=True)

    @property
    def number(self) -> str:
        return f"DEL-{self.id:06d}"


class DeliveryLine(TenantBase):
    __tablename__ = "erp_delivery_lines"
    __module_key__ = KEY
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    delivery_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("erp_deliveries.id", ondelete="CASCADE"), index=True
    )
    order_line_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_sales_order_lines.id"))
    quantity: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    stock_move_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_stock_moves.id"))
