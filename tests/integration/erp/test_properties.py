"""Property-based: whatever documents are posted, every journal entry balances; whatever stock moves are asked for,
on-hand always equals the sum of the moves and never goes negative while that is not allowed."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.erp.accounting.models import Invoice, JournalLine
from nexo.modules.erp.accounting.services import InvoiceService
from nexo.modules.erp.errors import ErpError
from nexo.modules.erp.inventory.models import StockLevel
from nexo.modules.erp.inventory.services import MoveRequest, StockService, create_warehouse
from nexo.modules.erp.purchasing.services import PurchaseLineInput, PurchasingService
from nexo.modules.erp.sales.services import OrderLineInput, SalesService
from nexo.tests.factories import Workspace, tenant_session
from nexo.tests.integration.erp.conftest import erp_context
from nexo.tests.integration.erp.helpers import moves_sum, seed_catalog

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
        second = await create_warehouse(session, code="EAST", name="East")
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
            except ErpError as error:
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
