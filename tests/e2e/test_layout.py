"""In headless Chromium at a phone (390 x 844) and a laptop (1280 x 800): the main pages fit the window (no page-wide
horizontal scroll; wide tables and the pipeline board scroll inside their own box), the navigation folds behind a
Menu button on the phone and opens and closes, and a new workspace's modules are ticked by clicking their labels.
Two workspaces are seeded."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.tenants.models import Tenant, TenantModule
from nexo.tests.e2e.htmx import htmx_idle
from nexo.tests.e2e.showcase import make_showcase, sign_in
from nexo.tests.factories import unique_email, unique_slug

pytestmark = pytest.mark.e2e
VIEWPORTS = {"phone": (390, 844), "laptop": (1280, 800)}
SCREENSHOTS = os.environ.get("NEXO_E2E_SCREENSHOTS")  # a folder to keep screenshots in while developing


async def _new_page(browser: object, live_server: str, viewport: str) -> Page:
    assert isinstance(browser, Browser)
    width, height = VIEWPORTS[viewport]
    context = await browser.new_context(base_url=live_server, viewport={"width": width, "height": height})
    return await context.new_page()


async def _look(page: Page, name: str, viewport: str) -> int:
    """Screenshot (when asked for) and the document's width."""
    if SCREENSHOTS:
        await page.screenshot(path=f"{SCREENSHOTS}/{name}-{viewport}.png", full_page=True)
    return int(await page.evaluate("() => document.documentElement.scrollWidth"))


