"""In headless Chromium: create a contact, then move an opportunity across the pipeline board (drag, then keyboard).

A minimal live server runs the real app (uvicorn, in a thread) on the test database; the workspace is provisioned
with CRM on.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from litestar import Litestar
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.crm.models import Opportunity, Stage
from nexo.modules.directory.models import Person
from nexo.platform.settings import Settings
from nexo.tests.conftest import require_system_part
from nexo.tests.factories import DEFAULT_PASSWORD, Workspace, make_workspace, tenant_session

pytestmark = pytest.mark.e2e
CHROMIUM = "/usr/bin/chromium"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def live_server(settings: Settings) -> Iterator[str]:
    from nexo.platform.app import create_app
    from nexo.platform.core import job_queue_lifespan

    app: Litestar = create_app(settings)
    # The job queue app is process-global: opening and closing it from this server's thread would close it for the
    # other tests too. The CRM pages defer no jobs, so this server runs without it.
    app._lifespan_managers = [m for m in app._lifespan_managers if m is not job_queue_lifespan]
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


async def _rows(sessions: async_sessionmaker[AsyncSession], ws: Workspace, model: type) -> list:
    session = await tenant_session(sessions, ws)
    async with session:
        return list(await session.scalars(select(model).order_by(model.id)))


async def test_create_contact_and_move_opportunity_across_the_board(
    live_server: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    require_system_part(shutil.which(CHROMIUM) is not None, "Debian chromium is not installed")
    from playwright.async_api import async_playwright

    workspace = await make_workspace(sessions, name="Browser CRM", modules=("crm",))
    other = await make_workspace(sessions, name="Other CRM", modules=("crm",))
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        page = await browser.new_page()
        await page.goto(f"{live_server}/login")
        await page.fill("#email", workspace.owner.email)
        await page.fill("#password", DEFAULT_PASSWORD)
        await page.click("button[type=submit]")
        await page.wait_for_url(lambda url: "/login" not in url)

        await page.goto(f"{live_server}/w/{workspace.slug}/crm/contacts/new")
        await page.fill("#first_name", "Ada")
        await page.fill("#last_name", "Lovelace")
        await page.fill("#email", "ada@engines.example.com")
        await page.click("#save-contact")
        await page.wait_for_selector("#contact-name")
        assert await page.inner_text("#contact-name") == "Ada Lovelace"

        await page.goto(f"{live_server}/w/{workspace.slug}/crm/opportunities/new")
        await page.fill("#title", "Analytical engine")
        await page.fill("#amount", "5000")
        await page.click("#save-opportunity")
        await page.wait_for_selector("#opportunity-title")

        await page.goto(f"{live_server}/w/{workspace.slug}/crm/pipeline")
        stages = await _rows(sessions, workspace, Stage)
        [deal] = await _rows(sessions, workspace, Opportunity)
        card = page.locator(f"#card-{deal.id}")
        target = page.locator(f'.board-cards[data-stage-id="{stages[1].id}"]')
        box, goal = await card.bounding_box(), await target.bounding_box()
        assert box is not None and goal is not None
        await page.mouse.move(box["x"] + 10, box["y"] + 10)
        await page.mouse.down()
        for step in range(1, 21):
            await page.mouse.move(box["x"] + 10 + (goal["x"] + 20 - box["x"]) * step / 20,
                                  goal["y"] + 20)  # fmt: skip
            await asyncio.sleep(0.02)
        await page.mouse.up()
        await page.wait_for_selector(f'.board-cards[data-stage-id="{stages[1].id}"] #card-{deal.id}')
        await _wait_for_stage(sessions, workspace, deal.id, stages[1].id)

        # Keyboard: focus the card's "next stage" button and press Enter.
        await page.focus(f'#card-{deal.id} button[aria-label^="Move Analytical engine to the next"]')
        await page.keyboard.press("Enter")
        await page.wait_for_selector(f'.board-cards[data-stage-id="{stages[2].id}"] #card-{deal.id}')
        await _wait_for_stage(sessions, workspace, deal.id, stages[2].id)
        await browser.close()

    assert [p.last_name for p in await _rows(sessions, workspace, Person)] == ["Lovelace"]
    assert await _rows(sessions, other, Person) == [] and await _rows(sessions, other, Opportunity) == []


async def _wait_for_stage(sessions: async_sessionmaker[AsyncSession], ws: Workspace, deal_id: int,
                          stage_id: int) -> None:  # fmt: skip
    for _ in range(50):
        deals = {d.id: d for d in await _rows(sessions, ws, Opportunity)}
        if deals[deal_id].stage_id == stage_id:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the deal did not reach stage {stage_id}")
