"""CRM ↔ ERP through the real app and PostgreSQL, two workspaces: a won opportunity becomes a quote in one step, the
customer's timeline shows its ERP documents, the company page shows the open balance, and the performance report
adds pipeline conversion and win rate; each only while its module is on, never across workspaces."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.crm.models import Lead, Opportunity
from nexo.modules.crm.services.base import CrmContext
from nexo.modules.crm.services.leads import LeadInput, LeadService, QualifyInput
from nexo.modules.crm.services.pipeline import OpportunityInput, OpportunityService, StageService
from nexo.modules.crm.services.timeline import Subject, timeline
from nexo.modules.directory.models import Organization, Person
from nexo.modules.erp.accounting.services import InvoiceService
from nexo.modules.erp.sales import crm_links
from nexo.modules.erp.sales.models import Quote, SalesOrder
from nexo.modules.erp.sales.services import OrderLineInput, SalesService
from nexo.tenants.module_switches import disable_module, enable_module
from nexo.tests.factories import WebClient, Workspace, make_workspace, tenant_session
from nexo.tests.integration.erp.conftest import ERP_MODULES, erp_context
from nexo.tests.integration.erp.helpers import seed_stocked_catalog

D = Decimal
MODULES = ("crm", *ERP_MODULES)


def crm_context(ws: Workspace) -> CrmContext:
    """The CRM services' context for the workspace's owner, with every module on."""
    return CrmContext(ws.tenant.id, ws.owner.id, ws.owner.email, frozenset(MODULES))


@dataclass
class Seeded:
    customer: int
    supplier: int
    person: int
    warehouse: int
    widget: int


@pytest.fixture
async def ws_a(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await make_workspace(sessions, name="Alpha CRM ERP", modules=MODULES)


@pytest.fixture
async def ws_b(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await make_workspace(sessions, name="Beta CRM ERP", modules=MODULES)


async def _seed(sessions: async_sessionmaker[AsyncSession], ws: Workspace, prefix: str = "") -> Seeded:
    cat = await seed_stocked_catalog(sessions, ws, prefix)
    session = await tenant_session(sessions, ws)
    async with session:
        person = Person(first_name="Grace", last_name=f"{prefix}Hopper", organization_id=cat.customer)
        session.add(person)
        await session.flush()
        seeded = Seeded(cat.customer, cat.supplier, person.id, cat.warehouse, cat.widget)
        await session.commit()
        return seeded


async def _sell(
    sessions: async_sessionmaker[AsyncSession], ws: Workspace, seeded: Seeded, quantity: int, paid: Decimal
) -> dict[str, int]:
    """Order → delivery → invoice (→ a payment of ``paid`` when above zero), through the services."""
    session = await tenant_session(sessions, ws)
    async with session:
        sales = SalesService(session, erp_context(ws, MODULES))
        line = OrderLineInput(seeded.widget, D(quantity))
        order = await sales.create_order(seeded.customer, seeded.warehouse, [line])
        delivery = await sales.deliver(order.id)
        invoice = await sales.invoice(order.id)
        ids = {"order": order.id, "delivery": delivery.id, "invoice": invoice.id}
        if paid > 0:
            payment = await InvoiceService(session, erp_context(ws, MODULES)).pay(invoice.id, paid)
            ids["payment"] = payment.id
        await session.commit()
        return ids


async def _opportunity(
    sessions: async_sessionmaker[AsyncSession], ws: Workspace, seeded: Seeded | None, *, won: bool | None
) -> int:
    """An opportunity for the seeded customer, won (True), lost (False) or left open (None)."""
    session = await tenant_session(sessions, ws)
    async with session:
        context = crm_context(ws)
        stages = await StageService(session, context).stages()
        service = OpportunityService(session, context)
        opportunity = await service.create_opportunity(
            OpportunityInput(
                title="Big widget deal",
                stage_id=stages[0].id,
                amount=D("300"),
                organization_id=seeded.customer if seeded else None,
                person_id=seeded.person if seeded else None,
            )
        )
        if won is not None:
            await service.close(opportunity, won=won, reason="" if won else "Too expensive", stages=stages)
        await session.commit()
        return opportunity.id


def _timeline_html(html: str) -> str:
    """The timeline section of a page (the navigation links to ERP pages too)."""
    return html.split('<section id="timeline"', 1)[1].split("</section>", 1)[0]


async def _count(sessions: async_sessionmaker[AsyncSession], ws: Workspace, model: type) -> int:
    session = await tenant_session(sessions, ws)
    async with session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def _switch(sessions: async_sessionmaker[AsyncSession], ws: Workspace, key: str, on: bool) -> None:
    async with sessions() as session:
        if on:
            await enable_module(session, ws.tenant, key)
        else:
            await disable_module(session, ws.tenant, key)
        await session.commit()


async def test_won_opportunity_becomes_one_quote_linked_both_ways(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], ws_a: Workspace, ws_b: Workspace
) -> None:
    seeded = await _seed(sessions, ws_a)
    await _seed(sessions, ws_b, "B-")
    open_deal = await _opportunity(sessions, ws_a, seeded, won=None)
    won_deal = await _opportunity(sessions, ws_a, seeded, won=True)
    await web.login(ws_a.owner.email)
    crm = f"/w/{ws_a.slug}/crm/opportunities"

    page = await web.get(f"{crm}/{open_deal}")
    assert page.status_code == 200 and 'id="create-quote"' not in page.text
    refused = await web.post(f"{crm}/{open_deal}/quote", {"quote_product": str(seeded.widget)})
    assert refused.status_code == 400 and "Only a won opportunity" in refused.text

    page = await web.get(f"{crm}/{won_deal}")
    assert 'id="create-quote"' in page.text and "W-1 · Widget" in page.text
    bad = await web.post(f"{crm}/{won_deal}/quote", {"quote_product": "", "quote_quantity": "x"})
    assert bad.status_code == 400 and 'id="quote_product-error"' in bad.text
    bad = await web.post(f"{crm}/{won_deal}/quote", {"quote_product": str(seeded.widget), "quote_quantity": "0"})
    assert bad.status_code == 400 and 'id="quote_quantity-error"' in bad.text
    huge = await web.post(f"{crm}/{won_deal}/quote", {"quote_product": "9" * 30, "quote_price": "1e40"})
    assert huge.status_code == 400 and 'id="quote_product-error"' in huge.text
    huge = await web.post(f"{crm}/{won_deal}/quote", {"quote_product": str(seeded.widget), "quote_price": "1e40"})
    assert huge.status_code == 400 and 'id="quote_price-error"' in huge.text
    missing = await web.post(f"{crm}/{won_deal}/quote", {"quote_product": "987654"})
    assert missing.status_code == 400 and "No product with id 987654" in missing.text
    assert await _count(sessions, ws_a, Quote) == 0  # nothing half-written

    made = await web.post(
        f"{crm}/{won_deal}/quote",
        {"quote_product": str(seeded.widget), "quote_quantity": "2", "quote_price": "150"},
    )
    assert made.status_code == 303, made.text
    quote_url = made.headers["location"]
    assert re.fullmatch(rf"/w/{ws_a.slug}/erp/sales/quotes/\d+", quote_url)
    again = await web.post(f"{crm}/{won_deal}/quote", {"quote_product": str(seeded.widget)})
    assert again.status_code == 303 and again.headers["location"] == quote_url
    assert await _count(sessions, ws_a, Quote) == 1

    quote_page = await web.get(quote_url)
    assert quote_page.status_code == 200
    assert f'href="/w/{ws_a.slug}/crm/opportunities/{won_deal}"' in quote_page.text
    assert "300.00" in quote_page.text and "Grace Hopper" in quote_page.text  # 2 x 150, to the deal's contact
    session = await tenant_session(sessions, ws_a)
    async with session:
        quote = (await session.scalars(select(Quote))).one()
        assert (quote.opportunity_id, quote.customer_org_id) == (won_deal, seeded.customer)
    page = await web.get(f"{crm}/{won_deal}")
    assert 'id="opportunity-quote"' in page.text and quote.number in page.text and 'id="create-quote"' not in page.text
    assert f'href="/w/{ws_a.slug}/erp/sales/quotes/{quote.id}"' in page.text  # the deal's timeline has its quote

    # Workspace B: its owner cannot reach A's quote or deal, and B has no quote.
    await web.login(ws_b.owner.email)
    assert (await web.get(f"/w/{ws_b.slug}/erp/sales/quotes/{quote.id}")).status_code == 404
    assert (await web.post(f"/w/{ws_b.slug}/crm/opportunities/{won_deal}/quote", {})).status_code == 404
    assert (await web.get(quote_url)).status_code == 404
    assert await _count(sessions, ws_b, Quote) == 0


async def test_quote_needs_a_company_and_sales_on(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], ws_a: Workspace, ws_b: Workspace
) -> None:
    seeded = await _seed(sessions, ws_a)
    no_company = await _opportunity(sessions, ws_a, None, won=True)
    won_deal = await _opportunity(sessions, ws_a, seeded, won=True)
    await web.login(ws_a.owner.email)
    crm = f"/w/{ws_a.slug}/crm/opportunities"
    refused = await web.post(f"{crm}/{no_company}/quote", {"quote_product": str(seeded.widget)})
    assert refused.status_code == 400 and "Link a company" in refused.text

    await _switch(sessions, ws_a, "erp.sales", False)
    page = await web.get(f"{crm}/{won_deal}")
    assert page.status_code == 200 and 'id="create-quote"' not in page.text and 'id="quote-form"' not in page.text
    off = await web.post(f"{crm}/{won_deal}/quote", {"quote_product": str(seeded.widget)})
    assert off.status_code == 403 and "module is off" in off.text
    assert await _count(sessions, ws_a, Quote) == 0
    await _switch(sessions, ws_a, "erp.sales", True)
    assert 'id="create-quote"' in (await web.get(f"{crm}/{won_deal}")).text
    made = await web.post(f"{crm}/{won_deal}/quote", {"quote_product": str(seeded.widget)})
    assert made.status_code == 303
    await _switch(sessions, ws_a, "crm", False)  # the quote page stays, without the link to the (hidden) deal
    quote_page = await web.get(made.headers["location"])
    assert quote_page.status_code == 200 and "/crm/opportunities/" not in quote_page.text
    assert "10.00" in quote_page.text  # no price given: the product's sale price
    await web.login(ws_b.owner.email)
    assert (await web.get(f"{crm}/{won_deal}")).status_code == 404


async def test_timeline_shows_the_customers_erp_documents_while_their_modules_are_on(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], ws_a: Workspace, ws_b: Workspace
) -> None:
    seeded = await _seed(sessions, ws_a)
    seeded_b = await _seed(sessions, ws_b, "B-")
    ids = await _sell(sessions, ws_a, seeded, 3, D("10"))
    await web.login(ws_a.owner.email)
    erp = f"/w/{ws_a.slug}/erp"
    links = [
        f'href="{erp}/sales/orders/{ids["order"]}"',
        f'href="{erp}/sales/orders/{ids["order"]}#delivery-{ids["delivery"]}"',
        f'href="{erp}/accounting/invoices/{ids["invoice"]}"',
        f'href="{erp}/accounting/invoices/{ids["invoice"]}#payment-{ids["payment"]}"',
    ]
    company = f"/w/{ws_a.slug}/crm/companies/{seeded.customer}"
    contact = f"/w/{ws_a.slug}/crm/contacts/{seeded.person}"
    for url in (company, contact):
        page = await web.get(url)
        assert page.status_code == 200
        for link in links:
            assert link in page.text, (url, link)
    order_page = await web.get(f"{erp}/sales/orders/{ids['order']}")
    assert f'id="delivery-{ids["delivery"]}"' in order_page.text  # the links land on real anchors
    invoice_page = await web.get(f"{erp}/accounting/invoices/{ids['invoice']}")
    assert f'id="payment-{ids["payment"]}"' in invoice_page.text

    # The service: ERP sources run only for the modules passed in.
    session = await tenant_session(sessions, ws_a)
    async with session:
        crm_links.register()  # idempotent: registering again adds nothing
        subject = Subject(organization_id=seeded.customer)
        kinds = {e.kind for e in await timeline(session, subject, frozenset(MODULES))}
        assert {"sales order", "delivery", "invoice", "payment"} <= kinds
        assert {e.kind for e in await timeline(session, subject, frozenset({"crm", "erp.sales"}))} >= {"delivery"}
        only_crm = await timeline(session, subject, frozenset({"crm"}))
        assert all(e.area == "crm" for e in only_crm)
        assert len([e for e in await timeline(session, subject, frozenset(MODULES)) if e.kind == "invoice"]) == 1

    # Sales off: no sales documents (invoices stay, accounting is on); accounting off too: no ERP entry at all.
    await _switch(sessions, ws_a, "erp.sales", False)
    page = await web.get(company)
    assert links[0] not in page.text and links[1] not in page.text and links[2] in page.text
    await _switch(sessions, ws_a, "erp.accounting", False)
    page = await web.get(company)
    assert f'href="{erp}/' not in _timeline_html(page.text) and 'id="open-balance"' not in page.text
    assert await _count(sessions, ws_a, SalesOrder) == 1  # the documents are kept
    await _switch(sessions, ws_a, "erp.sales", True)
    await _switch(sessions, ws_a, "erp.accounting", True)
    assert links[3] in (await web.get(company)).text

    # Workspace B sees none of A's documents on its own customer, and cannot open A's company.
    await web.login(ws_b.owner.email)
    page = await web.get(f"/w/{ws_b.slug}/crm/companies/{seeded_b.customer}")
    assert page.status_code == 200 and "/erp/" not in _timeline_html(page.text)
    assert (await web.get(company)).status_code == 404


async def test_company_page_shows_the_open_balance_in_the_workspace_currency(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], ws_a: Workspace, ws_b: Workspace
) -> None:
    seeded = await _seed(sessions, ws_a)
    seeded_b = await _seed(sessions, ws_b, "B-")
    first = await _sell(sessions, ws_a, seeded, 3, D("10"))  # 3 x 10 + 20 % tax = 36.00, 10.00 paid
    await _sell(sessions, ws_a, seeded, 1, D("12"))  # 12.00, paid in full: not open
    await _sell(sessions, ws_a, seeded, 2, D("0"))  # 24.00, unpaid
    await _sell(sessions, ws_b, seeded_b, 5, D("0"))  # B's own customer owes B 60.00
    session = await tenant_session(sessions, ws_a)
    async with session:
        balance = await crm_links.open_balance(session, seeded.customer, ws_a.tenant.currency)
        assert balance == D("50.00") and isinstance(balance, Decimal)
        invoice = await InvoiceService(session, erp_context(ws_a, MODULES)).get(first["invoice"])
        assert invoice.total == D("36.00")
    await web.login(ws_a.owner.email)
    page = await web.get(f"/w/{ws_a.slug}/crm/companies/{seeded.customer}")
    assert f'id="open-balance">50.00 {ws_a.tenant.currency}<' in page.text
    supplier = await web.get(f"/w/{ws_a.slug}/crm/companies/{seeded.supplier}")
    assert f'id="open-balance">0.00 {ws_a.tenant.currency}<' in supplier.text

    await web.login(ws_b.owner.email)
    page_b = await web.get(f"/w/{ws_b.slug}/crm/companies/{seeded_b.customer}")
    assert f'id="open-balance">60.00 {ws_b.tenant.currency}<' in page_b.text
    assert (await web.get(f"/w/{ws_a.slug}/crm/companies/{seeded.customer}")).status_code == 404

    await _switch(sessions, ws_b, "erp.accounting", False)
    assert 'id="open-balance"' not in (await web.get(f"/w/{ws_b.slug}/crm/companies/{seeded_b.customer}")).text


async def _pipeline(
    sessions: async_sessionmaker[AsyncSession], ws: Workspace, leads: int, qualify: int, outcomes: tuple[bool, ...]
) -> None:
    """``leads`` leads, the first ``qualify`` qualified; their opportunities closed won/lost per ``outcomes``."""
    session = await tenant_session(sessions, ws)
    async with session:
        context = crm_context(ws)
        service = LeadService(session, context)
        stages = await StageService(session, context).stages()
        for n in range(leads):
            lead = await service.capture(LeadInput(title=f"Lead {n}", last_name=f"Buyer{n}"))
            if n < qualify:
                opportunity = await service.qualify(lead, QualifyInput(title=f"Deal {n}"))
                if n < len(outcomes):
                    await OpportunityService(session, context).close(
                        opportunity, won=outcomes[n], reason="" if outcomes[n] else "No budget", stages=stages
                    )
        await session.commit()


async def test_performance_report_adds_pipeline_conversion_and_win_rate_when_crm_is_on(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], ws_a: Workspace, ws_b: Workspace
) -> None:
    await _pipeline(sessions, ws_a, leads=4, qualify=3, outcomes=(True, False, True))
    await _pipeline(sessions, ws_b, leads=2, qualify=1, outcomes=(False,))
    today = datetime.date.today()
    query = f"start={today - datetime.timedelta(days=1)}&end={today + datetime.timedelta(days=1)}"
    await web.login(ws_a.owner.email)
    reports = f"/w/{ws_a.slug}/erp/reports"
    page = await web.get(f"{reports}/?{query}")
    assert page.status_code == 200
    assert '<td id="pipeline-leads">4</td>' in page.text
    assert 'id="pipeline-converted">3 (75.0 %)' in page.text and 'id="pipeline-won">2 (66.7 %)' in page.text
    assert 'id="win-rate">66.7 %' in page.text
    assert "data.json?chart=pipeline" in page.text and "/static/vendor/chartjs/chart.umd.js" in page.text
    funnel = (await web.get(f"{reports}/data.json?chart=pipeline&{query}")).json()
    assert funnel["labels"] == ["Leads", "Became opportunities", "Won"] and funnel["datasets"][0]["data"] == [4, 3, 2]
    closed = (await web.get(f"{reports}/data.json?chart=winrate&{query}")).json()
    assert closed["datasets"][0]["data"] == [2, 1]
    earlier = f"start={today - datetime.timedelta(days=60)}&end={today - datetime.timedelta(days=30)}"
    empty = await web.get(f"{reports}/?{earlier}")
    assert '<td id="pipeline-leads">0</td>' in empty.text and 'id="win-rate">—' in empty.text

    await web.login(ws_b.owner.email)
    page_b = await web.get(f"/w/{ws_b.slug}/erp/reports/?{query}")
    assert '<td id="pipeline-leads">2</td>' in page_b.text and 'id="win-rate">0.0 %' in page_b.text
    await _switch(sessions, ws_b, "crm", False)
    hidden = await web.get(f"/w/{ws_b.slug}/erp/reports/?{query}")
    assert hidden.status_code == 200 and 'id="pipeline-report"' not in hidden.text
    assert "chart=pipeline" not in hidden.text
    assert (await web.get(f"/w/{ws_b.slug}/erp/reports/data.json?chart=pipeline&{query}")).status_code == 403
    assert await _count(sessions, ws_b, Lead) == 2 and await _count(sessions, ws_b, Opportunity) == 1  # data kept


def _invoice_links(html: str) -> set[int]:
    """The invoices listed in the invoice table (the ids of their detail links)."""
    table = html.split('<div id="invoices-table">', 1)[1]
    return {int(found) for found in re.findall(r"/erp/accounting/invoices/(\d+)\"", table)}


async def test_open_balance_links_to_the_customers_open_invoices(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], ws_a: Workspace, ws_b: Workspace
) -> None:
    seeded = await _seed(sessions, ws_a)
    seeded_b = await _seed(sessions, ws_b, "B-")
    part_paid = await _sell(sessions, ws_a, seeded, 3, D("10"))  # 36.00, 10.00 paid: open
    paid = await _sell(sessions, ws_a, seeded, 1, D("12"))  # paid in full
    unpaid = await _sell(sessions, ws_a, seeded, 2, D("0"))  # open
    session = await tenant_session(sessions, ws_a)
    async with session:
        other = Organization(name="Other Buyer Ltd")
        session.add(other)
        await session.flush()
        other_id = other.id
        await session.commit()
    elsewhere = await _sell(sessions, ws_a, replace(seeded, customer=other_id), 1, D("0"))
    b_invoice = await _sell(sessions, ws_b, seeded_b, 5, D("0"))

    await web.login(ws_a.owner.email)
    page = await web.get(f"/w/{ws_a.slug}/crm/companies/{seeded.customer}")
    link = re.search(r'href="([^"]+)"[^>]*id="open-balance"', page.text)
    assert link is not None
    target = link.group(1).replace("&amp;", "&")
    assert target == (
        f"/w/{ws_a.slug}/erp/accounting/invoices?kind=customer_invoice&status=open&customer={seeded.customer}"
    )
    listed = await web.get(target)
    assert listed.status_code == 200
    assert _invoice_links(listed.text) == {part_paid["invoice"], unpaid["invoice"]}
    assert f'<option value="{seeded.customer}" selected>Customer Inc</option>' in listed.text
    paid_only = await web.get(f"/w/{ws_a.slug}/erp/accounting/invoices?status=paid&customer={seeded.customer}")
    assert _invoice_links(paid_only.text) == {paid["invoice"]}
    everyone = await web.get(f"/w/{ws_a.slug}/erp/accounting/invoices?status=open", headers={"HX-Request": "true"})
    assert _invoice_links(everyone.text) == {part_paid["invoice"], unpaid["invoice"], elsewhere["invoice"]}
    assert "<h1>" not in everyone.text  # htmx gets the table alone
    for junk in ("abc", "-1", "0", "99999999999999999999", str(seeded.customer + 999)):
        answer = await web.get(f"/w/{ws_a.slug}/erp/accounting/invoices?customer={junk}")
        assert answer.status_code == 200, junk
    unknown = await web.get(f"/w/{ws_a.slug}/erp/accounting/invoices?customer={seeded.customer + 999}")
    assert _invoice_links(unknown.text) == set()

    # B's list for the same customer id shows B's own documents only, and B's customer is not offered to A
    assert "B-Customer Inc" not in (await web.get(f"/w/{ws_a.slug}/erp/accounting/invoices")).text
    await web.login(ws_b.owner.email)
    listed_b = await web.get(f"/w/{ws_b.slug}/erp/accounting/invoices?status=open&customer={seeded_b.customer}")
    assert _invoice_links(listed_b.text) == {b_invoice["invoice"]}
    assert ">Customer Inc<" not in listed_b.text and ">Other Buyer Ltd<" not in listed_b.text
    assert (await web.get(target)).status_code == 404
