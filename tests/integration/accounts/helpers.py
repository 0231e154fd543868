"""Helpers shared by the account tests."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.platform.accounts.models import UserSession
from nexo.platform.settings import Settings

SESSION_COOKIE = "nexo_session"


async def session_rows(sessions: async_sessionmaker[AsyncSession], session_id: str | None = None) -> int:
    """How many server-side login sessions exist (all, or with ``session_id``)."""
    query = select(func.count()).select_from(UserSession)
    if session_id is not None:
        query = query.where(UserSession.session_id == session_id)
    async with sessions() as session:
        return int(await session.scalar(query) or 0)


def set_cookie_headers(response: Any, name: str = SESSION_COOKIE) -> list[str]:
    return [h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}=")]


@asynccontextmanager
async def app_with(settings: Settings, **changes: Any) -> AsyncIterator[AsyncTestClient[Litestar]]:
    """A separate app built from ``settings`` with some groups replaced, e.g. ``security=replace(...)``."""
    from nexo.platform.app import create_app

    changed = dataclasses.replace(settings, **changes)
    app = create_app(changed)
    try:
        async with AsyncTestClient(app=app, base_url=changed.app.base_url) as client:
            yield client
    finally:
        await app.state["nexo_engine"].dispose()


def session_cookie(client: AsyncTestClient[Litestar]) -> str | None:
    """The session id the client holds (the last one the server set)."""
    values = [cookie.value for cookie in client.cookies.jar if cookie.name == SESSION_COOKIE]
    return values[-1] if values else None


def plant_session_cookie(client: AsyncTestClient[Litestar], value: str) -> None:
    """Put ``value`` in the jar as the only session cookie, the way the server's host-only cookie is stored."""
    for cookie in [c for c in client.cookies.jar if c.name == SESSION_COOKIE]:
        client.cookies.jar.clear(cookie.domain, cookie.path, cookie.name)
    client.cookies.set(SESSION_COOKIE, value, domain="127.0.0.1", path="/")
