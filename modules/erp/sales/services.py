"""Sales rules: quote → sales order → delivery (stock out) → invoice (posted to accounting when it is on).

Orders, deliveries and invoices also go in batches (``create_orders``, ``deliver_many``, ``invoice_many``): each step
is a fixed number of set-based statements whatever the batch size, and the one-order methods are batches of one."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import lazyload
from sqlalchemy.orm.attributes import set_committed_value

from nexo.modules.directory.models import Organization
from nexo.modules.erp.accounting.models import Invoice
from nexo.modules.erp.accounting.services import InvoiceDraft, InvoiceService, LineInput
from nexo.modules.erp.context import ACCOUNTING, ErpContext
from nexo.modules.erp.inventory.models import Product, Warehouse
from nexo.modules.erp.inventory.services import MoveRequest, StockService, wanted_quantities
from nexo.modules.erp.sales import events
from nexo.modules.erp.sales.models import Delivery, DeliveryLine, Quote, QuoteLine, SalesOrder, SalesOrderLine
from nexo.platform import clock
from nexo.platform.db.base import utcnow
from nexo.platform.db.bulk import update_rows
from nexo.platform.money import ZERO, round_money, round_quantity
from nexo.platform.refusals import BusinessRuleError, InvalidStateError, ModuleOffError, UnknownReferenceError

T = TypeVar("T")


@dataclass(frozen=True)
class OrderLineInput:
    product_id: int
    quantity: Decimal
    unit_price: Decimal | None = None  # the product's sale price when omitted
    tax_rate: Decimal | None = None  # the product's tax rate when omitted
    description: str = ""


async def _priced_lines(session: AsyncSession, lines: Sequence[OrderLineInput]) -> list[dict[str, object]]:
    return (await _priced_line_sets(session, [lines]))[0]


async def _priced_line_sets(
    session: AsyncSession, line_sets: Sequence[Sequence[OrderLineInput]]
) -> list[list[dict[str, object]]]:
    """Rows for each set of lines, priced from the products (one query for all of them); refuse bad lines."""
    if not line_sets or any(not lines for lines in line_sets):
        raise BusinessRuleError("Add at least one line.", "lines")
    wanted = {line.product_id for lines in line_sets for line in lines}
    products = {p.id: p for p in await session.scalars(select(Product).where(Product.id.in_(wanted)))}
    now = utcnow()
    return [[_priced_row(products.get(line.product_id), line, now) for line in lines] for lines in line_sets]


def _priced_row(product: Product | None, line: OrderLineInput, now: datetime.datetime) -> dict[str, object]:
    if product is None:
        raise UnknownReferenceError(f"No product with id {line.product_id} in this workspace.", "product_id")
    if not product.active:
        raise BusinessRuleError(f"{product.sku} is no longer sold (inactive).", "product_id")
    if line.quantity <= 0:
        raise BusinessRuleError("Quantities must be greater than zero.", "quantity")
    price = product.sale_price if line.unit_price is None else line.unit_price
    if price < 0:
        raise BusinessRuleError("Prices cannot be negative.", "unit_price")
    return {
        "product_id": product.id,
        "description": (line.description or product.name)[:300],
        "quantity": round_quantity(line.quantity),
        "unit_price": price,
        "tax_rate": product.tax_rate if line.tax_rate is None else line.tax_rate,
        "created_at": now,
        "updated_at": now,
    }


async def _require_customer(session: AsyncSession, org_id: int) -> None:
    await _require_customers(session, {org_id})


async def _require_customers(session: AsyncSession, org_ids: set[int]) -> None:
    found = set(await session.scalars(select(Organization.id).where(Organization.id.in_(org_ids))))
    if found != org_ids:
        raise UnknownReferenceError("No such customer in the directory of this workspace.", "customer_org_id")


@dataclass(frozen=True)
class OrderInput:
    """One sales order to create with ``SalesService.create_orders``."""

    customer_org_id: int
    warehouse_id: int
    lines: Sequence[OrderLineInput]
    order_date: datetime.date | None = None
    quote_id: int | None = None


class SalesService:
    def __init__(self, session: AsyncSession, context: ErpContext) -> None:
        self.session = session
        self.context = context

    async def create_quote(
        self,
        customer_org_id: int,
        lines: Sequence[OrderLineInput],
        *,
        quote_date: datetime.date | None = None,
        valid_until: datetime.date | None = None,
        opportunity_id: int | None = None,
        contact_person_id: int | None = None,
        notes: str | None = None,
    ) -> Quote:
        await _require_customer(self.session, customer_org_id)
        rows = await _priced_lines(self.session, lines)
        quote_date = quote_date or clock.today()
        quote = Quote(
            customer_org_id=customer_org_id,
            contact_person_id=contact_person_id,
            status="draft",
            quote_date=quote_date,
            valid_until=valid_until or quote_date + datetime.timedelta(days=30),
            currency=self.context.currency,
            opportunity_id=opportunity_id,
            notes=notes,
        )
        self.session.add(quote)
        await self.session.flush()
        await self.session.execute(insert(QuoteLine), [{**row, "quote_id": quote.id} for row in rows])
        await self.session.refresh(quote, ["lines"])
        await events.quote_created(self.session, quote)
        return quote

    async def quote_from_opportunity(
        self,
        *,
        opportunity_id: int,
        organization_id: int,
        lines: Sequence[OrderLineInput],
        contact_person_id: int | None = None,
        title: str = "",
    ) -> Quote:
        """A won CRM opportunity becomes a quote in one step (the CRM passes the opportunity's fields)."""
        existing = await self.session.scalar(select(Quote).where(Quote.opportunity_id == opportunity_id))
        if existing is not None:
            return existing
        return await self.create_quote(
            organization_id,
            lines,
            opportunity_id=opportunity_id,
            contact_person_id=contact_person_id,
            notes=f"From opportunity: {title}" if title else None,
        )

    async def mark_quote(self, quote_id: int, status: str) -> Quote:
        quote = await self._get(Quote, quote_id, "quote")
        allowed = {"sent": {"draft"}, "declined": {"draft", "sent"}}
        if status not in allowed or quote.status not in allowed[status]:
            raise InvalidStateError(f"A {quote.status} quote cannot become {status}.", "status")
        quote.status = status
        await self.session.flush()
        return quote

    async def confirm_quote(
        self, quote_id: int, warehouse_id: int, *, order_date: datetime.date | None = None
    ) -> SalesOrder:
        """The customer accepted: the quote becomes a sales order (linked to it)."""
        quote = await self._get(Quote, quote_id, "quote", lock=True)
        if quote.status not in ("draft", "sent"):
            raise InvalidStateError(f"{quote.number} is {quote.status}: it cannot be confirmed.", "status")
        await self.session.refresh(quote, ["lines"])
        lines = [
            OrderLineInput(ln.product_id, ln.quantity, ln.unit_price, ln.tax_rate, ln.description) for ln in quote.lines
        ]
        order = await self.create_order(
            quote.customer_org_id, warehouse_id, lines, order_date=order_date, quote_id=quote.id
        )
        quote.status = "accepted"
        await self.session.flush()
        return order

    async def create_order(
        self,
        customer_org_id: int,
        warehouse_id: int,
        lines: Sequence[OrderLineInput],
        *,
        order_date: datetime.date | None = None,
        quote_id: int | None = None,
    ) -> SalesOrder:
        return (await self.create_orders([OrderInput(customer_org_id, warehouse_id, lines, order_date, quote_id)]))[0]

    async def create_orders(self, orders: Sequence[OrderInput]) -> list[SalesOrder]:
        """Create open sales orders (one insert for the orders, one for their lines); all checked first."""
        if not orders:
            return []
        await _require_customers(self.session, {o.customer_org_id for o in orders})
        warehouses = {o.warehouse_id for o in orders}
        if set(await self.session.scalars(select(Warehouse.id).where(Warehouse.id.in_(warehouses)))) != warehouses:
            raise UnknownReferenceError("No such warehouse in this workspace.", "warehouse_id")
        priced = await _priced_line_sets(self.session, [o.lines for o in orders])
        created = [
            SalesOrder(
                quote_id=o.quote_id,
                customer_org_id=o.customer_org_id,
                warehouse_id=o.warehouse_id,
                status="open",
                order_date=o.order_date or clock.today(),
                currency=self.context.currency,
            )
            for o in orders
        ]
        self.session.add_all(created)
        await self.session.flush()
        lines = await self.session.scalars(
            insert(SalesOrderLine)
            .returning(SalesOrderLine, sort_by_parameter_order=True)
            .execution_options(render_nulls=True),
            [{**row, "order_id": order.id} for order, rows in zip(created, priced, strict=True) for row in rows],
        )
        _attach_lines(created, list(lines))
        await events.orders_confirmed(self.session, created)
        return created

    async def deliver(
        self,
        order_id: int,
        quantities: Mapping[int, Decimal] | None = None,
        *,
        delivered_on: datetime.date | None = None,
    ) -> Delivery:
        """Ship ``quantities`` (order line id → quantity; everything outstanding when omitted) out of stock."""
        return (await self._deliver([(order_id, quantities)], delivered_on))[0]

    async def deliver_many(
        self, order_ids: Sequence[int], *, delivered_on: datetime.date | None = None
    ) -> list[Delivery]:
        """Ship everything outstanding on each order: one delivery per order, all stock moves in one batch."""
        return await self._deliver([(order_id, None) for order_id in order_ids], delivered_on)

    async def _deliver(
        self, requests: Sequence[tuple[int, Mapping[int, Decimal] | None]], delivered_on: datetime.date | None
    ) -> list[Delivery]:
        orders = await self._lock_orders([order_id for order_id, _ in requests])
        plans = []
        for order_id, quantities in requests:
            order = orders[order_id]
            if order.status in ("delivered", "cancelled"):
                raise InvalidStateError(f"{order.number} is {order.status}: nothing left to deliver.", "status")
            outstanding = wanted_quantities(
                order.lines, quantities, lambda ln: ln.quantity - ln.quantity_delivered, "deliver"
            )
            plans.append((order, outstanding))
        delivered_on = delivered_on or clock.today()
        deliveries = [Delivery(order_id=o.id, warehouse_id=o.warehouse_id, delivered_on=delivered_on) for o, _ in plans]
        self.session.add_all(deliveries)
        await self.session.flush()
        moves = await StockService(self.session).move(
            [
                MoveRequest(
                    "delivery",
                    line.product_id,
                    qty,
                    from_warehouse_id=order.warehouse_id,
                    reference=f"{delivery.number} / {order.number}",
                    source_type="delivery",
                    source_id=delivery.id,
                    moved_on=delivered_on,
                )
                for (order, wanted), delivery in zip(plans, deliveries, strict=True)
                for line, qty in wanted
            ]
        )
        shipped = [
            (delivery, line, qty)
            for (_, wanted), delivery in zip(plans, deliveries, strict=True)
            for line, qty in wanted
        ]
        now = utcnow()
        await self.session.execute(
            insert(cast("Table", DeliveryLine.__table__)),
            [
                {
                    "delivery_id": delivery.id,
                    "order_line_id": line.id,
                    "quantity": qty,
                    "stock_move_id": move.id,
                    "created_at": now,
                    "updated_at": now,
                }
                for (delivery, line, qty), move in zip(shipped, moves, strict=True)
            ],
        )
        await update_rows(
            self.session,
            [line for _, line, _ in shipped],
            {
                "quantity_delivered": [line.quantity_delivered + qty for _, line, qty in shipped],
                "delivered_cost": [
                    line.delivered_cost + qty * move.unit_cost
                    for (_, line, qty), move in zip(shipped, moves, strict=True)
                ],
            },
        )
        statuses = [
            "delivered" if all(ln.quantity_delivered >= ln.quantity for ln in order.lines) else "partially_delivered"
            for order, _ in plans
        ]
        await update_rows(self.session, [order for order, _ in plans], {"status": statuses})
        await events.orders_delivered(self.session, deliveries)
        return deliveries

    async def invoice(
        self, order_id: int, *, issue_date: datetime.date | None = None, due_date: datetime.date | None = None
    ) -> Invoice:
        """Invoice what was delivered and not yet invoiced; posts to the journal (needs erp.accounting)."""
        return (await self.invoice_many([order_id], issue_date=issue_date, due_date=due_date))[0]

    async def invoice_many(
        self,
        order_ids: Sequence[int],
        *,
        issue_date: datetime.date | None = None,
        due_date: datetime.date | None = None,
    ) -> list[Invoice]:
        """One posted invoice per order for what was delivered and not yet invoiced, all in one posting batch."""
        if not self.context.accounting_on:
            raise ModuleOffError("Switch on the Accounting module to invoice sales orders.", ACCOUNTING, "accounting")
        orders = await self._lock_orders(order_ids)
        drafts = []
        for order_id in order_ids:
            order = orders[order_id]
            inputs = self._invoice_lines(order.lines)
            if not inputs:
                raise InvalidStateError(
                    f"Everything delivered on {order.number} is already invoiced; deliver first.", "status"
                )
            drafts.append(
                InvoiceDraft(
                    "customer_invoice",
                    order.customer_org_id,
                    inputs,
                    issue_date=issue_date,
                    due_date=due_date,
                    reference=order.number,
                    sales_order_id=order.id,
                )
            )
        invoices = await InvoiceService(self.session, self.context).create_many(drafts)
        # Only once every document is written: a refused batch changes nothing.
        invoiced = [
            ln for order in orders.values() for ln in order.lines if ln.quantity_delivered > ln.quantity_invoiced
        ]
        await update_rows(self.session, invoiced, {"quantity_invoiced": [ln.quantity_delivered for ln in invoiced]})
        return invoices

    def _invoice_lines(self, lines: Sequence[SalesOrderLine]) -> list[LineInput]:
        """What is delivered and not yet invoiced on ``lines``, at its delivered cost."""
        inputs: list[LineInput] = []
        for line in lines:
            quantity = line.quantity_delivered - line.quantity_invoiced
            if quantity <= 0:
                continue
            cost = line.delivered_cost * quantity / line.quantity_delivered
            inputs.append(
                LineInput(
                    line.description,
                    quantity,
                    line.unit_price,
                    line.tax_rate,
                    line.product_id,
                    round_money(cost, self.context.currency),
                    line.id,
                )
            )
        return inputs

    async def _lock_orders(self, order_ids: Sequence[int]) -> dict[int, SalesOrder]:
        """Lock the orders and their lines (in id order) and read them fresh; refuse unknown or repeated ids."""
        wanted = set(order_ids)
        if len(wanted) != len(order_ids):
            raise BusinessRuleError("Each order can appear only once.", "order_id")
        orders = {
            order.id: order
            for order in await self.session.scalars(
                select(SalesOrder)
                .where(SalesOrder.id.in_(wanted))
                .order_by(SalesOrder.id)
                .with_for_update()
                .options(lazyload(SalesOrder.lines))
                .execution_options(populate_existing=True)
            )
        }
        if orders.keys() != wanted:
            raise UnknownReferenceError("No such order in this workspace.", "order_id")
        lines = await self.session.scalars(
            select(SalesOrderLine)
            .where(SalesOrderLine.order_id.in_(wanted))
            .order_by(SalesOrderLine.order_id, SalesOrderLine.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        _attach_lines(orders.values(), list(lines))
        return orders

    async def _get(self, model: type[T], key: int, label: str, *, lock: bool = False) -> T:
        row = await self.session.get(model, key, with_for_update=lock)
        if row is None:
            raise UnknownReferenceError(f"No such {label} in this workspace.", f"{label}_id")
        return row


def _attach_lines(orders: Iterable[SalesOrder], lines: Sequence[SalesOrderLine]) -> None:
    """Set each order's ``lines`` (loaded, in id order) from ``lines``, without another query."""
    by_order: dict[int, list[SalesOrderLine]] = defaultdict(list)
    for line in lines:
        by_order[line.order_id].append(line)
    for order in orders:
        set_committed_value(order, "lines", by_order[order.id])


__all__ = ["ZERO", "OrderInput", "OrderLineInput", "SalesService"]
