"""In headless Chromium: sign up (the address is suggested while typing), sign out, sign in, see the workspace home."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from nexo.tests.e2e.htmx import htmx_idle
from nexo.tests.factories import unique_email, unique_slug

pytestmark = pytest.mark.e2e
PASSWORD = "Bl4ck-coffee-morning"
SCREENSHOTS = os.environ.get("NEXO_E2E_SCREENSHOTS")  # a folder to keep screenshots in while developing
if SCREENSHOTS:
    Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)


async def screenshot(page: object, name: str) -> None:
    if SCREENSHOTS:
        await page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


async def test_sign_up_sign_out_sign_in_and_see_the_workspace_home(browser_page: object) -> None:
    from playwright.async_api import Page, expect

    page = browser_page
    assert isinstance(page, Page)
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    email, slug = unique_email("e2e"), unique_slug("e2e")

    await page.goto("/signup")
    await expect(page.get_by_role("heading", name="Create your workspace")).to_be_visible()
    await page.get_by_label("Company name").press_sequentially("Delta Stüdio", delay=20)
    await expect(page.locator("#slug")).to_have_value("delta-studio")  # suggested by htmx as the name was typed
    await screenshot(page, "signup")
    await htmx_idle(page)
    await page.locator("#slug").fill(slug)
    await expect(page.locator("#slug-status")).to_have_text(f"/w/{slug}/ is free.")
    await page.get_by_label("Your name").fill("Dana Delta")
    await page.get_by_label("Work e-mail").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Create workspace").click()
    await page.wait_for_url(re.compile(rf"/w/{slug}/$"))
    await expect(page.get_by_role("heading", name="Welcome to Delta Stüdio")).to_be_visible()
    await screenshot(page, "home")

    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url(re.compile(r"/login$"))
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await page.get_by_label("E-mail").fill(email)
    await page.get_by_label("Password").fill("wrong-password-123")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_have_text("Wrong e-mail or password.")
    await screenshot(page, "login-error")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(re.compile(rf"/w/{slug}/$"))
    await expect(page.get_by_role("heading", name="Welcome to Delta Stüdio")).to_be_visible()
    await expect(page.locator("#current-user")).to_have_text("Dana Delta")
    # No CSP violation or script error on the way (the wrong password's 400 is logged as a failed load: expected).
    assert [e for e in errors if not e.startswith("Failed to load resource")] == []
