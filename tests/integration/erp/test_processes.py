"""The three back-office processes end to end through the services, in two tenants that never see each other:
quote → sales order → delivery → invoice → payment; purchase order → receipt → bill → payment; work order."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.erp.accounting.models import Invoice, JournalEntry, Payment
from nexo.modules.erp.accounting.services import InvoiceService, LineInput
from nexo.modules.erp.inventory.models import Product, StockMove
from nexo.modules.erp.inventory.services import (
    Adjustment,
    InventoryService,
    MoveRequest,
    ProductInput,
    StockService,
    on_hand,
)
from nexo.modules.erp.manufacturing.services import ManufacturingService
from nexo.modules.erp.purchasing.models import PurchaseOrder, Receipt
from nexo.modules.erp.purchasing.services import PurchaseLineInput, PurchasingService
from nexo.modules.erp.sales.models import Delivery, SalesOrder
from nexo.modules.erp.sales.services import OrderInput, OrderLineInput, SalesService
from nexo.platform.refusals import RefusalError
from nexo.tests.days import days
from nexo.tests.factories import Workspace, tenant_session
from nexo.tests.integration.erp.conftest import erp_context
from nexo.tests.integration.erp.helpers import SEEDING, account_balance, moves_sum, seed_catalog

D = Decimal
DAY = days(-18)


async def test_purchase_to_payment(session_a: AsyncSession, session_b: AsyncSession, erp_a: Workspace) -> None:
    ctx = erp_context(erp_a)
    cat = await seed_catalog(session_a)
    await seed_catalog(session_b, prefix="B-")  # same ids in tenant B
    purchasing = PurchasingService(session_a, ctx)
    order = await purchasing.create_order(
        cat.supplier,
        cat.warehouse,
        [PurchaseLineInput(cat.widget, D(100), D("4.00")), PurchaseLineInput(cat.gadget, D(10), D("7.50"))],
        order_date=DAY,
    )
    with pytest.raises(RefusalError, match="send it"):
        await purchasing.receive(order.id)
    await purchasing.send(order.id)
    lines = {ln.product_id: ln.id for ln in (await session_a.get(PurchaseOrder, order.id)).lines}  # type: ignore[union-attr]
    first = await purchasing.receive(order.id, {lines[cat.widget]: D(60)}, received_on=DAY)
    assert (await session_a.get(PurchaseOrder, order.id)).status == "partially_received"  # type: ignore[union-attr]
    second = await purchasing.receive(order.id, received_on=DAY)
    assert (await session_a.get(PurchaseOrder, order.id)).status == "received"  # type: ignore[union-attr]
    for receipt in (first, second):
        assert (await session_a.get(Receipt, receipt.id)).order_id == order.id  # type: ignore[union-attr]
    assert await on_hand(session_a, cat.widget, cat.warehouse) == D(100)
    assert await account_balance(session_a, "inventory") == D("475.00")  # 400 + 75
    assert await account_balance(session_a, "grni") == D("-475.00")

    bill = await purchasing.bill(order.id, issue_date=DAY)
    assert bill.purchase_order_id == order.id and bill.kind == "supplier_bill"
    assert bill.subtotal == D("475.00") and bill.tax_total == D("87.50") and bill.total == D("562.50")
    assert (await session_a.get(PurchaseOrder, order.id)).status == "closed"  # type: ignore[union-attr]
    assert await account_balance(session_a, "grni") == 0
    assert await account_balance(session_a, "payable") == D("-562.50")

    invoices = InvoiceService(session_a, ctx)
    await invoices.pay(bill.id, D("500.00"), paid_on=DAY)
    assert (await session_a.get(Invoice, bill.id)).status == "open"  # type: ignore[union-attr]
    with pytest.raises(RefusalError, match=r"At most 62\.50"):
        await invoices.pay(bill.id, D("100"))
    await invoices.pay(bill.id, D("62.50"), paid_on=DAY)
    assert (await session_a.get(Invoice, bill.id)).status == "paid"  # type: ignore[union-attr]
    assert await account_balance(session_a, "payable") == 0
    assert await account_balance(session_a, "bank") == D("-562.50")
    await session_a.commit()

    assert await session_b.scalar(select(func.count()).select_from(StockMove)) == 0
    assert await session_b.scalar(select(func.count()).select_from(Invoice)) == 0
    assert await account_balance(session_b, "inventory") == 0


async def test_quote_to_payment(session_a: AsyncSession, session_b: AsyncSession, erp_a: Workspace) -> None:
    ctx = erp_context(erp_a)
    cat = await seed_catalog(session_a)
    await seed_catalog(session_b, prefix="B-")
    stock = StockService(session_a)
    await stock.move([MoveRequest("receipt", cat.widget, D(10), to_warehouse_id=cat.warehouse, unit_cost=D(4))])
    await stock.move([MoveRequest("receipt", cat.widget, D(10), to_warehouse_id=cat.warehouse, unit_cost=D(6))])
    assert (await session_a.get(Product, cat.widget)).average_cost == D(5)  # type: ignore[union-attr]

    sales = SalesService(session_a, ctx)
    quote = await sales.create_quote(cat.customer, [OrderLineInput(cat.widget, D(12))], quote_date=DAY)
    assert quote.lines[0].unit_price == D(10) and quote.lines[0].tax_rate == D("0.2")  # product defaults
    order = await sales.confirm_quote(quote.id, cat.warehouse, order_date=DAY)
    assert order.quote_id == quote.id and quote.status == "accepted"
    with pytest.raises(RefusalError, match="deliver first"):
        await sales.invoice(order.id)

    line_id = (await session_a.get(SalesOrder, order.id)).lines[0].id  # type: ignore[union-attr]
    with pytest.raises(RefusalError, match="between 0 and 12"):
        await sales.deliver(order.id, {line_id: D(13)})
    delivery = await sales.deliver(order.id, {line_id: D(5)}, delivered_on=DAY)
    assert (await session_a.get(Delivery, delivery.id)).order_id == order.id  # type: ignore[union-attr]
    assert await on_hand(session_a, cat.widget, cat.warehouse) == D(15)
    move = await session_a.scalar(select(StockMove).where(StockMove.source_type == "delivery"))
    assert move is not None and move.source_id == delivery.id and move.unit_cost == D(5)

    invoice = await sales.invoice(order.id, issue_date=DAY)
    assert invoice.sales_order_id == order.id
    assert (invoice.subtotal, invoice.tax_total, invoice.total) == (D(50), D(10), D(60))
    assert await account_balance(session_a, "receivable") == D(60)
    assert await account_balance(session_a, "revenue") == D(-50)
    assert await account_balance(session_a, "vat_collected") == D(-10)
    assert await account_balance(session_a, "cogs") == D(25)  # 5 units at average cost 5

    await sales.deliver(order.id, delivered_on=DAY)  # the rest
    assert (await session_a.get(SalesOrder, order.id)).status == "delivered"  # type: ignore[union-attr]
    second = await sales.invoice(order.id, issue_date=DAY)
    assert second.total == D(84)  # 7 x 10 + 20 % tax

    invoices = InvoiceService(session_a, ctx)
    payment = await invoices.pay(invoice.id, D(20), paid_on=DAY)
    assert (await session_a.get(Payment, payment.id)).invoice_id == invoice.id  # type: ignore[union-attr]
    await invoices.pay(invoice.id, D(40), paid_on=DAY)
    assert (await session_a.get(Invoice, invoice.id)).status == "paid"  # type: ignore[union-attr]
    note = await invoices.credit(second.id)
    assert note.kind == "customer_credit_note" and note.credited_invoice_id == second.id and note.total == D(84)
    assert (await session_a.get(Invoice, second.id)).status == "paid"  # type: ignore[union-attr]  # settled
    assert await account_balance(session_a, "receivable") == 0
    assert await account_balance(session_a, "bank") == D(60)
    assert await account_balance(session_a, "cogs") == D(25)  # credit note with goods kept: cost reversed
    await session_a.commit()
    entries = await session_a.scalar(select(func.count()).select_from(JournalEntry))
    assert entries == 5  # 2 invoices, 2 payments, 1 credit note (stock received outside purchasing posts nothing)
    assert await session_b.scalar(select(func.count()).select_from(JournalEntry)) == 0


async def test_sales_without_accounting_cannot_invoice(session_a: AsyncSession, erp_a: Workspace) -> None:
    ctx = erp_context(erp_a, ("erp.inventory", "erp.sales"))
    cat = await seed_catalog(session_a)
    await StockService(session_a).move([MoveRequest("receipt", cat.gadget, D(3), to_warehouse_id=cat.warehouse)])
    sales = SalesService(session_a, ctx)
    order = await sales.create_order(cat.customer, cat.warehouse, [OrderLineInput(cat.gadget, D(2))])
    await sales.deliver(order.id)
    with pytest.raises(RefusalError, match="Switch on the Accounting module"):
        await sales.invoice(order.id)


async def test_stock_cannot_go_negative_unless_allowed(session_a: AsyncSession, session_b: AsyncSession) -> None:
    cat = await seed_catalog(session_a)
    cat_b = await seed_catalog(session_b, prefix="B-")
    stock = StockService(session_a)
    await stock.move([MoveRequest("receipt", cat.widget, D(2), to_warehouse_id=cat.warehouse, unit_cost=D(1))])
    with pytest.raises(RefusalError, match="Not enough stock"):
        await stock.move(
            [
                MoveRequest("delivery", cat.gadget, D(1), from_warehouse_id=cat.warehouse),  # fine? no: none on hand
                MoveRequest("delivery", cat.widget, D(3), from_warehouse_id=cat.warehouse),
            ]
        )
    assert await session_a.scalar(select(func.count()).select_from(StockMove)) == 1  # nothing half-written
    await StockService(session_b).set_allow_negative(True)
    await StockService(session_b).move([MoveRequest("delivery", cat_b.widget, D(3), from_warehouse_id=cat_b.warehouse)])
    assert await on_hand(session_b, cat_b.widget, cat_b.warehouse) == D(-3)
    assert not await stock.allow_negative()  # tenant A's setting is its own


async def test_work_order_consumes_components_and_produces_at_rolled_up_cost(
    session_a: AsyncSession, session_b: AsyncSession, erp_a: Workspace
) -> None:
    cat = await seed_catalog(session_a)
    await seed_catalog(session_b, prefix="B-")
    kit = await InventoryService(session_a, SEEDING).create_product(
        ProductInput(sku="KIT-1", name="Kit", sale_price=D(60))
    )
    stock = StockService(session_a)
    await stock.move(
        [
            MoveRequest("receipt", cat.widget, D(20), to_warehouse_id=cat.warehouse, unit_cost=D(4)),
            MoveRequest("receipt", cat.gadget, D(10), to_warehouse_id=cat.warehouse, unit_cost=D("7.5")),
        ]
    )
    manufacturing = ManufacturingService(session_a, erp_context(erp_a))
    bom = await manufacturing.create_bom(kit.id, [(cat.widget, D(2)), (cat.gadget, D(1))])
    work_order = await manufacturing.create_work_order(bom.id, D(4), cat.warehouse)
    done = await manufacturing.complete(work_order.id, completed_on=DAY)
    assert done.status == "done" and done.unit_cost == D("15.5") and done.total_cost == D(62)
    assert await on_hand(session_a, cat.widget, cat.warehouse) == D(12)
    assert await on_hand(session_a, cat.gadget, cat.warehouse) == D(6)
    assert await on_hand(session_a, kit.id, cat.warehouse) == D(4)
    moves = (await session_a.scalars(select(StockMove).where(StockMove.source_type == "work_order"))).all()
    assert {m.kind for m in moves} == {"consumption", "production"}
    assert all(m.source_id == work_order.id for m in moves)
    assert (await session_a.get(Product, kit.id)).average_cost == D("15.5")  # type: ignore[union-attr]
    with pytest.raises(RefusalError, match="already done"):
        await manufacturing.complete(work_order.id)
    too_big = await manufacturing.create_work_order(bom.id, D(10), cat.warehouse)
    with pytest.raises(RefusalError, match="Not enough stock"):
        await manufacturing.complete(too_big.id)
    for product in (cat.widget, cat.gadget, kit.id):
        assert await moves_sum(session_a, product, cat.warehouse) == await on_hand(session_a, product, cat.warehouse)
    assert await session_b.scalar(select(func.count()).select_from(StockMove)) == 0


async def test_adjustment_posts_value_difference(session_a: AsyncSession, erp_a: Workspace) -> None:
    ctx = erp_context(erp_a)
    cat = await seed_catalog(session_a)
    await InventoryService(session_a, ctx).adjust_stock(Adjustment(cat.widget, cat.warehouse, D(10), unit_cost=D(3)))
    await InventoryService(session_a, ctx).adjust_stock(Adjustment(cat.widget, cat.warehouse, D(8)))
    assert await on_hand(session_a, cat.widget, cat.warehouse) == D(8)
    assert await account_balance(session_a, "inventory") == D(24)
    assert await account_balance(session_a, "stock_adjustment") == D(-24)
    await session_a.commit()


async def test_concurrent_posting_numbers_without_gaps_or_duplicates(
    sessions: async_sessionmaker[AsyncSession], erp_a: Workspace, erp_b: Workspace
) -> None:
    """Invoices posted at once from many transactions (some rolled back, some in batches) are numbered 1..n."""
    ctx = erp_context(erp_a)
    seeding = await tenant_session(sessions, erp_a)
    async with seeding:
        cat = await seed_catalog(seeding)
        own = [
            (
                await InventoryService(seeding, SEEDING).create_product(
                    ProductInput(sku=f"C-{n}", name=f"Concurrent {n}", sale_price=D(5))
                )
            ).id
            for n in range(8)
        ]  # one product per task, so the tasks meet only at the number counter
        await StockService(seeding).move(
            [MoveRequest("receipt", p, D(100), to_warehouse_id=cat.warehouse, unit_cost=D(2)) for p in own]
        )
        await seeding.commit()

    async def post(task: int) -> int:
        session = await tenant_session(sessions, erp_a)
        async with session:
            sales = SalesService(session, ctx)
            count = 3 if task % 2 else 1
            orders = await sales.create_orders(
                [OrderInput(cat.customer, cat.warehouse, [OrderLineInput(own[task], D(1))])] * count
            )
            ids = [order.id for order in orders]
            await sales.deliver_many(ids)
            invoices = await sales.invoice_many(ids) if count > 1 else [await sales.invoice(ids[0])]
            assert all(invoice.sequence_number is not None for invoice in invoices)
            if task % 4 == 3:  # numbered, then rolled back: the numbers go back to the counter
                await session.rollback()
                return 0
            await session.commit()
            return count

    committed = sum(await asyncio.gather(*(post(task) for task in range(8))))
    check = await tenant_session(sessions, erp_a)
    async with check:
        numbers = list(await check.scalars(select(Invoice.sequence_number).where(Invoice.kind == "customer_invoice")))
        assert committed == 10  # tasks 0, 2, 4, 6 post one each; 1 and 5 three each; 3 and 7 roll back
        assert sorted(numbers) == list(range(1, committed + 1))  # type: ignore[type-var]
        names = set(await check.scalars(select(Invoice).where(Invoice.kind == "customer_invoice")))
        assert {invoice.number for invoice in names} == {f"INV-{n:06d}" for n in range(1, committed + 1)}
        assert await account_balance(check, "receivable") > 0
    other = await tenant_session(sessions, erp_b)
    async with other:
        cat_b = await seed_catalog(other, prefix="B-")
        await StockService(other).set_allow_negative(True)
        sales_b = SalesService(other, erp_context(erp_b))
        order = await sales_b.create_order(cat_b.customer, cat_b.warehouse, [OrderLineInput(cat_b.widget, D(1))])
        await sales_b.deliver(order.id)
        assert (await sales_b.invoice(order.id)).number == "INV-000001"  # each workspace counts on its own
        await other.rollback()


async def test_batch_posting_equals_one_by_one(session_a: AsyncSession, erp_a: Workspace) -> None:
    """``create_orders``/``deliver_many``/``invoice_many`` write what the one-order methods write, and a refused
    batch writes nothing."""
    ctx = erp_context(erp_a)
    cat = await seed_catalog(session_a)
    await StockService(session_a).move(
        [
            MoveRequest("receipt", cat.widget, D(50), to_warehouse_id=cat.warehouse, unit_cost=D(4)),
            MoveRequest("receipt", cat.gadget, D(50), to_warehouse_id=cat.warehouse, unit_cost=D(7)),
        ]
    )
    sales = SalesService(session_a, ctx)
    lines = [OrderLineInput(cat.widget, D(3)), OrderLineInput(cat.gadget, D(2), unit_price=D("19.99"))]
    single = await sales.create_order(cat.customer, cat.warehouse, lines, order_date=DAY)
    await sales.deliver(single.id, delivered_on=DAY)
    one = await sales.invoice(single.id, issue_date=DAY)
    batch = await sales.create_orders([OrderInput(cat.customer, cat.warehouse, lines, DAY)] * 3)
    assert all(len(order.lines) == 2 for order in batch)
    await sales.deliver_many([order.id for order in batch], delivered_on=DAY)
    many = await sales.invoice_many([order.id for order in batch], issue_date=DAY)
    for invoice in many:
        assert (invoice.subtotal, invoice.tax_total, invoice.total, invoice.status) == (
            one.subtotal,
            one.tax_total,
            one.total,
            one.status,
        )
        assert [(ln.product_id, ln.net_amount, ln.cost_amount) for ln in invoice.lines] == [
            (ln.product_id, ln.net_amount, ln.cost_amount) for ln in one.lines
        ]
    assert [invoice.number for invoice in [one, *many]] == [f"INV-{n:06d}" for n in range(1, 5)]
    assert await account_balance(session_a, "receivable") == 4 * one.total
    assert await account_balance(session_a, "cogs") == 4 * D(26)  # 3 x 4 + 2 x 7 per order
    assert await on_hand(session_a, cat.widget, cat.warehouse) == D(38)
    assert all(o.status == "delivered" for o in batch)

    again = await sales.create_orders([OrderInput(cat.customer, cat.warehouse, lines)] * 2)
    entries = await session_a.scalar(select(func.count()).select_from(JournalEntry))
    with pytest.raises(RefusalError, match="deliver first"):
        await sales.invoice_many([again[0].id, again[1].id])  # nothing delivered on either
    with pytest.raises(RefusalError, match="only once"):
        await sales.deliver_many([again[0].id, again[0].id])
    big = await sales.create_orders([OrderInput(cat.customer, cat.warehouse, [OrderLineInput(cat.widget, D(30))])] * 2)
    moves = await session_a.scalar(select(func.count()).select_from(StockMove))
    with pytest.raises(RefusalError, match="Not enough stock"):
        async with session_a.begin_nested():  # as the pages call it: a refusal undoes only this step
            await sales.deliver_many([order.id for order in big])  # 60 wanted, 38 on hand
    assert await session_a.scalar(select(func.count()).select_from(StockMove)) == moves
    assert await session_a.scalar(select(func.count()).select_from(JournalEntry)) == entries
    assert await on_hand(session_a, cat.widget, cat.warehouse) == D(38)


async def test_refused_posting_takes_no_number(session_a: AsyncSession, erp_a: Workspace) -> None:
    """A document the journal refuses is not numbered, so a caller that carries on leaves no gap."""
    invoices = InvoiceService(session_a, erp_context(erp_a))
    cat = await seed_catalog(session_a)
    first = await invoices.create("customer_invoice", cat.customer, [LineInput("Consulting", D(1), D(100))])
    with pytest.raises(RefusalError, match="at least one amount"):
        await invoices.create("customer_invoice", cat.customer, [LineInput("Free sample", D(1), D(0))])
    second = await invoices.create("customer_invoice", cat.customer, [LineInput("Support", D(2), D(50))])
    assert (first.number, second.number) == ("INV-000001", "INV-000002")
    drafts = list(await session_a.scalars(select(Invoice).where(Invoice.status == "draft")))
    assert [draft.sequence_number for draft in drafts] == [None]  # the refused one stays an unnumbered draft
    assert drafts[0].number.startswith("INV-DRAFT-")
