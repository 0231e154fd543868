"""Password reset by e-mail: same answer for any address, a signed link that expires and works once."""

from __future__ import annotations

import dataclasses
import re
from urllib.parse import urlsplit

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.platform.accounts.models import User
from nexo.platform.accounts.reset import make_reset_token, user_for_reset_token
from nexo.platform.accounts.services import authenticate
from nexo.platform.settings import Settings
from nexo.tests.factories import DEFAULT_PASSWORD, WebClient, Workspace
from nexo.tests.integration.accounts.helpers import app_with, session_cookie
from nexo.tests.mailbox import Mailbox

NEW_PASSWORD = "Gr33n-staple-battery"
CSRF_VALUES = re.compile(r'(name="_csrf_token" value="|name="csrf-token" content=")[^"]+')


def without_tokens(html: str) -> str:
    return CSRF_VALUES.sub(r"\1", html)


async def reset_link(web: WebClient, mailbox: Mailbox, email: str) -> str:
    response = await web.post("/password/forgot", {"email": email})
    assert response.status_code == 200
    (link,) = [url for url in mailbox.links(mailbox.last_to(email)) if "/password/reset/" in url]
    assert link.startswith("http://127.0.0.1:8000/password/reset/")  # NEXO_BASE_URL
    return urlsplit(link).path


async def test_forgot_answers_the_same_for_known_and_unknown_addresses(
    web: WebClient, mailbox: Mailbox, tenant_a: Workspace, tenant_b: Workspace
) -> None:
    known = await web.post("/password/forgot", {"email": tenant_a.owner.email})
    unknown = await web.post("/password/forgot", {"email": "nobody-here@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert without_tokens(known.text) == without_tokens(unknown.text)
    assert "If an account uses this address" in known.text
    assert [str(m["To"]) for m in mailbox.messages] == [tenant_a.owner.email]
    assert mailbox.to(tenant_b.owner.email) == []
    bad = await web.post("/password/forgot", {"email": "not-an-address"})
    assert bad.status_code == 400 and "Enter the e-mail address" in bad.text


async def test_reset_link_sets_the_password_signs_in_and_works_once(
    web: WebClient,
    client: AsyncTestClient[Litestar],
    mailbox: Mailbox,
    sessions: async_sessionmaker[AsyncSession],
    tenant_a: Workspace,
    tenant_b: Workspace,
) -> None:
    path = await reset_link(web, mailbox, tenant_a.owner.email)
    assert (await web.get(path)).status_code == 200

    weak = await web.post(path, {"password": "short", "password_confirm": "short"})
    assert weak.status_code == 400 and "at least 10 characters" in weak.text
    differ = await web.post(path, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD + "x"})
    assert differ.status_code == 400 and "The two passwords differ." in differ.text

    before = session_cookie(client)
    done = await web.post(path, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["location"] == f"/w/{tenant_a.slug}/"
    assert session_cookie(client) not in (None, before)  # signed in under a fresh session id
    assert (await web.get(f"/w/{tenant_a.slug}/")).status_code == 200
    assert (await web.get(f"/w/{tenant_b.slug}/")).status_code == 404

    async with sessions() as session:
        assert await authenticate(session, tenant_a.owner.email, NEW_PASSWORD) is not None
        assert await authenticate(session, tenant_a.owner.email, DEFAULT_PASSWORD) is None
        assert await authenticate(session, tenant_b.owner.email, DEFAULT_PASSWORD) is not None  # untouched

    again = await web.post(path, {"password": "An0ther-fine-passphrase", "password_confirm": "An0ther-fine-passphrase"})
    assert again.status_code == 400 and "already used" in again.text
    async with sessions() as session:
        assert await authenticate(session, tenant_a.owner.email, NEW_PASSWORD) is not None


async def test_tokens_expire_and_cannot_be_forged(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    async with sessions() as session:
        user = await session.get(User, tenant_a.owner.id)
        assert user is not None
        token = make_reset_token(settings, user)
        assert await user_for_reset_token(session, settings, token) is not None
        expired = dataclasses.replace(
            settings, security=dataclasses.replace(settings.security, password_reset_max_age_seconds=-1)
        )
        assert await user_for_reset_token(session, expired, token) is None
        other_key = dataclasses.replace(settings, app=dataclasses.replace(settings.app, secret_key="x" * 48))
        assert await user_for_reset_token(session, other_key, token) is None
        assert await user_for_reset_token(session, settings, token[:-2] + "AA") is None
        assert await user_for_reset_token(session, settings, "garbage") is None


async def test_invalid_link_page_offers_a_new_one(web: WebClient, tenant_a: Workspace, tenant_b: Workspace) -> None:
    response = await web.get("/password/reset/not-a-real-token")
    assert response.status_code == 400
    assert "invalid, has expired or was already used" in response.text and 'href="/password/forgot"' in response.text


async def test_a_password_reset_ends_every_other_session(
    settings: Settings, web: WebClient, mailbox: Mailbox, tenant_a: Workspace, tenant_b: Workspace
) -> None:
    """Someone signed in elsewhere (another device, or whoever pre-registered the address) is signed out by the
    owner's password reset; the owner's other workspace member, tenant B's owner, is not."""
    async with app_with(settings) as other_device, app_with(settings) as bystander_device:
        elsewhere, bystander = WebClient(other_device), WebClient(bystander_device)
        await elsewhere.login(tenant_a.owner.email)
        await bystander.login(tenant_b.owner.email)
        assert (await elsewhere.get(f"/w/{tenant_a.slug}/")).status_code == 200

        path = await reset_link(web, mailbox, tenant_a.owner.email)
        done = await web.post(path, {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
        assert done.status_code == 303
        assert (await web.get(f"/w/{tenant_a.slug}/")).status_code == 200  # the session that reset it stays

        ended = await elsewhere.get(f"/w/{tenant_a.slug}/", follow_redirects=False)
        assert ended.status_code in (302, 303) and ended.headers["location"].startswith("/login")
        assert (await bystander.get(f"/w/{tenant_b.slug}/")).status_code == 200
