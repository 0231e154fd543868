"""Purchasing REST API (``/api/v1/erp/purchasing/...``): purchase orders, sending them and receiving goods, through
``PurchasingService``. The supplier's bill is an accounting document: ``POST /api/v1/erp/accounting/bills``."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.erp.context import erp_context
from nexo.modules.erp.purchasing.models import PurchaseOrder, Receipt
from nexo.modules.erp.purchasing.representations import (
    PurchaseOrderOut,
    ReceiptOut,
    order_out,
    receipt_out,
)
from nexo.modules.erp.purchasing.services import PurchaseLineInput, PurchasingService
from nexo.platform.api.base import DEFAULT_LIMIT, Page, idempotent_create
from nexo.platform.api.fields import Amount, LineQuantity, Quantity, Rate, Text300, decimal_or_none, line_quantities
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
    reloaded,
    with_refusals,
)

READ_SCOPE, WRITE_SCOPE = "erp.purchasing.read", "erp.purchasing.write"
STATUSES = ("draft", "sent", "partially_received", "received", "closed", "cancelled")


class PurchaseLineIn(msgspec.Struct, forbid_unknown_fields=True):
    product_id: DbId
    quantity: Quantity
    unit_cost: Amount | None = None  # the product's cost when omitted
    tax_rate: Rate | None = None
    description: Text300 = ""


class PurchaseOrderCreate(msgspec.Struct, forbid_unknown_fields=True):
    supplier_org_id: DbId
    warehouse_id: DbId
    lines: Annotated[list[PurchaseLineIn], msgspec.Meta(min_length=1, max_length=200)]
    order_date: datetime.date | None = None
    expected_on: datetime.date | None = None


class ReceiptCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Receive the ``lines`` given (order line id and quantity), or everything outstanding when omitted."""

    lines: Annotated[list[LineQuantity], msgspec.Meta(min_length=1, max_length=200)] | None = None
    received_on: datetime.date | None = None


ORDERS = Resource(PurchaseOrder, "purchase order", sortable={"id": PurchaseOrder.id})
RECEIPTS = Resource(Receipt, "receipt", sortable={"id": Receipt.id})


class PurchaseOrdersApi(Controller):
    path = "/erp/purchasing"
    tags = ["erp.purchasing"]
    exception_handlers = REFUSAL_HANDLERS

    @get("/orders", **with_refusals(list_op(READ_SCOPE, "List purchase orders", "listPurchaseOrders")))
    async def list_orders(
        self,
        db_session: AsyncSession,
        status: str | None = None,
        supplier_org_id: OptionalIdParam = None,
        sort: Sort = "-id",
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[PurchaseOrderOut]:
        """``status``: draft, sent, partially_received, received, closed, cancelled; ``sort``: ``id`` or ``-id``."""
        check_choice(status, STATUSES)
        filters = {PurchaseOrder.status: status, PurchaseOrder.supplier_org_id: supplier_org_id}
        rows, next_cursor = await ORDERS.page(db_session, sort=sort, cursor=cursor, limit=limit, filters=filters)
        return Page(data=[order_out(o) for o in rows], next_cursor=next_cursor)

    @post("/orders", **with_refusals(create_op(WRITE_SCOPE, "Create a purchase order (draft)", "createPurchaseOrder")))
    async def create(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        data: PurchaseOrderCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[PurchaseOrderOut]:
        """Costs and tax rates default to the product's. Send ``Idempotency-Key`` to retry safely."""

        async def make() -> PurchaseOrderOut:
            service = PurchasingService(db_session, await erp_context(db_session, principal))
            lines = [
                PurchaseLineInput(
                    ln.product_id,
                    Decimal(ln.quantity),
                    decimal_or_none(ln.unit_cost),
                    decimal_or_none(ln.tax_rate),
                    ln.description,
                )
                for ln in data.lines
            ]
            order = await service.create_order(
                data.supplier_org_id, data.warehouse_id, lines, order_date=data.order_date, expected_on=data.expected_on
            )
            return order_out(await reloaded(db_session, PurchaseOrder, order.id, "lines"))

        return await idempotent_create(request, db_session, principal, data, make)

    @get("/orders/{order_id:int}", **with_refusals(read_op(READ_SCOPE, "Get a purchase order", "getPurchaseOrder")))
    async def get_order(self, db_session: AsyncSession, order_id: IdParam) -> PurchaseOrderOut:
        return order_out(await ORDERS.get(db_session, order_id))

    @post(
        "/orders/{order_id:int}/send",
        **with_refusals(action_op(WRITE_SCOPE, "Send a purchase order to the supplier", "sendPurchaseOrder", 422)),
    )
    async def send(self, db_session: AsyncSession, principal: ApiPrincipal, order_id: IdParam) -> PurchaseOrderOut:
        await ORDERS.get(db_session, order_id)
        await PurchasingService(db_session, await erp_context(db_session, principal)).send(order_id)
        return order_out(await reloaded(db_session, PurchaseOrder, order_id, "lines"))

    @post(
        "/orders/{order_id:int}/receipts",
        **with_refusals(create_op(WRITE_SCOPE, "Receive goods (fully or partly)", "receivePurchaseOrder", 404)),
    )
    async def receive(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        order_id: IdParam,
        data: ReceiptCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[ReceiptOut]:
        """Stock comes in at the order's cost (valued in the ledger when accounting is on)."""

        async def make() -> ReceiptOut:
            await ORDERS.get(db_session, order_id)
            service = PurchasingService(db_session, await erp_context(db_session, principal))
            receipt = await service.receive(order_id, line_quantities(data.lines), received_on=data.received_on)
            await db_session.refresh(receipt, ["lines"])
            return receipt_out(receipt)

        return await idempotent_create(request, db_session, principal, data, make)

    @get("/receipts", **with_refusals(list_op(READ_SCOPE, "List receipts", "listReceipts")))
    async def list_receipts(
        self,
        db_session: AsyncSession,
        order_id: OptionalIdParam = None,
        sort: Sort = "-id",
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[ReceiptOut]:
        rows, next_cursor = await RECEIPTS.page(
            db_session, sort=sort, cursor=cursor, limit=limit, filters={Receipt.order_id: order_id}
        )
        return Page(data=[receipt_out(r) for r in rows], next_cursor=next_cursor)

    @get("/receipts/{receipt_id:int}", **with_refusals(read_op(READ_SCOPE, "Get a receipt", "getReceipt")))
    async def get_receipt(self, db_session: AsyncSession, receipt_id: IdParam) -> ReceiptOut:
        return receipt_out(await RECEIPTS.get(db_session, receipt_id))