@pytest.fixture(scope="module", autouse=True)
def _screenshot_folder() -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
async def test_main_pages_fit_the_window(
    browser: object, live_server: str, sessions: async_sessionmaker[AsyncSession], viewport: str
) -> None:
    shown = await make_showcase(sessions, "Layout Works")
    await make_showcase(sessions, "Other Layout", "O-")
    page = await _new_page(browser, live_server, viewport)
    width = VIEWPORTS[viewport][0]
    try:
        await page.goto("/signup")
        widths = {"signup": await _look(page, "signup", viewport)}
        await sign_in(page, shown.workspace)
        base = f"/w/{shown.workspace.slug}"
        pages = {
            "home": f"{base}/",
            "contacts": f"{base}/crm/contacts/",
            "pipeline": f"{base}/crm/pipeline",
            "invoices": f"{base}/erp/accounting/invoices",
            "invoice": f"{base}/erp/accounting/invoices/{shown.invoice}",
            "settings": f"{base}/settings/workspace",
            "cases": f"{base}/crm/cases",  # none yet: the empty list says what to do next
        }
        for name, path in pages.items():
            response = await page.goto(path)
            assert response is not None and response.status == 200, path
            widths[name] = await _look(page, name, viewport)
            if name == "home":  # the pipeline chart is drawn from its data attribute (Chart.js, no inline script)
                await expect(page.locator("#card-crm-pipeline canvas[data-chart-ready]")).to_have_count(1)
            if name == "cases":
                await expect(page.locator(".empty-state").get_by_role("link", name="Open a case")).to_be_visible()
            if name == "pipeline":  # the board is wider than the window: it scrolls in its own box
                scroll, client = await page.locator("#board").evaluate("(b) => [b.scrollWidth, b.clientWidth]")
                assert scroll > client, (scroll, client)
    finally:
        await page.context.close()
    assert widths == dict.fromkeys(widths, width)


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
async def test_navigation_opens_and_closes_on_a_phone_and_stays_open_on_a_laptop(
    browser: object, live_server: str, sessions: async_sessionmaker[AsyncSession], viewport: str
) -> None:
    shown = await make_showcase(sessions, "Nav Works")
    await make_showcase(sessions, "Other Nav", "O-")
    page = await _new_page(browser, live_server, viewport)
    try:
        await sign_in(page, shown.workspace)
        await page.goto(f"/w/{shown.workspace.slug}/erp/accounting/invoices/{shown.invoice}")
        navigation = page.locator("aside#workspace-sidebar")  # role locators skip it while it is folded away
        await expect(navigation).to_have_attribute("aria-label", "Workspace navigation")
        menu = page.get_by_role("button", name="Menu")
        current = navigation.locator('a[aria-current="page"]')
        await expect(current).to_have_count(1)
        await expect(current).to_have_text("Invoices")  # a detail page lights up its list, under its module
        await expect(navigation.locator(".nav-group.is-current .nav-group-label")).to_have_text("Accounting")
        if viewport == "laptop":
            await expect(menu).to_be_hidden()
            await expect(navigation).to_be_visible()
            return
        await expect(navigation).to_be_hidden()  # the content has the whole phone screen
        await expect(menu).to_have_attribute("aria-expanded", "false")
        await menu.click()
        await expect(menu).to_have_attribute("aria-expanded", "true")
        await expect(navigation).to_be_visible()
        await _look(page, "nav-open", viewport)
        await menu.click()
        await expect(navigation).to_be_hidden()
        await menu.press("Enter")  # the keyboard opens it too; Escape closes it and gives the focus back
        await expect(navigation).to_be_visible()
        await page.keyboard.press("Escape")
        await expect(navigation).to_be_hidden()
        await expect(menu).to_be_focused()
        await menu.click()
        await navigation.get_by_role("link", name="Contacts").click()
        await page.wait_for_url(re.compile(r"/crm/contacts/?$"))
        await expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "false")
    finally:
        await page.context.close()


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
async def test_sign_up_ticking_modules_by_clicking_their_labels(
    browser: object, live_server: str, sessions: async_sessionmaker[AsyncSession], viewport: str
) -> None:
    await make_showcase(sessions, "Existing Signup")
    page = await _new_page(browser, live_server, viewport)
    slug = unique_slug("labels")
    try:
        await page.goto("/signup")
        header_signup = page.get_by_role("link", name="Create a workspace")
        await expect(header_signup).to_have_attribute("href", "/signup")  # a link, not a second button
        await expect(page.get_by_role("button", name=re.compile("Create"))).to_have_count(1)
        await page.get_by_label("Company name").fill("Label Clickers")
        await expect(page.locator("#slug")).to_have_value("label-clickers")  # suggested (after a debounce)
        await htmx_idle(page)
        await page.locator("#slug").fill(slug)
        await expect(page.locator("#slug-status")).to_have_text(f"/w/{slug}/ is free.")
        await htmx_idle(page)
        await page.get_by_label("Your name").fill("Lia Labels")
        await page.get_by_label("Work e-mail").fill(unique_email("labels"))
        await page.get_by_label("Password").fill("Bl4ck-coffee-morning")
        crm, sales = page.locator("input[value=crm]"), page.locator('input[value="erp.sales"]')
        await page.locator("label.choice", has=crm).get_by_text("CRM", exact=True).click()  # the module's name
        await page.locator("label.choice", has=sales).locator("small").click()  # its description
        await expect(crm).to_be_checked()
        await expect(sales).to_be_checked()
        name_box = await page.locator("label.choice", has=crm).get_by_text("CRM", exact=True).bounding_box()
        description_box = await page.locator("label.choice", has=crm).locator("small").bounding_box()
        assert name_box is not None and description_box is not None
        assert description_box["y"] >= name_box["y"] + name_box["height"] - 1  # under the name, not over it
        await _look(page, "signup-ticked", viewport)
        await page.get_by_role("button", name="Create workspace").click()
        await page.wait_for_url(re.compile(rf"/w/{slug}/$"))
    finally:
        await page.context.close()
    async with sessions() as session:
        tenant_id = await session.scalar(select(Tenant.id).where(Tenant.slug == slug))
        enabled = await session.scalars(
            select(TenantModule.module_key).where(TenantModule.tenant_id == tenant_id, TenantModule.enabled)
        )
        assert {"crm", "erp.sales"} <= set(enabled)
