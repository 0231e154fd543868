"""ERP pages through the real app: forms with errors next to the field, an order taken to a paid invoice, reports
equal to the ledger with CSV export, isolation between workspaces, and a switched-off module hiding its documents."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.erp.accounting.models import Invoice
from nexo.modules.erp.accounting.reports import Period, ledger_totals
from nexo.modules.erp.sales.models import SalesOrder
from nexo.platform.csvkit import read_csv
from nexo.tenants.models import TenantModule
from nexo.tests.days import days, this_year
from nexo.tests.factories import WebClient, Workspace, tenant_session
from nexo.tests.integration.erp.helpers import SEEDING, seed_catalog, seed_stocked_catalog

D = Decimal


async def test_product_form_shows_errors_next_to_fields(web: WebClient, erp_a: Workspace, erp_b: Workspace) -> None:
    await web.login(erp_a.owner.email)
    base = f"/w/{erp_a.slug}/erp/inventory/products"
    bad = await web.post(f"{base}/new", {"sku": "", "name": "Thing", "cost": "abc", "tax_rate": "150"})
    assert bad.status_code == 400
    assert 'id="sku-error"' in bad.text and 'id="cost-error"' in bad.text and 'id="tax_rate-error"' in bad.text
    ok = await web.post(
        f"{base}/new", {"sku": "T-1", "name": "Thing", "cost": "2.5", "sale_price": "5", "tax_rate": "20"}
    )
    assert ok.status_code == 303
    dup = await web.post(f"{base}/new", {"sku": "T-1", "name": "Other"}, headers={"hx-request": "true"})
    assert dup.status_code == 400 and "already used" in dup.text and "<html" not in dup.text  # the form fragment
    listing = await web.get(base)
    assert "T-1" in listing.text
    foreign = await web.get(f"/w/{erp_b.slug}/erp/inventory/products")
    assert foreign.status_code == 404


async def test_order_to_paid_invoice_through_pages(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], erp_a: Workspace, erp_b: Workspace
) -> None:
    ids = await seed_stocked_catalog(sessions, erp_a)
    await seed_stocked_catalog(sessions, erp_b, "B-")
    await web.login(erp_a.owner.email)
    sales = f"/w/{erp_a.slug}/erp/sales"
    missing = await web.post(f"{sales}/orders/new", {"customer": str(ids.customer), "warehouse": str(ids.warehouse)})
    assert missing.status_code == 400 and 'id="product_0-error"' in missing.text
    created = await web.post(
        f"{sales}/orders/new",
        {
            "customer": str(ids.customer),
            "warehouse": str(ids.warehouse),
            "product_0": str(ids.widget),
            "quantity_0": "3",
        },
    )
    assert created.status_code == 303, created.text
    order_url = created.headers["location"]
    early = await web.post(f"{order_url}/invoice")
    assert early.status_code == 400 and "deliver first" in early.text
    delivered = await web.post(f"{order_url}/deliver", headers={"hx-request": "true"})
    assert delivered.status_code == 200 and "delivered" in delivered.text
    invoiced = await web.post(f"{order_url}/invoice")
    assert invoiced.status_code == 303
    invoice_url = invoiced.headers["location"]
    page = await web.get(invoice_url)
    assert "Total €36.00" in page.text  # 3 x 10 + 20 % tax, in en-US formats
    too_much = await web.post(f"{invoice_url}/payments", {"amount": "100"})
    assert too_much.status_code == 400 and 'id="amount-error"' in too_much.text and "At most 36.00" in too_much.text
    paid = await web.post(f"{invoice_url}/payments", {"amount": "36", "paid_on": str(days(0))})
    assert paid.status_code == 200 and "paid" in paid.text

    session = await tenant_session(sessions, erp_a)
    async with session:
        invoice = await session.scalar(select(Invoice))
        assert invoice is not None and invoice.status == "paid" and invoice.sales_order_id is not None
        assert (await session.get(SalesOrder, invoice.sales_order_id)) is not None
    session_b = await tenant_session(sessions, erp_b)
    async with session_b:
        assert await session_b.scalar(select(Invoice)) is None
    assert (await web.get(f"/w/{erp_b.slug}/erp/accounting/invoices/1")).status_code == 404


async def test_reports_match_ledger_and_export_csv(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], erp_a: Workspace, erp_b: Workspace
) -> None:
    from nexo.modules.erp.accounting.services import InvoiceService
    from nexo.modules.erp.sales.services import OrderLineInput, SalesService
    from nexo.tests.integration.erp.conftest import erp_context

    ids = await seed_stocked_catalog(sessions, erp_a)
    await seed_stocked_catalog(sessions, erp_b, "B-")
    session = await tenant_session(sessions, erp_a)
    async with session:
        sales = SalesService(session, erp_context(erp_a))
        for month, quantity in ((9, D(2)), (10, D(5)), (11, D("1.5"))):
            day = this_year(month, 10)
            order = await sales.create_order(ids.customer, ids.warehouse, [OrderLineInput(ids.widget, quantity)])
            await sales.deliver(order.id, delivered_on=day)
            invoice = await sales.invoice(order.id, issue_date=day, due_date=day)
        await InvoiceService(session, erp_context(erp_a)).credit(invoice.id, issue_date=day)  # November credited
        await session.commit()
        period = Period(this_year(1, 1), days(8))
        ledger = await ledger_totals(session, period)
    assert ledger.revenue == D(70) and ledger.cost_of_goods_sold == D(28)

    await web.login(erp_a.owner.email)
    page = await web.get(f"/w/{erp_a.slug}/erp/reports?start={this_year(1, 1)}&end={days(8)}&group_by=month")
    assert page.status_code == 200
    assert 'id="report-revenue">70.00<' in page.text and 'id="ledger-revenue">70.00<' in page.text
    assert 'id="report-cost">28.00<' in page.text and 'id="ledger-cost">28.00<' in page.text
    assert 'src="/static/app/erp.js"' in page.text and "<script>" not in page.text
    data = (
        await web.get(f"/w/{erp_a.slug}/erp/reports/data.json?chart=sales&start={this_year(1, 1)}&end={days(8)}")
    ).json()
    assert data["labels"] == ["2026-09", "2026-10", "2026-11"] and data["datasets"][0]["data"] == [20.0, 50.0, 0.0]
    exported = await web.get(
        f"/w/{erp_a.slug}/erp/reports/profitability.csv?start={this_year(1, 1)}&end={days(8)}&group_by=customer"
    )
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert sum(D(r["revenue"]) for r in rows) == ledger.revenue and len(rows) == 1
    await _rename_customer(sessions, erp_a, ids.customer, '=HYPERLINK("http://evil.example","x")')
    spanish = await web.get(
        f"/w/{erp_a.slug}/erp/reports/profitability.csv?start={this_year(1, 1)}&end={days(8)}&group_by=customer"
        "&format=excel-es"
    )
    assert spanish.content.startswith(b"\xef\xbb\xbf") and b"'=HYPERLINK(" in spanish.content  # formula neutralised
    parsed = read_csv(spanish.content, max_bytes=1 << 20, max_rows=100)
    assert (parsed.delimiter, parsed.decimal) == (";", ",")
    [row] = parsed.rows
    assert row[1] == '=HYPERLINK("http://evil.example","x")' and parsed.number(row[2]) == ledger.revenue
    bad = await web.get(f"/w/{erp_a.slug}/erp/reports?start={days(11)}&end={this_year(1, 1)}")
    assert bad.status_code == 400 and 'id="end-error"' in bad.text
    other = await web.get(f"/w/{erp_b.slug}/erp/reports/profitability.csv")
    assert other.status_code == 404


async def _rename_customer(sessions: async_sessionmaker[AsyncSession], ws: Workspace, org_id: int, name: str) -> None:
    from sqlalchemy import update

    from nexo.modules.directory.models import Organization

    session = await tenant_session(sessions, ws)
    async with session:
        await session.execute(update(Organization).where(Organization.id == org_id).values(name=name))
        await session.commit()


async def test_disabled_sales_keeps_documents_and_hides_them(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], erp_a: Workspace, erp_b: Workspace
) -> None:
    ids = await seed_stocked_catalog(sessions, erp_a)
    await web.login(erp_a.owner.email)
    created = await web.post(
        f"/w/{erp_a.slug}/erp/sales/orders/new",
        {
            "customer": str(ids.customer),
            "warehouse": str(ids.warehouse),
            "product_0": str(ids.widget),
            "quantity_0": "1",
        },
    )
    order_url = created.headers["location"]

    async def switch(enabled: bool) -> None:
        # The admin engineer's switch service is on another branch: flip the module state row directly.
        async with sessions() as session:
            await session.execute(
                update(TenantModule)
                .where(TenantModule.tenant_id == erp_a.tenant.id, TenantModule.module_key == "erp.sales")
                .values(enabled=enabled)
            )
            await session.commit()

    await switch(False)
    hidden = await web.get(order_url)
    assert hidden.status_code == 403 and "module is off" in hidden.text
    assert (await web.get(f"/w/{erp_a.slug}/erp/sales/orders")).status_code == 403
    assert (await web.get(f"/w/{erp_a.slug}/erp/inventory/products")).status_code == 200  # inventory stays on
    session = await tenant_session(sessions, erp_a)
    async with session:
        assert len((await session.scalars(select(SalesOrder))).all()) == 1  # the data stays
    assert (await web.get(f"/w/{erp_b.slug}/erp/sales/orders")).status_code == 404
    await switch(True)
    back = await web.get(order_url)
    assert back.status_code == 200 and "SO-000001" in back.text


async def test_purchase_order_pages_receive_and_bill(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], erp_a: Workspace, erp_b: Workspace
) -> None:
    session = await tenant_session(sessions, erp_a)
    async with session:
        cat = await seed_catalog(session)
        await session.commit()
    await web.login(erp_a.owner.email)
    base = f"/w/{erp_a.slug}/erp/purchasing/orders"
    form = await web.get(f"{base}/new")
    assert form.status_code == 200 and "New purchase order" in form.text and "Supplier" in form.text
    created = await web.post(
        f"{base}/new",
        {
            "customer": str(cat.supplier),
            "warehouse": str(cat.warehouse),
            "product_0": str(cat.gadget),
            "quantity_0": "4",
            "price_0": "7",
        },
    )
    assert created.status_code == 303, created.text
    order_url = created.headers["location"]
    refused = await web.post(f"{order_url}/receive", headers={"hx-request": "true"})
    assert refused.status_code == 400 and "send it before receiving" in refused.text
    assert (await web.post(f"{order_url}/send", headers={"hx-request": "true"})).status_code == 200
    received = await web.post(f"{order_url}/receive", headers={"hx-request": "true"})
    assert received.status_code == 200 and "REC-000001" in received.text
    billed = await web.post(f"{order_url}/bill", headers={"hx-request": "true"})
    assert billed.status_code == 200 and "BILL-" in billed.text and "closed" in billed.text
    assert (await web.get(f"/w/{erp_b.slug}/erp/purchasing/orders")).status_code == 404


async def test_work_order_and_leave_pages(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], erp_a: Workspace, erp_b: Workspace
) -> None:
    from nexo.modules.directory.models import Person
    from nexo.modules.erp.hr.services import HrService
    from nexo.modules.erp.inventory.services import InventoryService, ProductInput
    from nexo.modules.erp.manufacturing.services import ManufacturingService

    session = await tenant_session(sessions, erp_a)
    async with session:
        cat = await seed_catalog(session)
        kit = await InventoryService(session, SEEDING).create_product(ProductInput(sku="KIT", name="Kit"))
        bom = await ManufacturingService(session, SEEDING).create_bom(
            kit.id, [(cat.widget, D(2))], name="Kit from widgets"
        )
        person = Person(first_name="Grace", last_name="Hopper")
        session.add(person)
        await session.flush()
        hr = HrService(session, SEEDING)
        employee = await hr.hire(person.id)
        leave_type = await hr.create_leave_type("Vacation", D(20))
        await hr.request_leave(employee.id, leave_type.id, days(11), days(12))
        await session.commit()
    await web.login(erp_a.owner.email)
    base = f"/w/{erp_a.slug}/erp/manufacturing/work-orders"
    bad = await web.post(base, {"bom": str(bom.id), "warehouse": str(cat.warehouse), "quantity": "-1"})
    assert bad.status_code == 400 and "cannot be below" in bad.text
    planned = await web.post(base, {"bom": str(bom.id), "warehouse": str(cat.warehouse), "quantity": "3"})
    assert planned.status_code == 200 and "WO-000001" in planned.text
    short = await web.post(f"{base}/1/complete", headers={"hx-request": "true"})
    assert short.status_code == 400 and "Not enough stock" in short.text
    leave = await web.get(f"/w/{erp_a.slug}/erp/hr/leave")
    assert "Grace Hopper" in leave.text and "pending" in leave.text
    approved = await web.post(f"/w/{erp_a.slug}/erp/hr/leave/1/approve", headers={"hx-request": "true"})
    assert approved.status_code == 200 and "approved" in approved.text
    assert "Grace Hopper" in (await web.get(f"/w/{erp_a.slug}/erp/hr/employees")).text
    assert (await web.get(f"/w/{erp_b.slug}/erp/hr/leave")).status_code == 404
