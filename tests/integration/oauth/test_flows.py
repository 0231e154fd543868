"""OAuth 2 flows driven by independent clients (requests-oauthlib, Authlib) against a live server."""

# ruff: noqa: ASYNC210, S113 -- the live server runs in its own thread; the independent clients block

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import requests
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.integrations.requests_client import OAuth2Session as AuthlibSession
from requests_oauthlib import OAuth2Session
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.directory.models import Person
from nexo.platform.accounts.models import User
from nexo.tenants.models import Membership, Role
from nexo.tests.factories import Workspace, add_member, make_user, tenant_session, unique_email
from nexo.tests.partner import LiveServer, PartnerApp, browser_login, consent, make_integration, make_partner_app


async def add_person(sessions: async_sessionmaker[AsyncSession], ws: Workspace, last_name: str) -> int:
    session = await tenant_session(sessions, ws)
    async with session:
        person = Person(first_name="Pat", last_name=last_name)
        session.add(person)
        await session.commit()
        return person.id


def authorize_with_requests_oauthlib(
    live: LiveServer, app: PartnerApp, ws: Workspace, scope: list[str]
) -> tuple[OAuth2Session, dict]:
    oauth = OAuth2Session(app.client_id, redirect_uri=app.redirect_uri, scope=scope, pkce="S256")
    url, state = oauth.authorization_url(f"{live.url}/oauth/authorize")
    browser = browser_login(live.url, ws.owner.email)
    answer = consent(browser, url, ws)
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    query = parse_qs(urlsplit(location).query)
    assert location.startswith(app.redirect_uri + "?")
    assert query["state"] == [state]
    assert query["iss"] == [live.url]  # RFC 9207
    token = oauth.fetch_token(
        f"{live.url}/oauth/token", authorization_response=location, client_secret=app.client_secret
    )
    return oauth, token


async def test_discovery_metadata(live_server: LiveServer) -> None:
    meta = requests.get(f"{live_server.url}/.well-known/oauth-authorization-server").json()
    assert meta["issuer"] == live_server.url
    assert meta["token_endpoint"] == f"{live_server.url}/oauth/token"
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert meta["response_types_supported"] == ["code"]
    assert "password" not in meta["grant_types_supported"] and "implicit" not in meta["grant_types_supported"]
    assert meta["authorization_response_iss_parameter_supported"] is True
    assert {"directory.read", "directory.write"} <= set(meta["scopes_supported"])


