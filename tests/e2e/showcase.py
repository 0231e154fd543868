"""A workspace with something on every main page (contacts, a pipeline with deals, an invoice), for layout tests."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from playwright.async_api import Page
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.crm.models import Opportunity
from nexo.modules.crm.services.base import CrmContext
from nexo.modules.crm.services.pipeline import StageService
from nexo.modules.directory.models import Person
from nexo.modules.erp.sales.services import OrderLineInput, SalesService
from nexo.tests.factories import DEFAULT_PASSWORD, Workspace, make_workspace, tenant_session
from nexo.tests.integration.erp.conftest import ERP_MODULES, erp_context
from nexo.tests.integration.erp.helpers import seed_stocked_catalog

MODULES = ("crm", *ERP_MODULES)
PEOPLE = (("Ada", "Lovelace"), ("Grace", "Hopper"), ("María", "Peña"), ("Alan", "Turing"), ("Katherine", "Johnson"))


@dataclass
class Showcase:
    workspace: Workspace
    invoice: int
    customer: int


async def make_showcase(sessions: async_sessionmaker[AsyncSession], name: str, prefix: str = "") -> Showcase:
    """Every module on; five contacts at the customer, a deal in each stage, one invoiced sale."""
    workspace = await make_workspace(sessions, name=name, modules=MODULES)
    cat = await seed_stocked_catalog(sessions, workspace, prefix)
    session = await tenant_session(sessions, workspace)
    async with session:
        for first, last in PEOPLE:
            email = f"{first.lower()}.{prefix.lower()}{len(last)}@example.com"
            person = Person(first_name=first, last_name=f"{prefix}{last}", email=email, organization_id=cat.customer)
            session.add(person)
        for position, stage in enumerate(
            await StageService(
                session, CrmContext(workspace.tenant.id, workspace.owner.id, workspace.owner.email, frozenset())
            ).stages()
        ):
            title = f"{prefix}Deal {position + 1} for the customer with a long name"
            session.add(Opportunity(title=title, amount=Decimal(1000 * (position + 1)), stage_id=stage.id))
        sales = SalesService(session, erp_context(workspace, ERP_MODULES))
        order = await sales.create_order(cat.customer, cat.warehouse, [OrderLineInput(cat.widget, Decimal(3))])
        await sales.deliver(order.id)
        invoice = await sales.invoice(order.id)
        await session.commit()
        return Showcase(workspace, invoice.id, cat.customer)


async def sign_in(page: Page, workspace: Workspace) -> None:
    await page.goto("/login")
    await page.fill("#email", workspace.owner.email)
    await page.fill("#password", DEFAULT_PASSWORD)
    await page.click("form:has(#password) button[type=submit]")  # the header also has submit buttons (language)
    await page.wait_for_url(lambda url: "/login" not in url)
