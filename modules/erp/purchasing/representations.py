"""Purchasing as the outside sees it: purchase orders and receipts.

The API answers these structs and the webhook events carry them (``events.py``), so a webhook and a
``GET`` of the same record have the same fields. No ``from __future__ import annotations`` here: the structs keep
the OpenAPI names they were published with (``published_from``), and their annotations must not be resolved in
that other module.
"""

import datetime
from decimal import Decimal

import msgspec

from nexo.modules.erp.purchasing.models import PurchaseOrder, Receipt
from nexo.platform.api.resource import published_from
from nexo.platform.money import round_money, total


class PurchaseLineOut(msgspec.Struct):
    id: int
    product_id: int
    description: str
    quantity: Decimal
    unit_cost: Decimal
    tax_rate: Decimal
    net_amount: Decimal
    quantity_received: Decimal
    quantity_billed: Decimal


class PurchaseOrderOut(msgspec.Struct):
    id: int
    number: str
    supplier_org_id: int
    warehouse_id: int
    status: str
    order_date: datetime.date
    expected_on: datetime.date | None
    currency: str
    subtotal: Decimal
    lines: list[PurchaseLineOut]
    created_at: datetime.datetime


class ReceiptLineOut(msgspec.Struct):
    id: int
    order_line_id: int
    quantity: Decimal
    stock_move_id: int


class ReceiptOut(msgspec.Struct):
    id: int
    number: str
    order_id: int
    warehouse_id: int
    received_on: datetime.date
    lines: list[ReceiptLineOut]


def order_out(o: PurchaseOrder) -> PurchaseOrderOut:
    lines = [
        PurchaseLineOut(
            ln.id,
            ln.product_id,
            ln.description,
            ln.quantity,
            ln.unit_cost,
            ln.tax_rate,
            round_money(ln.quantity * ln.unit_cost, o.currency),
            ln.quantity_received,
            ln.quantity_billed,
        )
        for ln in o.lines
    ]
    return PurchaseOrderOut(
        id=o.id,
        number=o.number,
        supplier_org_id=o.supplier_org_id,
        warehouse_id=o.warehouse_id,
        status=o.status,
        order_date=o.order_date,
        expected_on=o.expected_on,
        currency=o.currency,
        subtotal=total(ln.net_amount for ln in lines),
        lines=lines,
        created_at=o.created_at,
    )


def receipt_out(r: Receipt) -> ReceiptOut:
    return ReceiptOut(
        id=r.id,
        number=r.number,
        order_id=r.order_id,
        warehouse_id=r.warehouse_id,
        received_on=r.received_on,
        lines=[ReceiptLineOut(ln.id, ln.order_line_id, ln.quantity, ln.stock_move_id) for ln in r.lines],
    )


published_from("nexo.modules.erp.purchasing.api", PurchaseLineOut, PurchaseOrderOut, ReceiptLineOut, ReceiptOut)
