"""Sales REST API (``/api/v1/erp/sales/...``): quotes, sales orders and their deliveries, through ``SalesService``.

Invoicing a sales order is an accounting document: ``POST /api/v1/erp/accounting/invoices``."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.erp.context import erp_context
from nexo.modules.erp.sales.models import Delivery, Quote, SalesOrder
from nexo.modules.erp.sales.representations import (
    DeliveryOut,
    QuoteOut,
    SalesOrderOut,
    delivery_out,
    order_out,
    quote_out,
)
from nexo.modules.erp.sales.services import OrderLineInput, SalesService
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

READ_SCOPE, WRITE_SCOPE = "erp.sales.read", "erp.sales.write"
Notes = Annotated[str, msgspec.Meta(max_length=10_000)]
QUOTE_STATUSES = ("draft", "sent", "accepted", "declined")
ORDER_STATUSES = ("open", "partially_delivered", "delivered", "cancelled")


class LineIn(msgspec.Struct, forbid_unknown_fields=True):
    product_id: DbId
    quantity: Quantity
    unit_price: Amount | None = None  # the product's sale price when omitted
    tax_rate: Rate | None = None  # the product's tax rate when omitted
    description: Text300 = ""


Lines = Annotated[list[LineIn], msgspec.Meta(min_length=1, max_length=200)]


class QuoteCreate(msgspec.Struct, forbid_unknown_fields=True):
    customer_org_id: DbId
    lines: Lines
    quote_date: datetime.date | None = None
    valid_until: datetime.date | None = None
    contact_person_id: DbId | None = None
    notes: Notes | None = None


class ConfirmQuote(msgspec.Struct, forbid_unknown_fields=True):
    warehouse_id: DbId
    order_date: datetime.date | None = None


class SalesOrderCreate(msgspec.Struct, forbid_unknown_fields=True):
    customer_org_id: DbId
    warehouse_id: DbId
    lines: Lines
    order_date: datetime.date | None = None


class DeliveryCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Deliver the ``lines`` given (order line id and quantity), or everything outstanding when omitted."""

    lines: Annotated[list[LineQuantity], msgspec.Meta(min_length=1, max_length=200)] | None = None
    delivered_on: datetime.date | None = None


def line_inputs(lines: list[LineIn]) -> list[OrderLineInput]:
    return [
        OrderLineInput(
            ln.product_id,
            Decimal(ln.quantity),
            decimal_or_none(ln.unit_price),
            decimal_or_none(ln.tax_rate),
            ln.description,
        )
        for ln in lines
    ]


QUOTES = Resource(Quote, "quote", sortable={"id": Quote.id})
ORDERS = Resource(SalesOrder, "sales order", sortable={"id": SalesOrder.id})
DELIVERIES = Resource(Delivery, "delivery", sortable={"id": Delivery.id})


