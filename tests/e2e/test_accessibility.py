"""axe-core (npm, pinned in platform/web/package.json devDependencies, never served) run by Playwright in Chromium on
the main pages (signup, home, contacts, pipeline, an invoice, settings, the contact and quote forms, the invoice
list) at a phone's and a laptop's width: no serious or critical WCAG violation. Two workspaces are seeded."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from playwright.async_api import Browser
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.platform.web.assets import NODE_MODULES
from nexo.tests.e2e.showcase import make_showcase, sign_in

pytestmark = pytest.mark.e2e
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
BLOCKING = {"serious", "critical"}
AXE_RUN = "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"


def _describe(violations: list[dict[str, Any]]) -> list[str]:
    return [
        f"{v['impact']} {v['id']}: {v['help']} at {[node['target'] for node in v['nodes']][:5]}" for v in violations
    ]


@pytest.mark.parametrize("width", [390, 1280])
async def test_main_pages_have_no_serious_or_critical_axe_violation(
    browser: object, live_server: str, sessions: async_sessionmaker[AsyncSession], width: int
) -> None:
    assert AXE.is_file(), "axe-core is missing: run `make install` (npm ci installs the dev packages)"
    async with httpx.AsyncClient(base_url=live_server) as client:  # a test tool, never served
        assert (await client.get("/static/vendor/axe-core/axe.min.js")).status_code == 404
    shown = await make_showcase(sessions, "Accessible Co")
    await make_showcase(sessions, "Other Accessible", "O-")
    assert isinstance(browser, Browser)
    # axe is injected as a script tag: the page's CSP (rightly) forbids that, so this test context bypasses it.
    context = await browser.new_context(base_url=live_server, viewport={"width": width, "height": 844}, bypass_csp=True)
    page = await context.new_page()
    base = f"/w/{shown.workspace.slug}"
    found: dict[str, list[str]] = {}
    try:
        for path in (
            "/signup",
            f"{base}/",
            f"{base}/crm/contacts/",
            f"{base}/crm/pipeline",
            f"{base}/erp/accounting/invoices/{shown.invoice}",
            f"{base}/settings/workspace",
            f"{base}/crm/contacts/new",
            f"{base}/erp/sales/quotes/new",
            f"{base}/erp/accounting/invoices",
        ):
            if path == f"{base}/":  # the public page first, then the workspace's
                await sign_in(page, shown.workspace)
            await page.goto(path)
            await page.add_script_tag(path=str(AXE))
            result = await page.evaluate(AXE_RUN, WCAG_TAGS)
            blocking = [v for v in result["violations"] if v["impact"] in BLOCKING]
            if blocking:
                found[path] = _describe(blocking)
    finally:
        await context.close()
    assert found == {}
