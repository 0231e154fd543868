"""Workspace settings: name, slug change with redirects for members only, currency, time zone, logo."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.platform.tenancy.context import Role
from nexo.tenants.models import Tenant
from nexo.tests.factories import WebClient, Workspace, add_member, make_user, make_workspace
from nexo.tests.integration.admin.helpers import audit_actions

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64


def settings_form(ws: Workspace, **changes: str) -> dict[str, str]:
    form = {"name": ws.tenant.name, "slug": ws.slug, "currency": "EUR", "timezone": "UTC"}
    form.update(changes)
    return form


async def test_slug_change_redirects_members_and_404s_everyone_else(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    old_slug = tenant_a.slug
    new_slug = f"{old_slug}-renamed"
    member = await make_user(sessions)
    await add_member(sessions, tenant_a, member, Role.MEMBER)

    await web.login(tenant_a.owner.email)
    saved = await web.post(
        f"/w/{old_slug}/settings/workspace",
        settings_form(tenant_a, name="Alpha Renamed", slug=new_slug, currency="USD", timezone="Europe/Paris"),
    )
    assert saved.status_code == 303 and saved.headers["location"] == f"/w/{new_slug}/settings/workspace?saved=1"
    async with sessions() as session:
        tenant = await session.get(Tenant, tenant_a.tenant.id)
        assert tenant is not None
        assert (tenant.slug, tenant.name, tenant.currency, tenant.timezone) == (
            new_slug,
            "Alpha Renamed",
            "USD",
            "Europe/Paris",
        )
        assert tenant.schema_name == tenant_a.schema  # the schema never follows the slug

    moved = await web.get(f"/w/{old_slug}/directory/people?q=x", follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"] == f"/w/{new_slug}/directory/people?q=x"
    await web.client.post("/logout", headers={"x-csrftoken": web.csrf})
    await web.login(member.email)
    assert (await web.get(f"/w/{old_slug}/", follow_redirects=False)).headers["location"] == f"/w/{new_slug}/"
    await web.client.post("/logout", headers={"x-csrftoken": web.csrf})

    await web.login(tenant_b.owner.email)  # not a member: the old address is as unknown as any other
    foreign = await web.get(f"/w/{old_slug}/directory/people", follow_redirects=False)
    unknown = await web.get("/w/never-existed-here/directory/people", follow_redirects=False)
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.text.replace(old_slug, "X") == unknown.text.replace("never-existed-here", "X")

    # the old slug stays reserved for its workspace: tenant B cannot take it
    taken = await web.post(f"/w/{tenant_b.slug}/settings/workspace", settings_form(tenant_b, slug=old_slug))
    assert taken.status_code == 400 and "This address is taken" in taken.text
    audit = await audit_actions(sessions, tenant_a)
    assert audit[-1][0] == "workspace.settings_changed" and audit[-1][2]["slug"] == {"from": old_slug, "to": new_slug}
    assert not [a for a, _, _ in await audit_actions(sessions, tenant_b) if a.startswith("workspace.")]


async def test_taking_back_a_former_slug_and_validation(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], tenant_b: Workspace
) -> None:
    ws = await make_workspace(sessions)
    first = ws.slug
    await web.login(ws.owner.email)
    assert (await web.post(f"/w/{first}/settings/workspace", settings_form(ws, slug=f"{first}-x"))).status_code == 303
    back = await web.post(f"/w/{first}-x/settings/workspace", settings_form(ws, slug=first))
    assert back.status_code == 303
    assert (await web.get(f"/w/{first}/", follow_redirects=False)).status_code == 200  # live again, no redirect loop
    assert (await web.get(f"/w/{first}-x/", follow_redirects=False)).status_code == 301

    invalid = settings_form(ws, name="", slug="Bad Slug!", currency="XXX", timezone="Mars/Base")
    bad = await web.post(f"/w/{first}/settings/workspace", invalid)
    assert bad.status_code == 400
    for field in ("name", "slug", "currency", "timezone"):
        assert f'id="{field}-error"' in bad.text
    taken = await web.post(f"/w/{first}/settings/workspace", settings_form(ws, slug=tenant_b.slug))
    assert taken.status_code == 400 and "This address is taken" in taken.text


async def test_logo_upload_type_and_size_checks_and_isolation(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    await web.login(tenant_a.owner.email)
    url = f"/w/{tenant_a.slug}/settings/workspace/logo"
    assert (await web.get(f"/w/{tenant_a.slug}/logo")).status_code == 404
    svg = await web.post(url, files={"logo": ("logo.svg", b"<svg onload='alert(1)'/>", "image/svg+xml")})
    assert svg.status_code == 400 and "Use a PNG, JPEG, GIF or WebP image" in svg.text
    disguised = await web.post(url, files={"logo": ("logo.png", b"<html>not an image</html>", "image/png")})
    assert disguised.status_code == 400
    huge = await web.post(url, files={"logo": ("big.png", PNG + b"\x00" * (512 * 1024), "image/png")})
    assert huge.status_code in (400, 413)
    stored = await web.post(url, files={"logo": ("logo.png", PNG, "image/png")})
    assert stored.status_code == 303
    served = await web.get(f"/w/{tenant_a.slug}/logo")
    assert served.status_code == 200 and served.content == PNG and served.headers["content-type"] == "image/png"
    assert served.headers["x-content-type-options"] == "nosniff"

    member = await make_user(sessions)
    await add_member(sessions, tenant_a, member, Role.MEMBER)
    await web.client.post("/logout", headers={"x-csrftoken": web.csrf})
    await web.login(member.email)
    assert (await web.get(f"/w/{tenant_a.slug}/logo")).content == PNG  # members see it
    assert (await web.post(url, files={"logo": ("x.png", PNG, "image/png")})).status_code == 403
    await web.client.post("/logout", headers={"x-csrftoken": web.csrf})
    await web.login(tenant_b.owner.email)
    assert (await web.get(f"/w/{tenant_a.slug}/logo")).status_code == 404
    assert (await web.get(f"/w/{tenant_b.slug}/logo")).status_code == 404  # B has none of its own
    actions = [a for a, _, _ in await audit_actions(sessions, tenant_a)]
    assert actions.count("workspace.logo_changed") == 1
