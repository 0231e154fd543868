"""The session store's cost per page view: one SELECT, no write when nothing changed, a lazy expiry refresh.

Time is moved by moving the row's expiry (as if its last refresh happened longer ago), never by sleeping.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import event, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.platform.accounts.models import UserSession
from nexo.platform.accounts.sessions import DatabaseSessionConfig, RotatingSessionBackend
from nexo.platform.db.engine import libpq_url
from nexo.platform.settings import Settings
from nexo.tests.conftest import require_system_part
from nexo.tests.factories import WebClient, Workspace
from nexo.tests.integration.accounts.helpers import app_with, session_cookie, session_rows, set_cookie_headers
from nexo.tests.pgbouncer import find_pgbouncer, running_pgbouncer


@contextmanager
def session_statements(app: Litestar) -> Iterator[list[str]]:
    """Every SQL statement the app runs against the session table while the block is open."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "user_sessions" in statement:
            seen.append(" ".join(statement.split()))

    sync_engine = app.state["nexo_engine"].sync_engine
    event.listen(sync_engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(sync_engine, "before_cursor_execute", record)


async def expiry_of(sessions: async_sessionmaker[AsyncSession], session_id: str) -> datetime.datetime:
    async with sessions() as session:
        value = await session.scalar(select(UserSession.expires_at).where(UserSession.session_id == session_id))
    assert value is not None
    return value


async def move_expiry(sessions: async_sessionmaker[AsyncSession], session_id: str, by: datetime.timedelta) -> None:
    """Shift the row's expiry by ``by`` (negative: as if its last use lay further in the past)."""
    moved = await expiry_of(sessions, session_id) + by
    async with sessions() as session:
        await session.execute(update(UserSession).where(UserSession.session_id == session_id).values(expires_at=moved))
        await session.commit()


def refresh_interval(app: Litestar) -> datetime.timedelta:
    (config,) = [m.kwargs["backend"].config for m in app.middleware if hasattr(m, "kwargs") and "backend" in m.kwargs]
    assert isinstance(config, DatabaseSessionConfig)
    return datetime.timedelta(seconds=config.effective_refresh_interval)


async def signed_in_session(web: WebClient, client: AsyncTestClient[Litestar], workspace: Workspace) -> str:
    await web.login(workspace.owner.email)
    cookie = session_cookie(client)
    assert cookie
    return cookie


async def test_a_page_view_that_changes_nothing_reads_once_and_writes_nothing(
    app: Litestar,
    web: WebClient,
    client: AsyncTestClient[Litestar],
    sessions: async_sessionmaker[AsyncSession],
    tenant_a: Workspace,
    tenant_b: Workspace,
) -> None:
    cookie = await signed_in_session(web, client, tenant_a)
    before = await expiry_of(sessions, cookie)
    with session_statements(app) as statements:
        for path in (f"/w/{tenant_a.slug}/", "/workspaces", f"/w/{tenant_a.slug}/"):
            response = await web.get(path, follow_redirects=False)
            assert response.status_code == 200, path
            assert set_cookie_headers(response) == [], path  # nothing re-issued
    assert len(statements) == 3 and all(s.startswith("SELECT") for s in statements), statements
    assert await expiry_of(sessions, cookie) == before
    assert (await web.get(f"/w/{tenant_b.slug}/", follow_redirects=False)).status_code == 404  # still not a member


async def test_the_expiry_is_refreshed_once_the_interval_has_passed(
    app: Litestar,
    web: WebClient,
    client: AsyncTestClient[Litestar],
    sessions: async_sessionmaker[AsyncSession],
    tenant_a: Workspace,
) -> None:
    cookie = await signed_in_session(web, client, tenant_a)
    interval = refresh_interval(app)
    await move_expiry(sessions, cookie, -(interval + datetime.timedelta(seconds=5)))
    moved = await expiry_of(sessions, cookie)

    with session_statements(app) as statements:
        response = await web.get(f"/w/{tenant_a.slug}/", follow_redirects=False)
    assert response.status_code == 200
    assert [s.split()[0] for s in statements] == ["SELECT", "UPDATE"], statements
    refreshed = await expiry_of(sessions, cookie)
    assert refreshed > moved + interval  # pushed a full max-age forward from now
    (header,) = set_cookie_headers(response)  # the cookie's own lifetime is renewed with the row
    assert header.startswith(f"nexo_session={cookie};") and "httponly" in header.lower()
    assert session_cookie(client) == cookie  # the same id: a refresh is not a rotation

    with session_statements(app) as statements:  # and the next view writes nothing again
        assert (await web.get(f"/w/{tenant_a.slug}/", follow_redirects=False)).status_code == 200
    assert [s.split()[0] for s in statements] == ["SELECT"]
    assert await expiry_of(sessions, cookie) == refreshed


async def test_just_inside_the_interval_nothing_is_written(
    app: Litestar,
    web: WebClient,
    client: AsyncTestClient[Litestar],
    sessions: async_sessionmaker[AsyncSession],
    tenant_a: Workspace,
) -> None:
    cookie = await signed_in_session(web, client, tenant_a)
    await move_expiry(sessions, cookie, -(refresh_interval(app) / 2))
    moved = await expiry_of(sessions, cookie)
    assert (await web.get(f"/w/{tenant_a.slug}/", follow_redirects=False)).status_code == 200
    assert await expiry_of(sessions, cookie) == moved


async def test_an_expired_session_is_refused_and_removed(
    app: Litestar,
    web: WebClient,
    client: AsyncTestClient[Litestar],
    sessions: async_sessionmaker[AsyncSession],
    tenant_a: Workspace,
) -> None:
    cookie = await signed_in_session(web, client, tenant_a)
    max_age = datetime.timedelta(seconds=app.state["nexo_settings"].security.session_max_age_seconds)
    await move_expiry(sessions, cookie, -(max_age + datetime.timedelta(seconds=1)))  # idle longer than max age

    response = await web.get(f"/w/{tenant_a.slug}/", follow_redirects=False)
    assert response.status_code == 302 and response.headers["location"].startswith("/login")
    (header,) = set_cookie_headers(response)
    assert header.startswith("nexo_session=null;")  # the browser drops its cookie
    assert await session_rows(sessions, cookie) == 0
    assert (await web.get("/workspaces", follow_redirects=False)).status_code == 302


async def test_a_changed_session_is_written(
    app: Litestar,
    web: WebClient,
    client: AsyncTestClient[Litestar],
    sessions: async_sessionmaker[AsyncSession],
    tenant_a: Workspace,
    tenant_b: Workspace,
) -> None:
    """Signing in again with a live session: new data under a new id, the old row gone, in single statements."""
    first = await signed_in_session(web, client, tenant_a)
    with session_statements(app) as statements:
        await web.login(tenant_b.owner.email)
    second = session_cookie(client)
    assert second and second != first
    kinds = [s.split()[0] for s in statements]
    assert kinds.count("DELETE") == 1 and kinds.count("INSERT") == 1 and "UPDATE" not in kinds, statements
    assert await session_rows(sessions, first) == 0 and await session_rows(sessions, second) == 1
    assert (await web.get(f"/w/{tenant_b.slug}/", follow_redirects=False)).status_code == 200


async def test_the_session_store_works_behind_pgbouncer_in_transaction_mode(
    settings: Settings,
    database_url: str,
    sessions: async_sessionmaker[AsyncSession],
    tenant_a: Workspace,
    tenant_b: Workspace,
) -> None:
    """Autocommit reads and single-statement writes through PgBouncer: login, views, refresh, logout.

    One server connection: the writes (login, logout, a refresh) go out with the response headers, before the
    request's own transaction is committed, so they must ride in it; on a connection of their own they would wait
    for that one server connection forever (PgBouncer's ``query_wait_timeout``).
    """
    require_system_part(find_pgbouncer() is not None, "pgbouncer is not installed (apt-get install pgbouncer)")
    with running_pgbouncer(libpq_url(database_url), server_connections=1) as bouncer_url:
        db = dataclasses.replace(settings.db, url=bouncer_url, behind_pgbouncer=True)
        async with app_with(settings, db=db) as client:
            web = WebClient(client)
            cookie = await signed_in_session(web, client, tenant_a)
            for _ in range(3):
                assert (await web.get(f"/w/{tenant_a.slug}/", follow_redirects=False)).status_code == 200
            assert (await web.get(f"/w/{tenant_b.slug}/", follow_redirects=False)).status_code == 404
            await move_expiry(sessions, cookie, -datetime.timedelta(minutes=5))
            moved = await expiry_of(sessions, cookie)
            assert (await web.get(f"/w/{tenant_a.slug}/", follow_redirects=False)).status_code == 200
            assert await expiry_of(sessions, cookie) > moved
            assert (await web.post("/logout")).status_code == 303
            assert await session_rows(sessions, cookie) == 0


def test_the_refresh_interval_defaults_to_a_minute_or_a_tenth_of_max_age() -> None:
    assert DatabaseSessionConfig(max_age=14 * 24 * 3600).effective_refresh_interval == 60
    assert DatabaseSessionConfig(max_age=300).effective_refresh_interval == 30
    assert DatabaseSessionConfig(max_age=300, refresh_interval=5).effective_refresh_interval == 5
    assert RotatingSessionBackend.__mro__[1].__name__ == "SQLAlchemyAsyncSessionBackend"  # advanced-alchemy's backend
