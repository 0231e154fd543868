"""Inventory as the outside sees it: products, warehouses, stock levels and moves.

The API answers these structs and the webhook events carry them (``events.py``), so a webhook and a
``GET`` of the same record have the same fields. No ``from __future__ import annotations`` here: the structs keep
the OpenAPI names they were published with (``published_from``), and their annotations must not be resolved in
that other module.
"""

import datetime
from decimal import Decimal

import msgspec

from nexo.modules.erp.inventory.models import Product, StockMove, Warehouse
from nexo.platform.api.resource import published_from


class ProductOut(msgspec.Struct):
    id: int
    sku: str
    name: str
    unit: str
    cost: Decimal
    sale_price: Decimal
    tax_rate: Decimal
    average_cost: Decimal
    active: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime


class WarehouseOut(msgspec.Struct):
    id: int
    code: str
    name: str
    created_at: datetime.datetime


class StockLevelOut(msgspec.Struct):
    product_id: int
    warehouse_id: int
    quantity: Decimal
    average_cost: Decimal
    value: Decimal


class StockMoveOut(msgspec.Struct):
    id: int
    kind: str
    product_id: int
    quantity: Decimal
    from_warehouse_id: int | None
    to_warehouse_id: int | None
    unit_cost: Decimal
    moved_on: datetime.date
    reference: str
    source_type: str | None
    source_id: int | None


class AdjustmentOut(msgspec.Struct):
    move: StockMoveOut | None  # null when on-hand already equalled the count
    on_hand: Decimal


def product_out(p: Product) -> ProductOut:
    return ProductOut(
        id=p.id,
        sku=p.sku,
        name=p.name,
        unit=p.unit,
        cost=p.cost,
        sale_price=p.sale_price,
        tax_rate=p.tax_rate,
        average_cost=p.average_cost,
        active=p.active,
        created_at=p.created_at,
        updated_at=p.updated_at,
    )


def warehouse_out(w: Warehouse) -> WarehouseOut:
    return WarehouseOut(id=w.id, code=w.code, name=w.name, created_at=w.created_at)


def move_out(m: StockMove) -> StockMoveOut:
    return StockMoveOut(
        id=m.id,
        kind=m.kind,
        product_id=m.product_id,
        quantity=m.quantity,
        from_warehouse_id=m.from_warehouse_id,
        to_warehouse_id=m.to_warehouse_id,
        unit_cost=m.unit_cost,
        moved_on=m.moved_on,
        reference=m.reference,
        source_type=m.source_type,
        source_id=m.source_id,
    )


published_from("nexo.modules.erp.inventory.api", ProductOut, WarehouseOut, StockLevelOut, StockMoveOut, AdjustmentOut)
