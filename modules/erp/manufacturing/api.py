"""Manufacturing REST API (``/api/v1/erp/manufacturing/...``): bills of materials and work orders, through
``ManufacturingService`` (completing a work order consumes components and produces goods in one transaction)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.erp.apikit import (
    ACTION,
    CREATE,
    EXCEPTION_HANDLERS,
    READ,
    READ_ONE,
    Quantity,
    Text200,
    check_status,
    get_or_404,
)
from nexo.modules.erp.manufacturing.models import BillOfMaterials, WorkOrder
from nexo.modules.erp.manufacturing.services import ManufacturingService
from nexo.platform.api.auth import ApiPrincipal
from nexo.platform.api.base import DEFAULT_LIMIT, Page, api_opt, idempotent_create, keyset_page, security
from nexo.platform.api.resource import (
    Cursor,
    DbId,
    IdempotencyKey,
    IdParam,
    Limit,
    OptionalIdParam,
    Sort,
)

READ_SCOPE, WRITE_SCOPE = "erp.manufacturing.read", "erp.manufacturing.write"
R: dict[str, Any] = {"opt": api_opt(READ_SCOPE), "security": security(READ_SCOPE)}
W: dict[str, Any] = {"opt": api_opt(WRITE_SCOPE), "security": security(WRITE_SCOPE)}
STATUSES = ("draft", "done")


class ComponentIn(msgspec.Struct, forbid_unknown_fields=True):
    product_id: DbId
    quantity: Quantity


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


class BomCreate(msgspec.Struct, forbid_unknown_fields=True):
    product_id: DbId
    components: Annotated[list[ComponentIn], msgspec.Meta(min_length=1, max_length=200)]
    output_quantity: Quantity = "1"
    name: Text200 = ""


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


class WorkOrderCreate(msgspec.Struct, forbid_unknown_fields=True):
    bom_id: DbId
    quantity: Quantity
    warehouse_id: DbId
    planned_on: datetime.date | None = None


class Completion(msgspec.Struct, forbid_unknown_fields=True):
    completed_on: datetime.date | None = None


def bom_out(b: BillOfMaterials) -> BomOut:
    return BomOut(id=b.id, product_id=b.product_id, name=b.name, output_quantity=b.output_quantity, active=b.active,
                  components=[ComponentOut(ln.id, ln.component_id, ln.quantity) for ln in b.lines],
                  created_at=b.created_at)  # fmt: skip


def work_order_out(w: WorkOrder) -> WorkOrderOut:
    return WorkOrderOut(id=w.id, number=w.number, bom_id=w.bom_id, product_id=w.product_id,
                        warehouse_id=w.warehouse_id, quantity=w.quantity, status=w.status, planned_on=w.planned_on,
                        completed_on=w.completed_on, unit_cost=w.unit_cost, total_cost=w.total_cost,
                        created_at=w.created_at)  # fmt: skip


class BomsApi(Controller):
    path = "/erp/manufacturing/boms"
    tags = ["erp.manufacturing"]
    exception_handlers = EXCEPTION_HANDLERS

    @get("/", **R, responses=READ, summary="List bills of materials", operation_id="listBoms")
    async def list_boms(
        self, db_session: AsyncSession, product_id: OptionalIdParam = None, sort: Sort = "id",
        cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT,
    ) -> Page[BomOut]:  # fmt: skip
        """``sort``: ``id`` or ``name``."""
        statement = select(BillOfMaterials)
        if product_id is not None:
            statement = statement.where(BillOfMaterials.product_id == product_id)
        rows, next_cursor = await keyset_page(
            db_session, statement, sortable={"id": BillOfMaterials.id, "name": BillOfMaterials.name},
            id_column=BillOfMaterials.id, sort=sort, cursor=cursor, limit=limit,
        )  # fmt: skip
        return Page(data=[bom_out(b) for b in rows], next_cursor=next_cursor)

    @post("/", **W, responses=CREATE, summary="Create a bill of materials", operation_id="createBom",
          status_code=201)  # fmt: skip
    async def create(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, principal: ApiPrincipal, data: BomCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[BomOut]:  # fmt: skip
        """``output_quantity`` of ``product_id`` is made from the ``components``."""

        async def make() -> BomOut:
            components: dict[int, Decimal] = {}
            for component in data.components:
                components[component.product_id] = components.get(component.product_id, Decimal(0)) + Decimal(
                    component.quantity
                )
            bom = await ManufacturingService(db_session).create_bom(
                data.product_id, list(components.items()), output_quantity=Decimal(data.output_quantity),
                name=data.name,
            )  # fmt: skip
            await db_session.refresh(bom)
            await db_session.refresh(bom, ["lines"])
            return bom_out(bom)

        return await idempotent_create(request, db_session, principal, data, make)

    @get("/{bom_id:int}", **R, responses=READ_ONE, summary="Get a bill of materials", operation_id="getBom")
    async def get_bom(self, db_session: AsyncSession, bom_id: IdParam) -> BomOut:
        return bom_out(await get_or_404(db_session, BillOfMaterials, bom_id, "bill of materials"))


class WorkOrdersApi(Controller):
    path = "/erp/manufacturing/work-orders"
    tags = ["erp.manufacturing"]
    exception_handlers = EXCEPTION_HANDLERS

    @get("/", **R, responses=READ, summary="List work orders", operation_id="listWorkOrders")
    async def list_work_orders(
        self, db_session: AsyncSession, status: str | None = None, sort: Sort = "-id", cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[WorkOrderOut]:  # fmt: skip
        """``status``: draft or done."""
        check_status(status, STATUSES)
        statement = select(WorkOrder) if status is None else select(WorkOrder).where(WorkOrder.status == status)
        rows, next_cursor = await keyset_page(
            db_session,
            statement,
            sortable={"id": WorkOrder.id},
            id_column=WorkOrder.id,
            sort=sort,
            cursor=cursor,
            limit=limit,
        )
        return Page(data=[work_order_out(w) for w in rows], next_cursor=next_cursor)

    @post("/", **W, responses=CREATE, summary="Create a work order", operation_id="createWorkOrder",
          status_code=201)  # fmt: skip
    async def create(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, principal: ApiPrincipal,
        data: WorkOrderCreate, idempotency_key: IdempotencyKey = None,
    ) -> Response[WorkOrderOut]:  # fmt: skip
        async def make() -> WorkOrderOut:
            order = await ManufacturingService(db_session).create_work_order(
                data.bom_id, Decimal(data.quantity), data.warehouse_id, planned_on=data.planned_on
            )
            await db_session.refresh(order)
            return work_order_out(order)

        return await idempotent_create(request, db_session, principal, data, make)

    @get("/{work_order_id:int}", **R, responses=READ_ONE, summary="Get a work order", operation_id="getWorkOrder")
    async def get_work_order(self, db_session: AsyncSession, work_order_id: IdParam) -> WorkOrderOut:
        return work_order_out(await get_or_404(db_session, WorkOrder, work_order_id, "work order"))

    @post("/{work_order_id:int}/complete", **W, responses=ACTION, summary="Complete a work order",
          operation_id="completeWorkOrder", status_code=200)  # fmt: skip
    async def complete(
        self, db_session: AsyncSession, work_order_id: IdParam, data: Completion | None = None
    ) -> WorkOrderOut:
        """Consumes the components at average cost and produces the goods; refused (422) when stock is short."""
        await get_or_404(db_session, WorkOrder, work_order_id, "work order")
        order = await ManufacturingService(db_session).complete(
            work_order_id, completed_on=data.completed_on if data else None
        )
        await db_session.refresh(order)
        return work_order_out(order)
