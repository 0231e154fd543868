"""Property-based: whatever documents are posted (one by one or in batches), every journal entry balances and each
kind of document is numbered 1..n; whatever stock moves are asked for, on-hand always equals the sum of the moves and
never goes negative while that is not allowed; whatever was sold when, the profitability report over any period
(monthly rollups plus the partial months' lines) equals the invoice lines and the ledger."""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.directory.models import Organization
from nexo.modules.erp.accounting.models import Invoice, JournalLine
from nexo.modules.erp.accounting.reports import Period, ledger_totals, profitability
from nexo.modules.erp.accounting.services import InvoiceService
from nexo.modules.erp.inventory.models import StockLevel
from nexo.modules.erp.inventory.services import (
    InventoryService,
    MoveRequest,
    StockService,
    WarehouseInput,
)
from nexo.modules.erp.purchasing.services import PurchaseLineInput, PurchasingService
from nexo.modules.erp.sales.services import OrderInput, OrderLineInput, SalesService
from nexo.platform.refusals import RefusalError
from nexo.tests.days import days
from nexo.tests.factories import Workspace, tenant_session
from nexo.tests.integration.erp.conftest import erp_context
from nexo.tests.integration.erp.helpers import SEEDING, moves_sum, seed_catalog

PROPERTY_SETTINGS = settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
quantities = st.decimals(min_value=Decimal("0.5"), max_value=Decimal(50), places=2)
prices = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(999), places=3)
tax_rates = st.sampled_from([Decimal(0), Decimal("0.055"), Decimal("0.1"), Decimal("0.2"), Decimal("0.21")])
sale = st.tuples(st.sampled_from(["widget", "gadget"]), quantities, prices, tax_rates)
documents = st.lists(
    st.one_of(
        st.tuples(st.just("sell"), st.lists(sale, min_size=1, max_size=5)),
        st.tuples(st.just("sell_batch"), st.lists(st.lists(sale, min_size=1, max_size=3), min_size=1, max_size=3)),
        st.tuples(st.just("buy"), st.lists(sale, min_size=1, max_size=5)),
        st.tuples(st.just("pay"), st.decimals(min_value=Decimal("0.01"), max_value=Decimal(1), places=2)),
        st.tuples(st.just("credit"), st.none()),
    ),
    min_size=1,
    max_size=6,
)


@PROPERTY_SETTINGS
@given(steps=documents)
async def test_every_journal_entry_balances(
    sessions: async_sessionmaker[AsyncSession], erp_a: Workspace, erp_b: Workspace, steps: list[tuple[str, object]]
) -> None:
    session = await tenant_session(sessions, erp_a)
    async with session:
        ctx = erp_context(erp_a)
        cat = await seed_catalog(session)
        products = {"widget": cat.widget, "gadget": cat.gadget}
        await StockService(session).set_allow_negative(True)
        sales, purchasing = SalesService(session, ctx), PurchasingService(session, ctx)
        invoices = InvoiceService(session, ctx)
        last: Invoice | None = None
        for kind, payload in steps:
            if kind == "sell":
                lines = [OrderLineInput(products[p], q, price, tax) for p, q, price, tax in payload]  # type: ignore[attr-defined]
                order = await sales.create_order(cat.customer, cat.warehouse, lines)
                await sales.deliver(order.id)
                last = await sales.invoice(order.id)
            elif kind == "sell_batch":
                orders = await sales.create_orders(
                    [
                        OrderInput(
                            cat.customer,
                            cat.warehouse,
                            [OrderLineInput(products[p], q, pr, t) for p, q, pr, t in lines],
                        )
                        for lines in payload  # type: ignore[attr-defined]
                    ]
                )
                await sales.deliver_many([order.id for order in orders])
                last = (await sales.invoice_many([order.id for order in orders]))[-1]
            elif kind == "buy":
                po_lines = [PurchaseLineInput(products[p], q, price, tax) for p, q, price, tax in payload]  # type: ignore[attr-defined]
                po = await purchasing.create_order(cat.supplier, cat.warehouse, po_lines)
                await purchasing.send(po.id)
                await purchasing.receive(po.id)
                last = await purchasing.bill(po.id)
            elif kind == "pay" and last is not None and last.status == "open":
                await invoices.pay(
                    last.id, max(Decimal("0.01"), (last.balance_due * payload).quantize(Decimal("0.01")))
                )  # type: ignore[operator]
            elif kind == "credit" and last is not None and last.status in ("open", "paid"):
                await invoices.credit(last.id)
                last = None
        unbalanced = await session.scalar(
            select(func.count()).select_from(
                select(JournalLine.entry_id)
                .group_by(JournalLine.entry_id)
                .having(func.sum(JournalLine.debit) != func.sum(JournalLine.credit))
                .subquery()
            )
        )
        assert unbalanced == 0
        numbered = await session.execute(
            select(Invoice.kind, func.array_agg(Invoice.sequence_number)).group_by(Invoice.kind)
        )
        for kind, numbers in numbered:
            assert sorted(numbers) == list(range(1, len(numbers) + 1)), kind
        await session.execute(text("SET CONSTRAINTS ALL IMMEDIATE"))  # the database's own check, now
        await session.rollback()
    other = await tenant_session(sessions, erp_b)
    async with other:
        assert await other.scalar(select(func.count()).select_from(JournalLine)) == 0


