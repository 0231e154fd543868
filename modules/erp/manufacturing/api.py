"""Manufacturing REST API (``/api/v1/erp/manufacturing/...``): bills of materials and work orders, through
``ManufacturingService`` (completing a work order consumes components and produces goods in one transaction)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.erp.context import erp_context
from nexo.modules.erp.manufacturing.models import BillOfMaterials, WorkOrder
from nexo.modules.erp.manufacturing.representations import BomOut, WorkOrderOut, bom_out, work_order_out
from nexo.modules.erp.manufacturing.services import ManufacturingService
from nexo.platform.api.base import DEFAULT_LIMIT, Page, idempotent_create
from nexo.platform.api.fields import Quantity, Text200
from nexo.platform.api.principal import ApiPrincipal
from nexo.platform.api.resource import (
    REFUSAL_HANDLERS,
    Cursor,
    DbId,
    IdempotencyKey,
    IdParam,
    Limit,
    OptionalIdParam,
    Resource,
    Sort,
    action_op,
    check_choice,
    create_op,
    list_op,
    read_op,
    with_refusals,
)

READ_SCOPE, WRITE_SCOPE = "erp.manufacturing.read", "erp.manufacturing.write"
STATUSES = ("draft", "done")


class ComponentIn(msgspec.Struct, forbid_unknown_fields=True):
    product_id: DbId
    quantity: Quantity


class BomCreate(msgspec.Struct, forbid_unknown_fields=True):
    product_id: DbId
    components: Annotated[list[ComponentIn], msgspec.Meta(min_length=1, max_length=200)]
    output_quantity: Quantity = "1"
    name: Text200 = ""


class WorkOrderCreate(msgspec.Struct, forbid_unknown_fields=True):
    bom_id: DbId
    quantity: Quantity
    warehouse_id: DbId
    planned_on: datetime.date | None = None


class Completion(msgspec.Struct, forbid_unknown_fields=True):
    completed_on: datetime.date | None = None


BOMS = Resource(BillOfMaterials, "bill of materials", sortable={"id": BillOfMaterials.id, "name": BillOfMaterials.name})
WORK_ORDERS = Resource(WorkOrder, "work order", sortable={"id": WorkOrder.id})


class BomsApi(Controller):
    path = "/erp/manufacturing/boms"
    tags = ["erp.manufacturing"]
    exception_handlers = REFUSAL_HANDLERS

    @get("/", **with_refusals(list_op(READ_SCOPE, "List bills of materials", "listBoms")))
    async def list_boms(
        self,
        db_session: AsyncSession,
        product_id: OptionalIdParam = None,
        sort: Sort = "id",
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[BomOut]:
        """``sort``: ``id`` or ``name``."""
        rows, next_cursor = await BOMS.page(
            db_session, sort=sort, cursor=cursor, limit=limit, filters={BillOfMaterials.product_id: product_id}
        )
        return Page(data=[bom_out(b) for b in rows], next_cursor=next_cursor)

    @post("/", **with_refusals(create_op(WRITE_SCOPE, "Create a bill of materials", "createBom")))
    async def create(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        data: BomCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[BomOut]:
        """``output_quantity`` of ``product_id`` is made from the ``components``."""

        async def make() -> BomOut:
            components: dict[int, Decimal] = {}
            for component in data.components:
                components[component.product_id] = components.get(component.product_id, Decimal(0)) + Decimal(
                    component.quantity
                )
            bom = await ManufacturingService(db_session, await erp_context(db_session, principal)).create_bom(
                data.product_id,
                list(components.items()),
                output_quantity=Decimal(data.output_quantity),
                name=data.name,
            )
            await db_session.refresh(bom)
            await db_session.refresh(bom, ["lines"])
            return bom_out(bom)

        return await idempotent_create(request, db_session, principal, data, make)

    @get("/{bom_id:int}", **with_refusals(read_op(READ_SCOPE, "Get a bill of materials", "getBom")))
    async def get_bom(self, db_session: AsyncSession, bom_id: IdParam) -> BomOut:
        return bom_out(await BOMS.get(db_session, bom_id))


class WorkOrdersApi(Controller):
    path = "/erp/manufacturing/work-orders"
    tags = ["erp.manufacturing"]
    exception_handlers = REFUSAL_HANDLERS

    @get("/", **with_refusals(list_op(READ_SCOPE, "List work orders", "listWorkOrders")))
    async def list_work_orders(
        self,
        db_session: AsyncSession,
        status: str | None = None,
        sort: Sort = "-id",
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[WorkOrderOut]:
        """``status``: draft or done."""
        check_choice(status, STATUSES)
        rows, next_cursor = await WORK_ORDERS.page(
            db_session, sort=sort, cursor=cursor, limit=limit, filters={WorkOrder.status: status}
        )
        return Page(data=[work_order_out(w) for w in rows], next_cursor=next_cursor)

    @post("/", **with_refusals(create_op(WRITE_SCOPE, "Create a work order", "createWorkOrder")))
    async def create(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        data: WorkOrderCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[WorkOrderOut]:
        async def make() -> WorkOrderOut:
            order = await ManufacturingService(db_session, await erp_context(db_session, principal)).create_work_order(
                data.bom_id, Decimal(data.quantity), data.warehouse_id, planned_on=data.planned_on
            )
            await db_session.refresh(order)
            return work_order_out(order)

        return await idempotent_create(request, db_session, principal, data, make)

    @get("/{work_order_id:int}", **with_refusals(read_op(READ_SCOPE, "Get a work order", "getWorkOrder")))
    async def get_work_order(self, db_session: AsyncSession, work_order_id: IdParam) -> WorkOrderOut:
        return work_order_out(await WORK_ORDERS.get(db_session, work_order_id))

    @post(
        "/{work_order_id:int}/complete",
        **with_refusals(action_op(WRITE_SCOPE, "Complete a work order", "completeWorkOrder", 422)),
    )
    async def complete(
        self,
        db_session: AsyncSession,
        principal: ApiPrincipal,
        work_order_id: IdParam,
        data: Completion | None = None,
    ) -> WorkOrderOut:
        """Consumes the components at average cost and produces the goods; refused (422) when stock is short."""
        await WORK_ORDERS.get(db_session, work_order_id)
        order = await ManufacturingService(db_session, await erp_context(db_session, principal)).complete(
            work_order_id, completed_on=data.completed_on if data else None
        )
        await db_session.refresh(order)
        return work_order_out(order)
