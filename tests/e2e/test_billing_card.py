"""Chromium adds a card through the Stripe.js page that localstripe serves (the billing page's own billing.js)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.platform.settings import Settings
from nexo.tests.conftest import require_system_part
from nexo.tests.factories import DEFAULT_PASSWORD, make_workspace
from nexo.tests.integration.billing.conftest import (  # noqa: F401 - fixtures
    account_of,
    billing_on,
    free_port,
    localstripe,
    run_billing_jobs,
    stripe_settings,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_INSTALLED = Path(CHROMIUM).exists()


@pytest.fixture
def live_server(stripe_settings: Settings, billing_on: Settings) -> Iterator[str]:  # noqa: F811
    """The Stripe-enabled app served by uvicorn on a free port, in a thread."""
    from nexo.platform.app import create_app

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(stripe_settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the live server did not start"
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


async def test_owner_adds_a_card_with_stripe_js(
    live_server: str,
    billing_on: Settings,  # noqa: F811
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    require_system_part(CHROMIUM_INSTALLED, "Debian chromium is not installed")
    from playwright.async_api import async_playwright

    alpha = await make_workspace(sessions)
    beta = await make_workspace(sessions)
    await run_billing_jobs(billing_on)
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = await browser.new_page()
        await page.goto(f"{live_server}/login")
        await page.fill("input[name=email]", alpha.owner.email)
        await page.fill("input[name=password]", DEFAULT_PASSWORD)
        await page.click("form[action='/login'] button[type=submit]")
        await page.wait_for_load_state()
        await page.goto(f"{live_server}/w/{alpha.slug}/settings/billing")
        await page.wait_for_selector("#card-element input[placeholder=number]")
        await page.fill("#card-element input[placeholder=number]", "4242424242424242")
        await page.fill("#card-element input[placeholder=exp_month]", "12")
        await page.fill("#card-element input[placeholder=exp_year]", "30")
        await page.fill("#card-element input[placeholder=cvc]", "123")
        await page.fill("#card-element input[placeholder=postal_code]", "75001")
        await page.click("#card-form button[type=submit]")
        await page.wait_for_selector("#billing-card:has-text('4242')")  # after billing.js submitted the setup
        await browser.close()
    assert (await account_of(sessions, alpha)).card_label.endswith("4242")
    assert (await account_of(sessions, beta)).card_label == ""
