"""Developer portal, connected apps and integrations pages (tenant admins only, two tenants)."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.platform.oauth.models import OAuthClient
from nexo.platform.tenancy.context import Role
from nexo.tests.factories import WebClient, Workspace, add_member, make_user

SECRET = re.compile(r'id="secret-value">([^<]+)<')
CLIENT_ID = re.compile(r'id="client-id">([^<]+)<')


async def test_register_app_secret_shown_once_stored_hashed_and_rotatable(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    developer = await make_user(sessions)
    await web.login(developer.email)
    bad = await web.post("/developers/apps/new", {"name": "", "redirect_uris": "http://evil.example/cb#x"})
    assert bad.status_code == 400 and "Enter a name" in bad.text and "fragment" in bad.text
    form = {
        "name": "Sync Co",
        "homepage": "https://sync.example",
        "redirect_uris": "https://sync.example/cb",
        "scopes": ["directory.read", "crm.read"],
    }
    created = await web.post("/developers/apps/new", form)
    assert created.status_code == 201
    secret, client_id = SECRET.search(created.text).group(1), CLIENT_ID.search(created.text).group(1)  # type: ignore[union-attr]
    async with sessions() as session:
        app = await session.scalar(select(OAuthClient).where(OAuthClient.client_id == client_id))
        assert app is not None and secret not in app.secret_hash and app.redirect_uris == ["https://sync.example/cb"]
    detail = await web.get(f"/developers/apps/{app.id}")
    assert detail.status_code == 200 and secret not in detail.text  # shown once
    rotated = await web.post(f"/developers/apps/{app.id}/rotate-secret")
    new_secret = SECRET.search(rotated.text).group(1)  # type: ignore[union-attr]
    assert new_secret != secret
    old = await web.client.post(
        "/oauth/token", data={"grant_type": "authorization_code", "code": "x"}, auth=(client_id, secret)
    )
    assert old.status_code == 401  # the old secret stopped at once
    other = WebClient(web.client)
    await other.login(tenant_a.owner.email)
    assert (await other.get(f"/developers/apps/{app.id}")).status_code == 404  # someone else's app


async def test_integrations_and_connected_apps_are_for_admins_of_that_workspace(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    member = await make_user(sessions)
    await add_member(sessions, tenant_a, member, Role.MEMBER)
    await web.login(member.email)
    assert (await web.get(f"/w/{tenant_a.slug}/settings/integrations")).status_code == 403
    assert (await web.get(f"/w/{tenant_b.slug}/settings/apps")).status_code == 404
    admin = WebClient(web.client)
    await admin.login(tenant_a.owner.email)
    refused = await admin.post(
        f"/w/{tenant_a.slug}/settings/integrations/", {"name": "ERP sync", "scopes": ["crm.read"]}
    )
    assert refused.status_code == 400 and "off in this workspace" in refused.text  # crm is off in tenant_a
    form = {"name": "ERP sync", "scopes": ["directory.read"]}
    created = await admin.post(f"/w/{tenant_a.slug}/settings/integrations/", form)
    assert created.status_code == 201
    secret, client_id = SECRET.search(created.text).group(1), CLIENT_ID.search(created.text).group(1)  # type: ignore[union-attr]
    token = await web.client.post("/oauth/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret))
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    assert (await web.client.get("/api/v1/directory/people", headers=headers)).status_code == 200
    apps = await admin.get(f"/w/{tenant_a.slug}/settings/apps")
    assert "ERP sync" in apps.text and "See organizations and people" in apps.text
    installation_id = re.search(r'id="revoke-(\d+)"', apps.text).group(1)  # type: ignore[union-attr]
    other_admin = WebClient(web.client)
    await other_admin.login(tenant_b.owner.email)
    foreign = await other_admin.post(f"/w/{tenant_b.slug}/settings/apps/{installation_id}/revoke")
    assert foreign.status_code == 404
    assert (await web.client.get("/api/v1/directory/people", headers=headers)).status_code == 200
    await admin.login(tenant_a.owner.email)  # the clients share one cookie jar
    revoked = await admin.post(f"/w/{tenant_a.slug}/settings/apps/{installation_id}/revoke")
    assert revoked.status_code == 303
    assert (await web.client.get("/api/v1/directory/people", headers=headers)).status_code == 401  # at once