class QuotesApi(Controller):
    path = "/erp/sales/quotes"
    tags = ["erp.sales"]
    exception_handlers = REFUSAL_HANDLERS

    @get("/", **with_refusals(list_op(READ_SCOPE, "List quotes", "listQuotes")))
    async def list_quotes(
        self,
        db_session: AsyncSession,
        status: str | None = None,
        customer_org_id: OptionalIdParam = None,
        sort: Sort = "-id",
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[QuoteOut]:
        """``status``: draft, sent, accepted, declined; ``sort``: ``id`` or ``-id``."""
        check_choice(status, QUOTE_STATUSES)
        filters = {Quote.status: status, Quote.customer_org_id: customer_org_id}
        rows, next_cursor = await QUOTES.page(db_session, sort=sort, cursor=cursor, limit=limit, filters=filters)
        return Page(data=[quote_out(q) for q in rows], next_cursor=next_cursor)

    @post("/", **with_refusals(create_op(WRITE_SCOPE, "Create a quote", "createQuote")))
    async def create(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        data: QuoteCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[QuoteOut]:
        """Prices and tax rates default to the product's. Send ``Idempotency-Key`` to retry safely."""

        async def make() -> QuoteOut:
            service = SalesService(db_session, await erp_context(db_session, principal))
            quote = await service.create_quote(
                data.customer_org_id,
                line_inputs(data.lines),
                quote_date=data.quote_date,
                valid_until=data.valid_until,
                contact_person_id=data.contact_person_id,
                notes=data.notes,
            )
            await db_session.refresh(quote)
            return quote_out(quote)

        return await idempotent_create(request, db_session, principal, data, make)

    @get("/{quote_id:int}", **with_refusals(read_op(READ_SCOPE, "Get a quote", "getQuote")))
    async def get_quote(self, db_session: AsyncSession, quote_id: IdParam) -> QuoteOut:
        return quote_out(await QUOTES.get(db_session, quote_id))

    @post("/{quote_id:int}/send", **with_refusals(action_op(WRITE_SCOPE, "Mark a quote as sent", "sendQuote", 422)))
    async def send(self, db_session: AsyncSession, principal: ApiPrincipal, quote_id: IdParam) -> QuoteOut:
        return await self._mark(db_session, principal, quote_id, "sent")

    @post(
        "/{quote_id:int}/decline",
        **with_refusals(action_op(WRITE_SCOPE, "Mark a quote as declined", "declineQuote", 422)),
    )
    async def decline(self, db_session: AsyncSession, principal: ApiPrincipal, quote_id: IdParam) -> QuoteOut:
        return await self._mark(db_session, principal, quote_id, "declined")

    @post(
        "/{quote_id:int}/confirm",
        **with_refusals(create_op(WRITE_SCOPE, "Confirm a quote into a sales order", "confirmQuote", 404)),
    )
    async def confirm(
        self, db_session: AsyncSession, principal: ApiPrincipal, quote_id: IdParam, data: ConfirmQuote
    ) -> SalesOrderOut:
        """The customer accepted: the quote becomes a sales order shipped from ``warehouse_id``."""
        await QUOTES.get(db_session, quote_id)
        service = SalesService(db_session, await erp_context(db_session, principal))
        order = await service.confirm_quote(quote_id, data.warehouse_id, order_date=data.order_date)
        return order_out(await reloaded(db_session, SalesOrder, order.id, "lines"))

    @staticmethod
    async def _mark(session: AsyncSession, principal: ApiPrincipal, quote_id: int, status: str) -> QuoteOut:
        await QUOTES.get(session, quote_id)
        quote = await SalesService(session, await erp_context(session, principal)).mark_quote(quote_id, status)
        await session.refresh(quote)
        return quote_out(quote)


class SalesOrdersApi(Controller):
    path = "/erp/sales/orders"
    tags = ["erp.sales"]
    exception_handlers = REFUSAL_HANDLERS

    @get("/", **with_refusals(list_op(READ_SCOPE, "List sales orders", "listSalesOrders")))
    async def list_orders(
        self,
        db_session: AsyncSession,
        status: str | None = None,
        customer_org_id: OptionalIdParam = None,
        sort: Sort = "-id",
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[SalesOrderOut]:
        """``status``: open, partially_delivered, delivered, cancelled; ``sort``: ``id`` or ``-id``."""
        check_choice(status, ORDER_STATUSES)
        filters = {SalesOrder.status: status, SalesOrder.customer_org_id: customer_org_id}
        rows, next_cursor = await ORDERS.page(db_session, sort=sort, cursor=cursor, limit=limit, filters=filters)
        return Page(data=[order_out(o) for o in rows], next_cursor=next_cursor)

    @post("/", **with_refusals(create_op(WRITE_SCOPE, "Create (confirm) a sales order", "createSalesOrder")))
    async def create(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        data: SalesOrderCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[SalesOrderOut]:
        """A confirmed order, open for delivery from ``warehouse_id``. Send ``Idempotency-Key`` to retry safely."""

        async def make() -> SalesOrderOut:
            service = SalesService(db_session, await erp_context(db_session, principal))
            order = await service.create_order(
                data.customer_org_id, data.warehouse_id, line_inputs(data.lines), order_date=data.order_date
            )
            return order_out(await reloaded(db_session, SalesOrder, order.id, "lines"))

        return await idempotent_create(request, db_session, principal, data, make)

    @get("/{order_id:int}", **with_refusals(read_op(READ_SCOPE, "Get a sales order", "getSalesOrder")))
    async def get_order(self, db_session: AsyncSession, order_id: IdParam) -> SalesOrderOut:
        return order_out(await ORDERS.get(db_session, order_id))

    @post(
        "/{order_id:int}/deliveries",
        **with_refusals(create_op(WRITE_SCOPE, "Deliver a sales order (fully or partly)", "deliverSalesOrder", 404)),
    )
    async def deliver(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        order_id: IdParam,
        data: DeliveryCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[DeliveryOut]:
        """Ships out of the order's warehouse; refused (422) when stock is short. Send ``Idempotency-Key``."""

        async def make() -> DeliveryOut:
            await ORDERS.get(db_session, order_id)
            service = SalesService(db_session, await erp_context(db_session, principal))
            delivery = await service.deliver(order_id, line_quantities(data.lines), delivered_on=data.delivered_on)
            await db_session.refresh(delivery, ["lines"])
            return delivery_out(delivery)

        return await idempotent_create(request, db_session, principal, data, make)


class DeliveriesApi(Controller):
    path = "/erp/sales/deliveries"
    tags = ["erp.sales"]
    exception_handlers = REFUSAL_HANDLERS

    @get("/", **with_refusals(list_op(READ_SCOPE, "List deliveries", "listSalesDeliveries")))
    async def list_deliveries(
        self,
        db_session: AsyncSession,
        order_id: OptionalIdParam = None,
        sort: Sort = "-id",
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[DeliveryOut]:
        """Newest first by default (``sort``: ``id`` or ``-id``)."""
        rows, next_cursor = await DELIVERIES.page(
            db_session, sort=sort, cursor=cursor, limit=limit, filters={Delivery.order_id: order_id}
        )
        return Page(data=[delivery_out(d) for d in rows], next_cursor=next_cursor)

    @get("/{delivery_id:int}", **with_refusals(read_op(READ_SCOPE, "Get a delivery", "getSalesDelivery")))
    async def get_delivery(self, db_session: AsyncSession, delivery_id: IdParam) -> DeliveryOut:
        return delivery_out(await DELIVERIES.get(db_session, delivery_id))