async def test_authorization_code_pkce_with_requests_oauthlib(
    live_server: LiveServer, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    await add_person(sessions, tenant_a, "Alpha-person")
    await add_person(sessions, tenant_b, "Beta-person")
    app = await make_partner_app(sessions, tenant_a.owner.id)
    oauth, token = authorize_with_requests_oauthlib(live_server, app, tenant_a, ["directory.read"])
    assert token["token_type"].lower() == "bearer" and token["refresh_token"] and token["scope"] == ["directory.read"]
    people = oauth.get(f"{live_server.url}/api/v1/directory/people")
    assert people.status_code == 200, people.text
    assert [p["last_name"] for p in people.json()["data"]] == ["Alpha-person"]
    assert people.headers["RateLimit-Limit"] and people.headers["RateLimit-Remaining"]
    # read-only grant: writing needs directory.write
    refused = oauth.post(f"{live_server.url}/api/v1/directory/people", json={"first_name": "A", "last_name": "B"})
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/insufficient-scope")


async def test_refresh_rotation_and_reuse_detection_with_authlib(
    live_server: LiveServer, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    app = await make_partner_app(sessions, tenant_a.owner.id)
    _, token = authorize_with_requests_oauthlib(live_server, app, tenant_a, ["directory.read"])
    token_url = f"{live_server.url}/oauth/token"
    async with AsyncOAuth2Client(app.client_id, app.client_secret) as client:
        rotated = await client.refresh_token(token_url, refresh_token=token["refresh_token"])
        assert rotated["refresh_token"] != token["refresh_token"]
        assert rotated["access_token"] != token["access_token"]
        api = httpx.AsyncClient(base_url=live_server.url)
        ok = await api.get("/api/v1/directory/people", headers={"Authorization": f"Bearer {rotated['access_token']}"})
        assert ok.status_code == 200
        old = await api.get("/api/v1/directory/people", headers={"Authorization": f"Bearer {token['access_token']}"})
        assert old.status_code == 401  # the rotated-away access token is revoked
        # reuse of the first refresh token: refused, and the whole family (including the new tokens) is revoked
        from authlib.integrations.base_client import OAuthError

        with pytest.raises(OAuthError) as reuse:
            await client.refresh_token(token_url, refresh_token=token["refresh_token"])
        assert reuse.value.error == "invalid_grant"
        after = await api.get(
            "/api/v1/directory/people", headers={"Authorization": f"Bearer {rotated['access_token']}"}
        )
        assert after.status_code == 401
        with pytest.raises(OAuthError):
            await client.refresh_token(token_url, refresh_token=rotated["refresh_token"])
        await api.aclose()


async def test_client_credentials_revocation_and_introspection_with_authlib(
    live_server: LiveServer, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    await add_person(sessions, tenant_a, "Own-alpha")
    await add_person(sessions, tenant_b, "Own-beta")
    integration = await make_integration(sessions, tenant_b, scopes=("directory.read",))
    token_url = f"{live_server.url}/oauth/token"
    with AuthlibSession(integration.client_id, integration.client_secret) as client:
        token = client.fetch_token(token_url, grant_type="client_credentials")
        assert "refresh_token" not in token and token["scope"] == "directory.read"
        listed = client.get(f"{live_server.url}/api/v1/directory/people")
        assert [p["last_name"] for p in listed.json()["data"]] == ["Own-beta"]  # the token's tenant only
        info = client.introspect_token(f"{live_server.url}/oauth/introspect", token=token["access_token"]).json()
        assert info["active"] is True and info["client_id"] == integration.client_id
        assert info["tenant"] == tenant_b.slug and info["scope"] == "directory.read"
        revoked = client.revoke_token(f"{live_server.url}/oauth/revoke", token=token["access_token"])
        assert revoked.status_code == 200
        assert client.get(f"{live_server.url}/api/v1/directory/people").status_code == 401  # at once
        info = client.introspect_token(f"{live_server.url}/oauth/introspect", token=token["access_token"]).json()
        assert info == {"active": False}
        # asking for a scope the integration was not granted
        from authlib.integrations.base_client import OAuthError

        with pytest.raises(OAuthError) as too_much:
            client.fetch_token(token_url, grant_type="client_credentials", scope="directory.write")
        assert too_much.value.error == "invalid_scope"


async def test_other_user_cannot_install_into_workspace_they_do_not_administer(
    live_server: LiveServer, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    app = await make_partner_app(sessions, tenant_a.owner.id)
    oauth = OAuth2Session(app.client_id, redirect_uri=app.redirect_uri, scope=["directory.read"], pkce="S256")
    url, _ = oauth.authorization_url(f"{live_server.url}/oauth/authorize")
    browser = browser_login(live_server.url, tenant_a.owner.email)
    page = browser.get(url)
    assert tenant_a.tenant.name in page.text and tenant_b.tenant.name not in page.text
    answer = consent(browser, url, tenant_b)  # forged choice of a workspace the user does not administer
    assert answer.status_code == 400 and "Choose a workspace" in answer.text
    outsider = await make_user(sessions)
    browser = browser_login(live_server.url, outsider.email)
    assert "not an admin of any workspace" in browser.get(url).text


async def test_tokens_stop_when_the_granting_user_leaves_the_workspace_or_is_deactivated(
    live_server: LiveServer, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    admin = await make_user(sessions, email=unique_email("granter"))
    await add_member(sessions, tenant_a, admin, Role.ADMIN)
    app = await make_partner_app(sessions, tenant_a.owner.id)
    granted_by_admin = Workspace(tenant=tenant_a.tenant, owner=admin)
    oauth, _ = authorize_with_requests_oauthlib(live_server, app, granted_by_admin, ["directory.read"])
    owners_oauth, _ = authorize_with_requests_oauthlib(live_server, app, tenant_a, ["directory.read"])
    people = f"{live_server.url}/api/v1/directory/people"
    assert oauth.get(people).status_code == 200 and owners_oauth.get(people).status_code == 200

    async with sessions() as session:  # the admin is removed from the workspace (as the members page does)
        membership = await session.scalar(
            select(Membership).where(Membership.user_id == admin.id, Membership.tenant_id == tenant_a.tenant.id)
        )
        await session.delete(membership)
        await session.commit()
    assert oauth.get(people).status_code == 401
    assert owners_oauth.get(people).status_code == 200  # the owner's grant is untouched

    async with sessions() as session:  # the owner's account is deactivated
        owner = await session.get_one(User, tenant_a.owner.id)
        owner.is_active = False
        await session.commit()
    try:
        assert owners_oauth.get(people).status_code == 401
    finally:
        async with sessions() as session:
            owner = await session.get_one(User, tenant_a.owner.id)
            owner.is_active = True
            await session.commit()
