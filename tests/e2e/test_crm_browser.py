"""In headless Chromium: an admin switches CRM on from the Modules page, creates a contact, then moves an opportunity
across the pipeline board (by drag, then with the keyboard).

The workspace starts without CRM (its pages answer "module is off"); a second workspace with CRM on and data of its
own is seeded, and must come out untouched.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.crm.models import Opportunity, Stage
from nexo.modules.crm.services.base import CrmContext
from nexo.modules.crm.services.pipeline import StageService
from nexo.modules.directory.models import Person
from nexo.tenants.models import TenantModule
from nexo.tests.factories import DEFAULT_PASSWORD, Workspace, make_workspace, tenant_session

pytestmark = pytest.mark.e2e


async def _rows(sessions: async_sessionmaker[AsyncSession], ws: Workspace, model: type) -> list:
    session = await tenant_session(sessions, ws)
    async with session:
        return list(await session.scalars(select(model).order_by(model.id)))


async def _seed_other(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    other = await make_workspace(sessions, name="Other CRM", modules=("crm",))
    session = await tenant_session(sessions, other)
    async with session:
        context = CrmContext(other.tenant.id, other.owner.id, other.owner.email, frozenset({"crm"}))
        [stage, *_] = await StageService(session, context).stages()  # the default stages, as the board creates them
        session.add(Person(first_name="Grace", last_name="Hopper", email="grace@navy.example.com"))
        session.add(Opportunity(title="Compiler", amount=Decimal("100"), stage_id=stage.id))
        await session.commit()
    return other


async def _crm_enabled(sessions: async_sessionmaker[AsyncSession], ws: Workspace) -> bool | None:
    async with sessions() as session:
        return await session.scalar(
            select(TenantModule.enabled).where(TenantModule.tenant_id == ws.tenant.id, TenantModule.module_key == "crm")
        )


async def test_enable_crm_create_a_contact_and_move_an_opportunity_across_the_board(
    browser_page: object, sessions: async_sessionmaker[AsyncSession]
) -> None:
    from playwright.async_api import Page, expect

    page = browser_page
    assert isinstance(page, Page)
    workspace = await make_workspace(sessions, name="Browser CRM")  # CRM off
    other = await _seed_other(sessions)
    [other_deal] = await _rows(sessions, other, Opportunity)
    assert await _crm_enabled(sessions, workspace) is None

    await page.goto("/login")
    await page.fill("#email", workspace.owner.email)
    await page.fill("#password", DEFAULT_PASSWORD)
    await page.click("button[type=submit]")
    await page.wait_for_url(lambda url: "/login" not in url)

    off = await page.goto(f"/w/{workspace.slug}/crm/contacts/")
    assert off is not None and off.status == 403
    await expect(page.locator("body")).to_contain_text("module is off")

    # The admin switches CRM on from the Modules page (an htmx form: the table and the navigation are swapped in).
    await page.goto(f"/w/{workspace.slug}/settings/modules/")
    await expect(page.locator("#module-crm")).to_have_attribute("data-state", "off")
    await page.click("#switch-crm")
    await expect(page.locator("#module-crm")).to_have_attribute("data-state", "on")
    await expect(page.locator("#module-success")).to_contain_text("Switched on: CRM")
    assert await _crm_enabled(sessions, workspace) is True

    await page.goto(f"/w/{workspace.slug}/crm/contacts/new")
    await page.fill("#first_name", "Ada")
    await page.fill("#last_name", "Lovelace")
    await page.fill("#email", "ada@engines.example.com")
    await page.click("#save-contact")
    await page.wait_for_selector("#contact-name")
    assert await page.inner_text("#contact-name") == "Ada Lovelace"

    await page.goto(f"/w/{workspace.slug}/crm/opportunities/new")
    await page.fill("#title", "Analytical engine")
    await page.fill("#amount", "5000")
    await page.click("#save-opportunity")
    await page.wait_for_selector("#opportunity-title")

    await page.goto(f"/w/{workspace.slug}/crm/pipeline")
    stages = await _rows(sessions, workspace, Stage)
    [deal] = await _rows(sessions, workspace, Opportunity)
    card = page.locator(f"#card-{deal.id}")
    target = page.locator(f'.board-cards[data-stage-id="{stages[1].id}"]')
    box, goal = await card.bounding_box(), await target.bounding_box()
    assert box is not None and goal is not None
    await page.mouse.move(box["x"] + 10, box["y"] + 10)
    await page.mouse.down()
    for step in range(1, 21):
        await page.mouse.move(box["x"] + 10 + (goal["x"] + 20 - box["x"]) * step / 20, goal["y"] + 20)
        await asyncio.sleep(0.02)
    await page.mouse.up()
    await page.wait_for_selector(f'.board-cards[data-stage-id="{stages[1].id}"] #card-{deal.id}')
    await _wait_for_stage(sessions, workspace, deal.id, stages[1].id)

    # Keyboard: focus the card's "next stage" button and press Enter.
    await page.focus(f'#card-{deal.id} button[aria-label^="Move Analytical engine to the next"]')
    await page.keyboard.press("Enter")
    await page.wait_for_selector(f'.board-cards[data-stage-id="{stages[2].id}"] #card-{deal.id}')
    await _wait_for_stage(sessions, workspace, deal.id, stages[2].id)

    assert [p.last_name for p in await _rows(sessions, workspace, Person)] == ["Lovelace"]
    assert [p.last_name for p in await _rows(sessions, other, Person)] == ["Hopper"]
    [still] = await _rows(sessions, other, Opportunity)
    assert (still.id, still.title, still.stage_id) == (other_deal.id, "Compiler", other_deal.stage_id)


async def _wait_for_stage(
    sessions: async_sessionmaker[AsyncSession], ws: Workspace, deal_id: int, stage_id: int
) -> None:
    for _ in range(50):
        deals = {d.id: d for d in await _rows(sessions, ws, Opportunity)}
        if deals[deal_id].stage_id == stage_id:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the deal did not reach stage {stage_id}")
