"""In headless Chromium: a sale taken through the pages, quote → confirmed sales order → delivery → invoice, in one of
two seeded workspaces; the other workspace sees none of it."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.erp.accounting.models import Invoice
from nexo.modules.erp.sales.models import Quote, SalesOrder
from nexo.tests.factories import DEFAULT_PASSWORD, Workspace, make_workspace, tenant_session
from nexo.tests.integration.erp.helpers import seed_stocked_catalog

pytestmark = pytest.mark.e2e
ERP_MODULES = ("erp.inventory", "erp.sales", "erp.accounting")


async def _rows(sessions: async_sessionmaker[AsyncSession], ws: Workspace, model: Any) -> list[Any]:
    session = await tenant_session(sessions, ws)
    async with session:
        return list(await session.scalars(select(model).order_by(model.id)))


async def test_quote_to_order_to_delivery_to_invoice_in_the_browser(
    browser_page: object, sessions: async_sessionmaker[AsyncSession]
) -> None:
    from playwright.async_api import Page, expect

    page = browser_page
    assert isinstance(page, Page)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    workspace = await make_workspace(sessions, name="Browser ERP", modules=ERP_MODULES)
    other = await make_workspace(sessions, name="Other ERP", modules=ERP_MODULES)
    cat = await seed_stocked_catalog(sessions, workspace, widgets=20)
    await seed_stocked_catalog(sessions, other, "O-", widgets=20)

    await page.goto("/login")
    await page.fill("#email", workspace.owner.email)
    await page.fill("#password", DEFAULT_PASSWORD)
    await page.click('form[action="/login"] button[type=submit]')  # not the header's language switch
    await page.wait_for_url(lambda url: "/login" not in url)

    sales = f"/w/{workspace.slug}/erp/sales"
    await page.goto(f"{sales}/quotes/new")
    await page.select_option("#customer", str(cat.customer))
    await page.select_option("#product_0", str(cat.widget))
    await page.fill("#quantity_0", "3")
    await page.get_by_role("button", name="Save").click()
    await page.wait_for_url(re.compile(r"/erp/sales/quotes/\d+$"))
    await expect(page.locator("#quote-total")).to_contain_text("30.00")

    await page.select_option("#warehouse", str(cat.warehouse))
    await page.click("#confirm-quote")
    await page.wait_for_url(re.compile(r"/erp/sales/orders/\d+$"))
    await expect(page.locator("#sales-order h1")).to_contain_text("open")

    await page.click("#deliver-button")  # htmx swaps the order in place
    await expect(page.locator("#order-deliveries li[id^=delivery-]")).to_have_count(1)
    await expect(page.locator("#sales-order h1")).to_contain_text("delivered")

    await page.click("#invoice-button")
    await page.wait_for_url(re.compile(r"/erp/accounting/invoices/\d+$"))
    await expect(page.locator("#invoice-total")).to_contain_text("36.00")  # 3 x 10.00 + 20 % tax
    assert errors == []

    [quote] = await _rows(sessions, workspace, Quote)
    [order] = await _rows(sessions, workspace, SalesOrder)
    [invoice] = await _rows(sessions, workspace, Invoice)
    assert (quote.status, order.quote_id, order.status) == ("accepted", quote.id, "delivered")
    assert (invoice.sales_order_id, invoice.status, invoice.total) == (order.id, "open", Decimal("36.00"))
    assert await _rows(sessions, other, SalesOrder) == [] and await _rows(sessions, other, Invoice) == []
    await page.goto(f"/w/{other.slug}/erp/sales/orders/{order.id}")
    await expect(page.locator("body")).to_contain_text("no workspace at this address")
