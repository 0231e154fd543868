"""The workspace home is a dashboard from the enabled modules, per member: the pipeline by stage with its expected
revenue, the member's own overdue and today's tasks, open cases, what customers owe (and what is past due), what we
owe suppliers, cash; each figure links into the list behind it. Two workspaces: neither sees the other's numbers,
and a workspace without ERP has no money card."""

from __future__ import annotations

import datetime
import html
import re
from decimal import Decimal

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.crm.models import Activity, Opportunity, SupportCase
from nexo.modules.crm.services.base import CrmContext
from nexo.modules.crm.services.pipeline import StageService
from nexo.modules.directory.models import Person
from nexo.modules.erp.sales.services import OrderLineInput, SalesService
from nexo.platform import clock
from nexo.tests.factories import WebClient, Workspace, make_user, make_workspace, tenant_session
from nexo.tests.integration.erp.conftest import ERP_MODULES, erp_context
from nexo.tests.integration.erp.helpers import seed_stocked_catalog

D = Decimal
FIGURE = re.compile(r"<dt>([^<]+)</dt>\s*<dd>(?:<a href=\"([^\"]*)\">)?([^<]+)")


def _card(page: str, key: str) -> str:
    match = re.search(rf'<article class="home-card" id="card-{key}".*?</article>', page, re.S)
    assert match, f"no {key} card"
    return match.group(0)


def _figures(card: str) -> dict[str, tuple[str, str]]:
    """label -> (value, link); a label used twice (``of which past due``) gets a ``#2`` suffix."""
    found: dict[str, tuple[str, str]] = {}
    for label, href, value in FIGURE.findall(card):
        key = label if label not in found else f"{label}#2"
        found[html.unescape(key)] = (html.unescape(value.strip()), html.unescape(href))
    return found


def _today(ws: Workspace) -> datetime.date:
    return clock.today(ws.tenant.timezone)  # the day the suite's clock is frozen at


async def _seed_crm(sessions: async_sessionmaker[AsyncSession], ws: Workspace, other_user: int, amount: int) -> None:
    today, day = _today(ws), datetime.timedelta(days=1)
    session = await tenant_session(sessions, ws)
    async with session:
        first, second, *_ = await StageService(
            session, CrmContext(ws.tenant.id, ws.owner.id, ws.owner.email, frozenset())
        ).stages()
        person = Person(first_name="Ana", last_name="Peña")
        session.add(person)
        session.add_all(
            [
                Opportunity(title="Big", amount=D(amount), stage_id=first.id, probability=10),
                Opportunity(title="Bigger", amount=D(amount), stage_id=second.id, probability=50),
            ]
        )
        await session.flush()
        mine, theirs = ws.owner.id, other_user
        session.add_all(
            [
                Activity(kind="task", subject="Call back", person_id=person.id, assignee_id=mine, due_date=today - day),
                Activity(kind="task", subject="Send offer", person_id=person.id, assignee_id=mine, due_date=today),
                Activity(kind="task", subject="Later", person_id=person.id, assignee_id=mine, due_date=today + day),
                Activity(kind="task", subject="Theirs", person_id=person.id, assignee_id=theirs, due_date=today - day),
                Activity(
                    kind="task", subject="Done", person_id=person.id, assignee_id=mine, due_date=today - day, done=True
                ),
                Activity(kind="note", subject="Met at the fair", person_id=person.id),
                SupportCase(subject="Broken", person_id=person.id, assignee_id=mine, due_date=today - day),
            ]
        )
        await session.commit()


async def _sell_overdue(sessions: async_sessionmaker[AsyncSession], ws: Workspace) -> None:
    """3 widgets at 10.00 + 20 % tax = 36.00, invoiced 40 days ago and due 10 days ago."""
    cat = await seed_stocked_catalog(sessions, ws)
    today = _today(ws)
    session = await tenant_session(sessions, ws)
    async with session:
        sales = SalesService(session, erp_context(ws, ERP_MODULES))
        order = await sales.create_order(cat.customer, cat.warehouse, [OrderLineInput(cat.widget, D(3))])
        await sales.deliver(order.id)
        issued = today - datetime.timedelta(days=40)
        await sales.invoice(order.id, issue_date=issued, due_date=today - datetime.timedelta(days=10))
        await session.commit()


@pytest.fixture
async def ws_a(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await make_workspace(sessions, name="Home Alpha", modules=("crm", *ERP_MODULES))


@pytest.fixture
async def ws_b(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await make_workspace(sessions, name="Home Beta", modules=("crm",))


async def test_home_shows_each_members_dashboard_from_the_enabled_modules(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], ws_a: Workspace, ws_b: Workspace
) -> None:
    colleague = await make_user(sessions)
    await _seed_crm(sessions, ws_a, colleague.id, 1000)
    await _seed_crm(sessions, ws_b, colleague.id, 77777)
    await _sell_overdue(sessions, ws_a)
    await web.login(ws_a.owner.email)

    page = (await web.get(f"/w/{ws_a.slug}/")).text
    a = f"/w/{ws_a.slug}"
    pipeline = _card(page, "crm-pipeline")
    assert _figures(pipeline) == {
        "Open deals": ("2", f"{a}/crm/pipeline"),
        "In the pipeline": ("€2,000.00", f"{a}/crm/pipeline"),
        "Expected revenue": ("€600.00", f"{a}/crm/pipeline"),  # 10 % of 1,000 + 50 % of 1,000
    }
    chart = re.search(r'data-chart="([^"]+)"', pipeline)
    assert chart and '"data": [1000.0, 1000.0' in html.unescape(chart.group(1))
    tasks = _card(page, "crm-tasks")
    assert _figures(tasks) == {"Overdue": ("1", f"{a}/crm/tasks"), "Due today": ("1", f"{a}/crm/tasks")}
    assert "Call back" in tasks and "Send offer" in tasks  # mine, overdue or due today
    assert "Later" not in tasks and "Theirs" not in tasks and "Done" not in tasks
    assert _figures(_card(page, "crm-cases"))["Assigned to me"] == ("1", f"{a}/crm/cases?mine=true")
    assert "Met at the fair" in _card(page, "crm-recent")
    money = _figures(_card(page, "erp-money"))
    invoices = f"{a}/erp/accounting/invoices?kind=customer_invoice&status=open"
    assert money["Customers owe"] == ("€36.00", invoices)
    assert money["of which past due"] == ("€36.00", invoices)
    assert money["We owe suppliers"][0] == "€0.00"
    directory = _figures(_card(page, "directory"))
    assert (directory["People"][0], directory["Organizations"][0]) == ("1", "2")  # Ana; the customer and supplier
    assert "77,777" not in page and "155,554" not in page

    b = (await web.get(f"/w/{ws_b.slug}/")).status_code
    assert b == 404  # not a member of Beta: indistinguishable from an unknown workspace
    await web.post("/logout")
    await web.login(ws_b.owner.email)
    page_b = (await web.get(f"/w/{ws_b.slug}/")).text
    assert _figures(_card(page_b, "crm-pipeline"))["In the pipeline"][0] == "€155,554.00"
    assert 'id="card-erp-money"' not in page_b  # ERP is off in Beta
    assert "2,000.00" not in page_b
