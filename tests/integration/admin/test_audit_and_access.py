"""The audit log page (filters, pagination) and who may open each admin page, across two tenants."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.platform.tenancy.context import Role
from nexo.tenants.audit import AuditEntry, record
from nexo.tests.days import days
from nexo.tests.factories import WebClient, Workspace, add_member, make_user, tenant_session
from nexo.tests.integration.admin.helpers import htmx

ADMIN_PAGES = [
    "settings/modules",
    "settings/members",
    "settings/workspace",
    "settings/audit",
    "settings/modules/crm/purge",
]


async def seed_audit(
    sessions: async_sessionmaker[AsyncSession], ws: Workspace, count: int, action: str, actor: str, day: datetime.date
) -> None:
    session = await tenant_session(sessions, ws)
    async with session:
        for i in range(count):
            await record(session, action, actor_label=actor, target=f"{ws.slug}-target-{i}")
        when = datetime.datetime.combine(day, datetime.time(12), datetime.UTC)
        await session.execute(update(AuditEntry).where(AuditEntry.actor_label == actor).values(created_at=when))
        await session.commit()


async def test_audit_filters_and_pagination(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    await seed_audit(sessions, tenant_a, 30, "member.invited", "ann@alpha.test", days(0))
    await seed_audit(sessions, tenant_a, 3, "module.enabled", "bob@alpha.test", days(5))
    await seed_audit(sessions, tenant_b, 5, "module.enabled", "eve@beta.test", days(5))
    await web.login(tenant_a.owner.email)
    base = f"/w/{tenant_a.slug}/settings/audit"

    page = await web.get(base)
    assert page.status_code == 200 and "33 entries" in page.text and "Page 1 of 2" in page.text
    assert "eve@beta.test" not in page.text and tenant_b.slug not in page.text
    assert page.text.index("bob@alpha.test") < page.text.index("ann@alpha.test")  # newest first

    second = await web.get(f"{base}?page=2", headers=htmx())
    assert second.status_code == 200 and second.text.lstrip().startswith('<div id="audit-table">')
    assert second.text.count('class="audit-entry"') == 8

    by_action = await web.get(f"{base}?action=module.enabled", headers=htmx())
    assert "3 entries" in by_action.text and "ann@alpha.test" not in by_action.text
    by_actor = await web.get(f"{base}?actor=ANN@", headers=htmx())
    assert "30 entries" in by_actor.text
    by_dates = await web.get(f"{base}?date_from={days(1)}&date_to={days(5)}", headers=htmx())
    assert "3 entries" in by_dates.text
    by_day = await web.get(f"{base}?date_from={days(0)}&date_to={days(0)}")
    assert "30 entries" in by_day.text
    wildcard = await web.get(f"{base}?actor=%25", headers=htmx())
    assert "0 entries" in wildcard.text  # a literal %, not a wildcard

    bad = await web.get(f"{base}?date_from=yesterday&date_to={days(-19)}", headers=htmx())
    assert bad.status_code == 400 and "Use a date like" in bad.text
    backwards = await web.get(f"{base}?date_from={days(5)}&date_to={days(0)}", headers=htmx())
    assert backwards.status_code == 400 and "before the start date" in backwards.text


@pytest.mark.parametrize("role", [Role.MEMBER])
async def test_members_get_403_and_outsiders_404_on_every_admin_page(
    web: WebClient,
    sessions: async_sessionmaker[AsyncSession],
    tenant_a: Workspace,
    tenant_b: Workspace,
    role: Role,
) -> None:
    member = await make_user(sessions)
    await add_member(sessions, tenant_a, member, role)
    await web.login(member.email)
    for page in ADMIN_PAGES:
        assert (await web.get(f"/w/{tenant_a.slug}/{page}")).status_code == 403, page
    for action in ("settings/members/invite", "settings/workspace", "settings/modules/crm/purge"):
        assert (await web.post(f"/w/{tenant_a.slug}/{action}", {"email": "x@y.test"})).status_code == 403, action
    await web.client.post("/logout", headers={"x-csrftoken": web.csrf})

    await web.login(tenant_b.owner.email)  # B's owner: A's pages do not exist for them
    for page in ADMIN_PAGES:
        foreign = await web.get(f"/w/{tenant_a.slug}/{page}")
        unknown = await web.get(f"/w/no-such-ws/{page}")
        assert foreign.status_code == unknown.status_code == 404, page
        assert (await web.get(f"/w/{tenant_b.slug}/{page}")).status_code == 200, page
    export = await web.get(f"/w/{tenant_a.slug}/settings/modules/crm/export?format=json")
    assert export.status_code == 404


async def test_admins_may_open_every_admin_page(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    admin = await make_user(sessions)
    await add_member(sessions, tenant_a, admin, Role.ADMIN)
    await web.login(admin.email)
    home = await web.get(f"/w/{tenant_a.slug}/")
    assert f'href="/w/{tenant_a.slug}/settings/modules"' in home.text
    for page in ADMIN_PAGES:
        response = await web.get(f"/w/{tenant_a.slug}/{page}")
        assert response.status_code == 200, page
        assert tenant_b.slug not in response.text