moves = st.lists(
    st.tuples(
        st.sampled_from(["receipt", "delivery", "transfer", "adjustment_in", "adjustment_out"]),
        st.sampled_from(["widget", "gadget"]),
        st.integers(min_value=0, max_value=1),
        quantities,
        prices,
    ),
    min_size=1,
    max_size=15,
)


@PROPERTY_SETTINGS
@given(requested=moves)
async def test_on_hand_equals_sum_of_moves(
    sessions: async_sessionmaker[AsyncSession],
    erp_a: Workspace,
    requested: list[tuple[str, str, int, Decimal, Decimal]],
) -> None:
    session = await tenant_session(sessions, erp_a)
    async with session:
        cat = await seed_catalog(session)
        second = await InventoryService(session, SEEDING).create_warehouse(WarehouseInput(code="EAST", name="East"))
        warehouses = [cat.warehouse, second.id]
        products = {"widget": cat.widget, "gadget": cat.gadget}
        stock = StockService(session)
        for kind, product, where, quantity, cost in requested:
            here, there = warehouses[where], warehouses[1 - where]
            request = {
                "receipt": MoveRequest("receipt", products[product], quantity, to_warehouse_id=here, unit_cost=cost),
                "delivery": MoveRequest("delivery", products[product], quantity, from_warehouse_id=here),
                "transfer": MoveRequest(
                    "transfer", products[product], quantity, from_warehouse_id=here, to_warehouse_id=there
                ),
                "adjustment_in": MoveRequest("adjustment", products[product], quantity, to_warehouse_id=here),
                "adjustment_out": MoveRequest("adjustment", products[product], quantity, from_warehouse_id=here),
            }[kind]
            try:
                await stock.move([request])
            except RefusalError as error:
                assert "Not enough stock" in error.message
        for product_id in products.values():
            for warehouse_id in warehouses:
                level = await session.scalar(
                    select(StockLevel.quantity).where(
                        StockLevel.product_id == product_id, StockLevel.warehouse_id == warehouse_id
                    )
                )
                assert (level or 0) == await moves_sum(session, product_id, warehouse_id)
                assert (level or 0) >= 0
        await session.rollback()


BASE_DAY = days(-304)
days = st.integers(min_value=0, max_value=130)  # 20 January to 30 May: whole and partial months
dated_sales = st.lists(
    st.tuples(days, st.lists(sale, min_size=1, max_size=3), st.booleans(), st.booleans()),
    min_size=1,
    max_size=6,
)


@PROPERTY_SETTINGS
@given(sold=dated_sales, bounds=st.tuples(days, days))
async def test_profitability_equals_lines_and_ledger(
    sessions: async_sessionmaker[AsyncSession],
    erp_a: Workspace,
    sold: list[tuple[int, list[tuple[str, Decimal, Decimal, Decimal]], bool, bool]],
    bounds: tuple[int, int],
) -> None:
    session = await tenant_session(sessions, erp_a)
    async with session:
        ctx = erp_context(erp_a)
        cat = await seed_catalog(session)
        second = Organization(name="Second customer")
        session.add(second)
        await session.flush()
        products = {"widget": cat.widget, "gadget": cat.gadget}
        await StockService(session).set_allow_negative(True)
        sales, invoices = SalesService(session, ctx), InvoiceService(session, ctx)
        for offset, lines, other_customer, credited in sold:
            day = BASE_DAY + datetime.timedelta(days=offset)
            customer = second.id if other_customer else cat.customer
            order = await sales.create_order(
                customer, cat.warehouse, [OrderLineInput(products[p], q, price, tax) for p, q, price, tax in lines]
            )
            await sales.deliver(order.id, delivered_on=day)
            invoice = await sales.invoice(order.id, issue_date=day)
            if credited:
                await invoices.credit(invoice.id, issue_date=day + datetime.timedelta(days=offset % 40))
        start, end = (BASE_DAY + datetime.timedelta(days=d) for d in sorted(bounds))
        period = Period(start, end)
        ledger = await ledger_totals(session, period)
        for group_by in ("product", "customer", "month"):
            rows = await profitability(session, period, group_by)  # type: ignore[arg-type]
            assert {row.key: (row.revenue, row.cost) for row in rows} == await _from_lines(session, period, group_by)
            assert sum((row.revenue for row in rows), Decimal(0)) == ledger.revenue
            assert sum((row.cost for row in rows), Decimal(0)) == ledger.cost_of_goods_sold
        await session.rollback()


async def _from_lines(session: AsyncSession, period: Period, group_by: str) -> dict[str, tuple[Decimal, Decimal]]:
    """The report's figures computed straight from the posted invoice lines, without the rollups."""
    key = {
        "product": "l.product_id::text",
        "customer": "i.partner_org_id::text",
        "month": "to_char(i.issue_date, 'YYYY-MM')",
    }[group_by]
    rows = await session.execute(
        text(
            f"""SELECT {key}, sum(l.net_amount * s.sign), sum(l.cost_amount * s.sign)
                FROM erp_invoice_lines l JOIN erp_invoices i ON i.id = l.invoice_id
                CROSS JOIN LATERAL (SELECT CASE WHEN i.kind = 'customer_credit_note' THEN -1 ELSE 1 END AS sign) s
                WHERE i.kind LIKE 'customer%' AND i.status IN ('open', 'paid')
                  AND i.issue_date BETWEEN :start AND :end
                GROUP BY 1"""  # noqa: S608 (the grouping expression comes from a fixed map in this test)
        ),
        {"start": period.start, "end": period.end},
    )
    return {str(k): (Decimal(r), Decimal(c)) for k, r, c in rows}
