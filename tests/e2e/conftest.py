"""Browser harness: Nexo served by uvicorn on a free port against the test database, driven by Debian's Chromium.

Fixtures for every e2e test:
- ``live_server``: the base URL (``http://127.0.0.1:<port>``) of a real Nexo process (one per test session);
- ``browser``: headless Chromium (``/usr/bin/chromium``) launched through Playwright, one per session;
- ``browser_page``: a fresh page in a fresh context (own cookies) per test, ``base_url`` set to the live server.
Screenshots: ``await browser_page.screenshot(path=...)``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from nexo.platform.settings import REPO_ROOT, Settings
from nexo.tests.conftest import require_system_part
from nexo.tests.mailbox import free_port

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STARTUP_SECONDS = 60
CHROMIUM_PRESENT = CHROMIUM.exists()


def _wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"Nexo exited with {process.returncode} at start-up:\n{log_path.read_text()[-4000:]}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"Nexo did not answer /healthz in {STARTUP_SECONDS} s:\n{log_path.read_text()[-4000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()  # uvicorn shuts down gracefully on SIGTERM
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture(scope="session")
def live_server(settings: Settings, engine: AsyncEngine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Run Nexo (uvicorn, the real app factory) on a free 127.0.0.1 port; yield its base URL; stop it cleanly."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "PYTHONSAFEPATH": "1",
        "NEXO_HOST": "127.0.0.1",
        "NEXO_PORT": str(port),
        "NEXO_BASE_URL": base_url,
        "NEXO_DATABASE_URL": settings.db.url,
        "NEXO_SECRET_KEY": settings.app.secret_key,
        "NEXO_ENV": "test",
    }
    log_path = tmp_path_factory.mktemp("live-server") / "nexo.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "nexo.platform.app:create_app",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-access-log",
                "--lifespan",
                "on",
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(base_url, process, log_path)
        yield base_url
    finally:
        _stop(process)


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[object]:
    require_system_part(CHROMIUM_PRESENT, f"{CHROMIUM} is missing (apt-get install chromium)")
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            await chromium.close()


@pytest.fixture
async def browser_page(browser: object, live_server: str) -> AsyncIterator[object]:
    """A page in its own browser context (no shared cookies), with relative URLs resolved against the server."""
    from playwright.async_api import Browser

    assert isinstance(browser, Browser)
    context = await browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    try:
        yield page
    finally:
        await context.close()
