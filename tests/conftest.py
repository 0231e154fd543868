"""Shared fixtures: a real PostgreSQL database per run (embedded by default), the app, clients, two workspaces."""

from __future__ import annotations

import datetime
import os
import secrets
import signal
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from nexo.platform import clock
from nexo.platform.composition import register_models
from nexo.platform.db.engine import create_engine, create_session_maker, normalize_url
from nexo.platform.settings import REPO_ROOT, Settings
from nexo.tests.database import temporary_database
from nexo.tests.days import TODAY
from nexo.tests.factories import WebClient, Workspace, make_workspace
from nexo.tests.mailbox import Mailbox, start_smtp_server

register_models()  # the suite composes the app's parts as the app factory and the CLI do

# "Today" for every test (tests/days.py): documents the services date today (an invoice, a delivery, a payment
# without a date) fall on this day, and tests write their dates as offsets from it, so the suite passes on any day.


@pytest.fixture(autouse=True)
def fixed_today() -> Iterator[datetime.date]:
    with clock.frozen(TODAY) as day:
        yield day


IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_system_part(available: bool, reason: str) -> None:
    """Skip where a system part is missing on a laptop; never under CI, where .ci/run installs it."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: .ci/run must install it)")
    pytest.skip(reason)


def pytest_configure(config: pytest.Config) -> None:
    """SIGTERM ends a run the way Ctrl-C does: fixtures are torn down (the run's database dropped, servers and
    temporary folders cleaned up) before the process exits, instead of dying on the spot."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, signal.default_int_handler)


@pytest.fixture(scope="session")
def pg_data_dir() -> Path:
    """The embedded test server's data folder: kept and reused between runs (each run gets a fresh database), so
    runs skip initdb; the server itself is stopped when the last test process using it exits."""
    shared = os.environ.get("NEXO_TEST_PGDATA")
    return Path(shared) if shared else REPO_ROOT / ".nexo" / "test-pgdata"


@pytest.fixture(scope="session")
def new_database(pg_data_dir: Path) -> Callable[[], AbstractContextManager[str]]:
    """Makes a fresh database (a libpq URL, dropped on exit) on the server the suite runs on: the embedded one or
    ``NEXO_TEST_DATABASE_URL`` here, the Citus cluster in tests/citus."""
    return lambda: temporary_database(pg_data_dir)


@pytest.fixture(scope="session")
def database_url(new_database: Callable[[], AbstractContextManager[str]]) -> Iterator[str]:
    with new_database() as url:
        yield normalize_url(url)


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    controller, mailbox, port = start_smtp_server()
    yield mailbox, port
    controller.stop()


@pytest.fixture
def mailbox(smtp_server: tuple[Mailbox, int]) -> Mailbox:
    """Every e-mail Nexo sends during the test, received by a real SMTP server."""
    box = smtp_server[0]
    box.messages.clear()
    return box


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory, smtp_server: tuple[Mailbox, int]) -> Settings:
    os.environ.update(
        {
            "NEXO_SMTP_URL": f"smtp://127.0.0.1:{smtp_server[1]}",
            "NEXO_ENV": "test",
            "NEXO_DATABASE_URL": database_url,
            "NEXO_SECRET_KEY": secrets.token_urlsafe(48),
            "NEXO_DATA_DIR": str(tmp_path_factory.mktemp("nexo-data")),
            "NEXO_LOGIN_RATE_PER_MINUTE": os.environ.get("NEXO_LOGIN_RATE_PER_MINUTE", "1000"),
            "NEXO_SIGNUP_RATE_PER_MINUTE": os.environ.get("NEXO_SIGNUP_RATE_PER_MINUTE", "1000"),
            # the webhook tests' receivers listen on 127.0.0.1 (the SSRF tests turn this off for themselves)
            "NEXO_WEBHOOKS_ALLOW_PRIVATE_RECEIVERS": "1",
        }
    )
    return Settings.from_env()


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    from nexo.platform.migrations.runner import upgrade_public

    engine = create_engine(settings)
    async with engine.begin() as connection:
        await connection.run_sync(upgrade_public)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_maker(engine)


@pytest.fixture(scope="session")
def app(settings: Settings, engine: AsyncEngine) -> Litestar:
    from nexo.platform.app import create_app

    return create_app(settings)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as test_client:
        yield test_client


@pytest.fixture
async def web(client: AsyncTestClient[Litestar]) -> WebClient:
    return WebClient(client)


@pytest.fixture
async def tenant_a(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await make_workspace(sessions, name="Alpha Corp")


@pytest.fixture
async def tenant_b(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await make_workspace(sessions, name="Beta Ltd")
