"""Sales as the outside sees it: quotes, sales orders and deliveries.

The API answers these structs and the webhook events carry them (``events.py``), so a webhook and a
``GET`` of the same record have the same fields. No ``from __future__ import annotations`` here: the structs keep
the OpenAPI names they were published with (``published_from``), and their annotations must not be resolved in
that other module.
"""

import datetime
from decimal import Decimal

import msgspec

from nexo.modules.erp.sales.models import Delivery, Quote, SalesOrder
from nexo.platform.api.resource import published_from
from nexo.platform.money import round_money, total


class LineOut(msgspec.Struct):
    id: int
    product_id: int
    description: str
    quantity: Decimal
    unit_price: Decimal
    tax_rate: Decimal
    net_amount: Decimal


class OrderLineOut(LineOut):
    quantity_delivered: Decimal
    quantity_invoiced: Decimal


class QuoteOut(msgspec.Struct):
    id: int
    number: str
    customer_org_id: int
    contact_person_id: int | None
    status: str
    quote_date: datetime.date
    valid_until: datetime.date | None
    currency: str
    opportunity_id: int | None
    notes: str | None
    subtotal: Decimal
    lines: list[LineOut]
    created_at: datetime.datetime


class SalesOrderOut(msgspec.Struct):
    id: int
    number: str
    quote_id: int | None
    customer_org_id: int
    warehouse_id: int
    status: str
    order_date: datetime.date
    currency: str
    subtotal: Decimal
    lines: list[OrderLineOut]
    created_at: datetime.datetime


class DeliveryLineOut(msgspec.Struct):
    id: int
    order_line_id: int
    quantity: Decimal
    stock_move_id: int


class DeliveryOut(msgspec.Struct):
    id: int
    number: str
    order_id: int
    warehouse_id: int
    delivered_on: datetime.date
    lines: list[DeliveryLineOut]


def _net(quantity: Decimal, price: Decimal, currency: str) -> Decimal:
    return round_money(quantity * price, currency)


def quote_out(q: Quote) -> QuoteOut:
    lines = [
        LineOut(
            ln.id,
            ln.product_id,
            ln.description,
            ln.quantity,
            ln.unit_price,
            ln.tax_rate,
            _net(ln.quantity, ln.unit_price, q.currency),
        )
        for ln in q.lines
    ]
    return QuoteOut(
        id=q.id,
        number=q.number,
        customer_org_id=q.customer_org_id,
        contact_person_id=q.contact_person_id,
        status=q.status,
        quote_date=q.quote_date,
        valid_until=q.valid_until,
        currency=q.currency,
        opportunity_id=q.opportunity_id,
        notes=q.notes,
        subtotal=total(ln.net_amount for ln in lines),
        lines=lines,
        created_at=q.created_at,
    )


def order_out(o: SalesOrder) -> SalesOrderOut:
    lines = [
        OrderLineOut(
            ln.id,
            ln.product_id,
            ln.description,
            ln.quantity,
            ln.unit_price,
            ln.tax_rate,
            _net(ln.quantity, ln.unit_price, o.currency),
            ln.quantity_delivered,
            ln.quantity_invoiced,
        )
        for ln in o.lines
    ]
    return SalesOrderOut(
        id=o.id,
        number=o.number,
        quote_id=o.quote_id,
        customer_org_id=o.customer_org_id,
        warehouse_id=o.warehouse_id,
        status=o.status,
        order_date=o.order_date,
        currency=o.currency,
        subtotal=total(ln.net_amount for ln in lines),
        lines=lines,
        created_at=o.created_at,
    )


def delivery_out(d: Delivery) -> DeliveryOut:
    return DeliveryOut(
        id=d.id,
        number=d.number,
        order_id=d.order_id,
        warehouse_id=d.warehouse_id,
        delivered_on=d.delivered_on,
        lines=[DeliveryLineOut(ln.id, ln.order_line_id, ln.quantity, ln.stock_move_id) for ln in d.lines],
    )


published_from(
    "nexo.modules.erp.sales.api", LineOut, OrderLineOut, QuoteOut, SalesOrderOut, DeliveryLineOut, DeliveryOut
)
