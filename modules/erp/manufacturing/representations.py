"""Manufacturing as the outside sees it: bills of materials and work orders.

The API answers these structs and the webhook events carry them (``events.py``), so a webhook and a
``GET`` of the same record have the same fields. No ``from __future__ import annotations`` here: the structs keep
the OpenAPI names they were published with (``published_from``), and their annotations must not be resolved in
that other module.
"""

import datetime
from decimal import Decimal

import msgspec

from nexo.modules.erp.manufacturing.models import BillOfMaterials, WorkOrder
from nexo.platform.api.resource import published_from


class ComponentOut(msgspec.Struct):
    id: int
    product_id: int
    quantity: Decimal


class BomOut(msgspec.Struct):
    id: int
    product_id: int
    name: str
    output_quantity: Decimal
    active: bool
    components: list[ComponentOut]
    created_at: datetime.datetime


class WorkOrderOut(msgspec.Struct):
    id: int
    number: str
    bom_id: int
    product_id: int
    warehouse_id: int
    quantity: Decimal
    status: str
    planned_on: datetime.date
    completed_on: datetime.date | None
    unit_cost: Decimal
    total_cost: Decimal
    created_at: datetime.datetime


def bom_out(b: BillOfMaterials) -> BomOut:
    return BomOut(
        id=b.id,
        product_id=b.product_id,
        name=b.name,
        output_quantity=b.output_quantity,
        active=b.active,
        components=[ComponentOut(ln.id, ln.component_id, ln.quantity) for ln in b.lines],
        created_at=b.created_at,
    )


def work_order_out(w: WorkOrder) -> WorkOrderOut:
    return WorkOrderOut(
        id=w.id,
        number=w.number,
        bom_id=w.bom_id,
        product_id=w.product_id,
        warehouse_id=w.warehouse_id,
        quantity=w.quantity,
        status=w.status,
        planned_on=w.planned_on,
        completed_on=w.completed_on,
        unit_cost=w.unit_cost,
        total_cost=w.total_cost,
        created_at=w.created_at,
    )


published_from("nexo.modules.erp.manufacturing.api", ComponentOut, BomOut, WorkOrderOut)
