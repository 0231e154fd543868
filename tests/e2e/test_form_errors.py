"""In headless Chromium: every kind of form shows the server's refusal in place, next to the field (signup, login, a
contact, a quote, an invoice payment, workspace settings, an invitation), through the one handler the base layout
loads. A refusal that comes as a whole error page (a module switched off meanwhile) and a failed gateway (503) show
a message in the form instead of nothing. Two workspaces are seeded; nothing is written by a refused form."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, Route, expect
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.directory.models import Person
from nexo.modules.erp.accounting.models import Payment
from nexo.modules.erp.sales.models import Quote
from nexo.tenants.models import Tenant
from nexo.tenants.module_switches import disable_module
from nexo.tests.e2e.htmx import htmx_idle
from nexo.tests.e2e.showcase import Showcase, make_showcase, sign_in
from nexo.tests.factories import Workspace, tenant_session, unique_slug

pytestmark = pytest.mark.e2e


async def expect_field_error(page: Page, field: str) -> str:
    """The field is marked invalid, points at its message, and the message is visible right under it."""
    control, message = page.locator(f"#{field}"), page.locator(f"#{field}-error")
    await expect(control).to_have_attribute("aria-invalid", "true")
    await expect(control).to_have_attribute("aria-describedby", f"{field}-error")
    await expect(message).to_be_visible()
    text = (await message.inner_text()).strip()
    box, below = await control.bounding_box(), await message.bounding_box()
    assert text and box is not None and below is not None
    assert 0 <= below["y"] - (box["y"] + box["height"]) < 80, (field, box, below)  # next to the field, not elsewhere
    return text


async def _count(sessions: async_sessionmaker[AsyncSession], ws: Workspace, column: object) -> int:
    session = await tenant_session(sessions, ws)
    async with session:
        return int(await session.scalar(select(func.count(column))) or 0)


async def test_signup_and_login_show_their_refusals(
    browser_page: object, sessions: async_sessionmaker[AsyncSession]
) -> None:
    page = browser_page
    assert isinstance(page, Page)
    slug = unique_slug("refused")
    await page.goto("/signup")
    await page.get_by_label("Company name").fill("Refused Ltd")
    await expect(page.locator("#slug")).to_have_value("refused-ltd")  # suggested (after a debounce)
    await htmx_idle(page)
    await page.locator("#slug").fill(slug)
    await expect(page.locator("#slug-status")).to_have_text(f"/w/{slug}/ is free.")
    await htmx_idle(page)
    await page.get_by_label("Your name").fill("Rita Refused")
    await page.get_by_label("Work e-mail").fill("rita@")
    await page.get_by_label("Password").fill("short")
    await page.get_by_role("button", name="Create workspace").click()  # htmx: the 400 comes back with the errors
    await expect_field_error(page, "email")
    await expect_field_error(page, "password")
    await expect(page.locator("#email")).to_be_focused()  # the keyboard lands on the first field to correct
    await expect(page.get_by_label("Company name")).to_have_value("Refused Ltd")  # what was typed is kept
    async with sessions() as session:
        assert await session.scalar(select(func.count()).where(Tenant.slug == slug)) == 0

    await page.goto("/login")
    await page.get_by_label("E-mail").fill("nobody@example.com")
    await page.get_by_label("Password").fill("wrong-password-123")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("form").get_by_role("alert").or_(page.get_by_role("alert"))).to_have_text(
        "Wrong e-mail or password."
    )


async def test_workspace_forms_show_their_refusals_next_to_the_field(
    browser_page: object, sessions: async_sessionmaker[AsyncSession]
) -> None:
    page = browser_page
    assert isinstance(page, Page)
    shown: Showcase = await make_showcase(sessions, "Refusals Inc")
    other = await make_showcase(sessions, "Other Refusals", "O-")
    ws, base = shown.workspace, f"/w/{shown.workspace.slug}"
    people, quotes = await _count(sessions, ws, Person.id), await _count(sessions, ws, Quote.id)
    await sign_in(page, ws)

    await page.goto(f"{base}/crm/contacts/new")  # a contact: a plain form, re-rendered with a 400
    await page.get_by_label("First name").fill("Ada")
    await page.get_by_label("Last name").fill("Byron")
    await page.fill("#email", "ada-at-example")
    await page.click("#save-contact")
    await expect_field_error(page, "email")

    await page.goto(f"{base}/erp/sales/quotes/new")  # a quote: a quantity that is not a number
    await page.select_option("#customer", str(shown.customer))
    await page.select_option("#product_0", index=1)
    await page.fill("#quantity_0", "three")
    await page.get_by_role("button", name="Save").click()
    await expect_field_error(page, "quantity_0")

    await page.goto(f"{base}/erp/accounting/invoices/{shown.invoice}")  # an invoice payment: htmx, swapped in place
    await page.get_by_label("Amount").fill("-5")
    await page.click("#pay-button")
    await expect_field_error(page, "amount")
    await expect(page.locator("#amount")).to_be_focused()

    await page.goto(f"{base}/settings/workspace")  # settings: a plain form
    await page.get_by_label("Workspace name").fill("")
    await page.get_by_role("button", name="Save settings").click()
    await expect_field_error(page, "name")

    await page.goto(f"{base}/settings/members")  # an invitation: htmx, swapped in place
    await page.locator("#invite-form").get_by_label("E-mail").fill("not-an-address")
    await page.locator("#invite-form").get_by_role("button").click()
    await expect_field_error(page, "email")

    assert (await _count(sessions, ws, Person.id), await _count(sessions, ws, Quote.id)) == (people, quotes)
    assert await _count(sessions, ws, Payment.id) == 0
    assert await _count(sessions, other.workspace, Payment.id) == 0


async def test_whole_page_refusals_and_server_failures_show_a_message_in_the_form(
    browser_page: object, sessions: async_sessionmaker[AsyncSession]
) -> None:
    page = browser_page
    assert isinstance(page, Page)
    shown = await make_showcase(sessions, "Failures Ltd")
    await make_showcase(sessions, "Other Failures", "O-")
    ws, base = shown.workspace, f"/w/{shown.workspace.slug}"
    await sign_in(page, ws)

    # A member has the page open while an admin switches the module off: the 403 page's sentence shows in the form.
    await page.goto(f"{base}/erp/manufacturing/work-orders")
    async with sessions() as session:
        tenant = await session.get(Tenant, ws.tenant.id)
        assert tenant is not None
        await disable_module(session, tenant, "erp.manufacturing")
        await session.commit()
    form = page.locator("form[hx-post$='/work-orders']")
    await form.get_by_role("button", name="Plan").click()
    await expect(form.locator(".htmx-error")).to_contain_text("module is off in this workspace")
    await expect(form).to_be_visible()  # nothing was swapped over the page

    # A gateway in front of Nexo fails (503): a friendly message with the request id, the form stays as typed.
    async def gateway_down(route: Route) -> None:
        await route.fulfill(status=503, headers={"x-request-id": "req-5f3a"}, body="upstream unavailable")

    await page.goto(f"{base}/erp/accounting/invoices/{shown.invoice}")
    await page.route("**/payments", gateway_down)
    await page.get_by_label("Reference").fill("bank transfer 42")
    await page.click("#pay-button")
    message = page.locator("#invoice form .htmx-error")
    await expect(message).to_contain_text("Something went wrong on our side")
    await expect(message).to_contain_text("req-5f3a")
    await expect(page.get_by_label("Reference")).to_have_value("bank transfer 42")
    await page.unroute("**/payments")
    await page.click("#pay-button")  # the next attempt clears the message and goes through
    await expect(page.locator("#invoice-payments li[id^=payment-]")).to_have_count(1)
    await expect(page.locator(".htmx-error")).to_have_count(0)
