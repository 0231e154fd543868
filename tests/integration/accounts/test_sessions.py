"""Login sessions: none for anonymous visitors, a fresh id at every login, gone at logout, safe cookie flags."""

from __future__ import annotations

import dataclasses

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.platform.settings import Settings
from nexo.tests.factories import WebClient, Workspace
from nexo.tests.integration.accounts.helpers import (
    app_with,
    plant_session_cookie,
    session_cookie,
    session_rows,
    set_cookie_headers,
)


async def signed_in(client: AsyncTestClient[Litestar], cookie: str) -> bool:
    """Does ``cookie`` (a session id) authenticate on its own, in a cookie jar holding nothing else?"""
    saved = list(client.cookies.jar)
    client.cookies.clear()
    plant_session_cookie(client, cookie)
    response = await client.get("/workspaces", follow_redirects=False)
    client.cookies.clear()
    for item in saved:
        client.cookies.jar.set_cookie(item)
    return response.status_code == 200


async def test_anonymous_requests_create_no_session(
    client: AsyncTestClient[Litestar], sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace
) -> None:
    before = await session_rows(sessions)
    for path in ("/healthz", "/login", "/signup", "/password/forgot", f"/w/{tenant_a.slug}/"):
        response = await client.get(path, follow_redirects=False)
        assert response.status_code in (200, 302), (path, response.status_code)
        assert set_cookie_headers(response) == [], path
        assert session_cookie(client) is None
    assert await session_rows(sessions) == before


async def test_login_issues_a_new_session_id_and_planted_ids_are_worthless(
    web: WebClient,
    client: AsyncTestClient[Litestar],
    sessions: async_sessionmaker[AsyncSession],
    tenant_a: Workspace,
    tenant_b: Workspace,
) -> None:
    planted = "a" * 64  # an id an attacker set in the victim's browser before login
    plant_session_cookie(client, planted)
    await web.login(tenant_a.owner.email)
    first = session_cookie(client)
    assert first and first != planted
    assert await session_rows(sessions, planted) == 0
    assert await session_rows(sessions, first) == 1

    # Signing in again (here as someone else) rotates again: the pre-login cookie no longer authenticates.
    await web.login(tenant_b.owner.email)
    second = session_cookie(client)
    assert second and second != first
    assert await session_rows(sessions, first) == 0
    assert not await signed_in(client, first)
    assert not await signed_in(client, planted)
    assert await signed_in(client, second)


async def test_logout_deletes_the_server_side_session(
    web: WebClient,
    client: AsyncTestClient[Litestar],
    sessions: async_sessionmaker[AsyncSession],
    tenant_a: Workspace,
    tenant_b: Workspace,
) -> None:
    await web.login(tenant_a.owner.email)
    cookie = session_cookie(client)
    assert cookie and await session_rows(sessions, cookie) == 1
    assert (await web.get(f"/w/{tenant_a.slug}/")).status_code == 200

    response = await web.post("/logout")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert await session_rows(sessions, cookie) == 0
    assert not await signed_in(client, cookie)
    assert (await web.get(f"/w/{tenant_a.slug}/", follow_redirects=False)).status_code == 302


async def test_session_cookie_flags(web: WebClient, tenant_a: Workspace) -> None:
    response = await web.login(tenant_a.owner.email)
    (header,) = set_cookie_headers(response)
    lowered = header.lower()
    assert "httponly" in lowered and "samesite=lax" in lowered
    assert "secure" not in lowered.replace("samesite", "")  # plain-http localhost: browsers would drop it


async def test_session_cookie_is_secure_outside_localhost(settings: Settings, tenant_a: Workspace) -> None:
    public = dataclasses.replace(settings.app, base_url="https://nexo.example.com")
    async with app_with(settings, app=public) as client:
        secure_web = WebClient(client)
        response = await secure_web.login(tenant_a.owner.email)
        (header,) = set_cookie_headers(response)
        assert "; secure" in header.lower() and "httponly" in header.lower() and "samesite=lax" in header.lower()
