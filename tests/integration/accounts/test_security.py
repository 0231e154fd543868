"""CSRF on unsafe cookie-authenticated requests, rate limits with a human 429, security headers and CSP."""

from __future__ import annotations

import dataclasses
import re

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.directory.models import Person
from nexo.platform.accounts.models import KeyValueEntry
from nexo.platform.settings import Settings
from nexo.tenants.models import Tenant
from nexo.tests.factories import WebClient, Workspace, tenant_session
from nexo.tests.integration.accounts.helpers import app_with


async def people_in(sessions: async_sessionmaker[AsyncSession], workspace: Workspace) -> int:
    session = await tenant_session(sessions, workspace)
    async with session:
        return int(await session.scalar(select(func.count()).select_from(Person)) or 0)


async def test_unsafe_requests_without_csrf_token_are_refused_and_change_nothing(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    await web.login(tenant_a.owner.email)
    person = {"first_name": "Eve", "last_name": "Forged"}
    url = f"/w/{tenant_a.slug}/directory/people/new"
    refused = await web.post(url, person, csrf=False)
    assert refused.status_code == 403 and "CSRF" in refused.text
    wrong = await web.post(url, person, csrf=False, headers={"x-csrftoken": "forged-token"})
    assert wrong.status_code == 403
    assert await people_in(sessions, tenant_a) == await people_in(sessions, tenant_b) == 0

    logout = await web.post("/logout", csrf=False)
    assert logout.status_code == 403
    assert (await web.get(f"/w/{tenant_a.slug}/")).status_code == 200  # still signed in

    async with sessions() as session:
        tenants_before = await session.scalar(select(func.count()).select_from(Tenant))
    signup = {
        "company_name": "Forged Co",
        "slug": "forged-co",
        "owner_name": "Eve",
        "email": "eve@example.com",
        "password": "Sup3r-secret-pass",
    }
    assert (await web.post("/signup", signup, csrf=False)).status_code == 403
    async with sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Tenant)) == tenants_before

    accepted = await web.post(url, person)  # the same request with the token goes through
    assert accepted.status_code == 303
    assert (await people_in(sessions, tenant_a), await people_in(sessions, tenant_b)) == (1, 0)


async def test_login_and_signup_are_rate_limited_with_a_clear_message(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    async with sessions() as session:  # counters left by earlier tests live in the same table: start from zero
        await session.execute(delete(KeyValueEntry).where(KeyValueEntry.namespace.like("rate_limit_%")))
        await session.commit()
    security = dataclasses.replace(settings.security, login_rate_per_minute=3, signup_rate_per_minute=2)
    async with app_with(settings, security=security) as client:
        web = WebClient(client)
        wrong = {"email": tenant_a.owner.email, "password": "not-the-password"}
        statuses = [(await web.post("/login", wrong)).status_code for _ in range(3)]
        assert statuses == [400, 400, 400]
        limited = await web.post("/login", {"email": tenant_a.owner.email, "password": "Tr0ub4dor&3-horse"})
        assert limited.status_code == 429
        retry_after = int(limited.headers["retry-after"])
        assert 1 <= retry_after <= 60
        assert f"Please wait {retry_after} second" in limited.text and "try again" in limited.text
        assert "nexo_session" not in limited.headers.get("set-cookie", "")  # the right password did not get in

        assert (await web.get("/login")).status_code == 200  # only attempts are counted, not page views
        for _ in range(2):
            assert (await web.post("/signup", {"company_name": ""})).status_code == 400
        too_many = await web.post("/signup", {"company_name": ""})
        assert too_many.status_code == 429 and "Please wait" in too_many.text and too_many.headers["retry-after"]


PAGES_ANONYMOUS = ("/login", "/signup", "/password/forgot")


async def test_security_headers_and_csp_without_inline_code(
    web: WebClient, client: AsyncTestClient[Litestar], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    response = await client.get("/login")
    csp = {d.split()[0]: d.split()[1:] for d in response.headers["content-security-policy"].split("; ")}
    assert csp["script-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]
    assert "'self'" in csp["default-src"] and "'self'" in csp["form-action"]
    for directive in csp.values():
        assert "'unsafe-inline'" not in directive and "'unsafe-eval'" not in directive
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "strict-transport-security" not in response.headers  # plain-http localhost
    assert (await client.get("/healthz")).headers["x-content-type-options"] == "nosniff"

    await web.login(tenant_a.owner.email)
    pages = [*PAGES_ANONYMOUS, "/workspaces", f"/w/{tenant_a.slug}/", f"/w/{tenant_a.slug}/directory/people"]
    for path in pages:
        html = (await client.get(path)).text
        assert re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html) is None, f"inline script on {path}"
        assert re.search(r"\son[a-z]+=", html) is None, f"inline event handler on {path}"
        assert re.search(r"\sstyle=", html) is None, f"inline style on {path}"
        assert "<style" not in html, f"inline style block on {path}"


async def test_the_csrf_cookie_is_httponly(client: AsyncTestClient[Litestar]) -> None:
    """Pages carry the token in a meta tag and form fields, so no script needs to read the cookie."""
    page = await client.get("/login")
    cookie = next(c for c in page.headers.get_list("set-cookie") if c.startswith("nexo_csrf="))
    assert "httponly" in cookie.lower()
    assert 'name="csrf-token"' in page.text
