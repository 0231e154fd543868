"""Module switches on a real PostgreSQL with two tenants: enable creates tables in one transaction, disable keeps
data, re-enable brings it back, dependencies are enforced, purge exports first and drops, members cannot switch."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.crm.models import Stage
from nexo.platform.migrations.config import tenant_script
from nexo.platform.migrations.status import parse_mark
from nexo.platform.modules.manifest import Manifest
from nexo.platform.modules.registry import build_registry, get_registry
from nexo.platform.tenancy.context import Role
from nexo.tenants.models import Tenant, TenantModule
from nexo.tenants.module_state import MODULE_SWITCH_HOOKS
from nexo.tenants.module_switches import ModuleSwitchError, disable_module, enable_module
from nexo.tests.factories import WebClient, Workspace, add_member, make_user, make_workspace, tenant_session
from nexo.tests.integration.admin.helpers import audit_actions, htmx


def crm_head_revision() -> str:
    head = tenant_script().get_revision("crm@head")
    assert head is not None
    return head.revision


async def module_rows(sessions: async_sessionmaker[AsyncSession], ws: Workspace) -> dict[str, bool]:
    async with sessions() as session:
        rows = await session.execute(
            select(TenantModule.module_key, TenantModule.enabled).where(TenantModule.tenant_id == ws.tenant.id)
        )
        return dict(rows.tuples().all())


async def crm_tables(sessions: async_sessionmaker[AsyncSession], ws: Workspace) -> set[str]:
    async with sessions() as session:
        rows = await session.scalars(
            text("SELECT tablename FROM pg_tables WHERE schemaname = :s AND tablename LIKE 'crm\\_%'"),
            {"s": ws.schema},
        )
        return set(rows)


async def versions(sessions: async_sessionmaker[AsyncSession], ws: Workspace) -> tuple[set[str], frozenset[str]]:
    """(version table rows, the schema comment's mark)."""
    async with sessions() as session:
        rows = set(await session.scalars(text(f'SELECT version_num FROM "{ws.schema}".alembic_version')))  # noqa: S608 (schema name from our own fixture)
        comment = await session.scalar(
            text("SELECT obj_description(CAST(:s AS regnamespace), 'pg_namespace')"), {"s": ws.schema}
        )
        return rows, parse_mark(comment) or frozenset()


async def add_stage(sessions: async_sessionmaker[AsyncSession], ws: Workspace, name: str) -> None:
    session = await tenant_session(sessions, ws)
    async with session:
        session.add(Stage(name=name, position=1, probability=20, kind="open"))
        await session.commit()


async def stage_names(sessions: async_sessionmaker[AsyncSession], ws: Workspace) -> list[str]:
    session = await tenant_session(sessions, ws)
    async with session:
        return list(await session.scalars(select(Stage.name).order_by(Stage.id)))


async def test_enable_disable_reenable_keeps_data_and_touches_one_tenant(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    crm_head = crm_head_revision()
    assert await module_rows(sessions, tenant_a) == {"directory": True}
    await web.login(tenant_a.owner.email)
    contacts = f"/w/{tenant_a.slug}/crm/contacts"
    off = await web.get(contacts)
    assert off.status_code == 403 and "The CRM module is off in this workspace" in off.text
    assert "An admin can switch it on" in off.text
    page = await web.get(f"/w/{tenant_a.slug}/settings/modules")
    assert (
        page.status_code == 200
        and "15.00" in page.text
        and 'href="/w/' + tenant_a.slug + '/crm/contacts"' not in page.text
    )

    on = await web.post(f"/w/{tenant_a.slug}/settings/modules/crm/enable", headers=htmx())
    assert on.status_code == 200 and "Switched on: CRM." in on.text
    assert f'href="/w/{tenant_a.slug}/crm/contacts"' in on.text  # navigation swapped out of band
    assert await module_rows(sessions, tenant_a) == {"directory": True, "crm": True}
    assert "crm_stages" in await crm_tables(sessions, tenant_a)
    rows, mark = await versions(sessions, tenant_a)
    assert crm_head in rows and crm_head in mark and rows == set(mark)
    assert (await web.get(contacts)).status_code == 200
    assert f'href="/w/{tenant_a.slug}/crm/contacts"' in (await web.get(f"/w/{tenant_a.slug}/")).text

    # the other tenant is untouched
    assert await module_rows(sessions, tenant_b) == {"directory": True}
    assert await crm_tables(sessions, tenant_b) == set()
    assert crm_head not in (await versions(sessions, tenant_b))[0]

    await add_stage(sessions, tenant_a, "Qualified")
    off_again = await web.post(f"/w/{tenant_a.slug}/settings/modules/crm/disable", headers=htmx())
    assert off_again.status_code == 200 and "Its data is kept" in off_again.text
    assert (await web.get(contacts)).status_code == 403
    assert "crm/contacts" not in (await web.get(f"/w/{tenant_a.slug}/")).text
    assert await stage_names(sessions, tenant_a) == ["Qualified"]

    back = await web.post(f"/w/{tenant_a.slug}/settings/modules/crm/enable", headers=htmx())
    assert back.status_code == 200
    assert await stage_names(sessions, tenant_a) == ["Qualified"]
    assert (await web.get(contacts)).status_code == 200

    audit = await audit_actions(sessions, tenant_a)
    assert [a for a, _, _ in audit if a.startswith("module.")] == [
        "module.enabled",
        "module.disabled",
        "module.enabled",
    ]
    assert audit[0][2]["tables_created"] == ["crm"] and audit[-1][2]["tables_created"] == []
    assert not [a for a, _, _ in await audit_actions(sessions, tenant_b) if a.startswith("module.")]


async def test_always_on_directory_cannot_be_switched_off(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    await web.login(tenant_a.owner.email)
    refused = await web.post(f"/w/{tenant_a.slug}/settings/modules/directory/disable", headers=htmx())
    assert refused.status_code == 409 and "part of every workspace" in refused.text
    assert 'id="module-error"' in refused.text
    assert await module_rows(sessions, tenant_a) == {"directory": True}
    unknown = await web.post(f"/w/{tenant_a.slug}/settings/modules/nope/enable", headers=htmx())
    assert unknown.status_code == 404


async def test_disabling_a_dependency_is_refused_with_the_dependent_named(
    sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    """With the real CRM module and a table-less add-on depending on it (a registry built from manifests)."""
    addon = Manifest(
        key="crm.insights",
        name="CRM Insights",
        description="Reports on the pipeline.",
        models="nexo.modules.crm.models",
        migrations=Path("/nonexistent"),
        dependencies=("crm",),
    )
    registry = build_registry([*get_registry(), addon])
    async with sessions() as session:
        tenant = await session.get(Tenant, tenant_a.tenant.id)
        assert tenant is not None
        result = await enable_module(session, tenant, "crm.insights", registry=registry)
        assert result.changed == ("crm", "crm.insights")  # the dependency first
        await session.commit()
    assert await module_rows(sessions, tenant_a) == {"directory": True, "crm": True, "crm.insights": True}
    async with sessions() as session:
        tenant = await session.get(Tenant, tenant_a.tenant.id)
        assert tenant is not None
        with pytest.raises(ModuleSwitchError, match="CRM cannot be switched off while CRM Insights is on"):
            await disable_module(session, tenant, "crm", registry=registry)
        await session.rollback()
        tenant = await session.get(Tenant, tenant_a.tenant.id)
        assert tenant is not None
        await disable_module(session, tenant, "crm.insights", registry=registry)
        await disable_module(session, tenant, "crm", registry=registry)
        await session.commit()
    assert await module_rows(sessions, tenant_a) == {"directory": True, "crm": False, "crm.insights": False}
    assert await module_rows(sessions, tenant_b) == {"directory": True}


async def test_a_failing_switch_hook_aborts_the_whole_switch(
    sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    async def refusing_hook(session: AsyncSession, tenant: Tenant, enabled: frozenset[str]) -> None:
        assert "crm" in enabled
        raise RuntimeError("billing said no")

    MODULE_SWITCH_HOOKS.append(refusing_hook)
    try:
        async with sessions() as session:
            tenant = await session.get(Tenant, tenant_a.tenant.id)
            assert tenant is not None
            with pytest.raises(RuntimeError, match="billing said no"):
                await enable_module(session, tenant, "crm")
            await session.rollback()
    finally:
        MODULE_SWITCH_HOOKS.remove(refusing_hook)
    # nothing half-written: no row, no tables, no version row, no audit entry
    assert await module_rows(sessions, tenant_a) == {"directory": True}
    assert await crm_tables(sessions, tenant_a) == set()
    assert crm_head_revision() not in (await versions(sessions, tenant_a))[0]
    assert not [a for a, _, _ in await audit_actions(sessions, tenant_a) if a.startswith("module.")]


async def test_members_cannot_switch_and_other_tenants_admins_cannot_reach(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    member = await make_user(sessions)
    await add_member(sessions, tenant_a, member, Role.MEMBER)
    await web.login(member.email)
    assert (await web.get(f"/w/{tenant_a.slug}/settings/modules")).status_code == 403
    refused = await web.post(f"/w/{tenant_a.slug}/settings/modules/crm/enable", headers=htmx())
    assert refused.status_code == 403
    assert "Settings" not in (await web.get(f"/w/{tenant_a.slug}/")).text
    await web.client.post("/logout", headers={"x-csrftoken": web.csrf})

    await web.login(tenant_b.owner.email)  # an owner elsewhere is nobody here
    assert (await web.post(f"/w/{tenant_a.slug}/settings/modules/crm/enable", headers=htmx())).status_code == 404
    assert await module_rows(sessions, tenant_a) == {"directory": True}


async def test_purge_exports_first_then_drops_tables_and_branch(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], tenant_b: Workspace
) -> None:
    ws = await make_workspace(sessions, modules=("crm",))
    other = await make_workspace(sessions, modules=("crm",))
    await add_stage(sessions, ws, "Won big")
    await add_stage(sessions, other, "Other tenant stage")
    crm_head = crm_head_revision()
    await web.login(ws.owner.email)
    base = f"/w/{ws.slug}/settings/modules/crm"

    refused_on = await web.post(f"{base}/purge", {"confirm_slug": ws.slug})
    assert refused_on.status_code == 400 and "Switch CRM off before purging" in refused_on.text
    assert (await web.post(f"{base}/disable", headers=htmx())).status_code == 200

    page = await web.get(f"{base}/purge")
    assert page.status_code == 200 and "crm_stages" in page.text
    exported = await web.get(f"{base}/export?format=json")
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    document = json.loads(exported.content)
    assert [s["name"] for s in document["tables"]["crm_stages"]] == ["Won big"]
    archive = zipfile.ZipFile(io.BytesIO((await web.get(f"{base}/export?format=csv")).content))
    stages_csv = archive.read("crm_stages.csv").decode()
    assert "Won big" in stages_csv and "Other tenant stage" not in stages_csv

    wrong = await web.post(f"{base}/purge", {"confirm_slug": "not-it"})
    assert wrong.status_code == 400 and 'id="confirm_slug-error"' in wrong.text
    assert await stage_names(sessions, ws) == ["Won big"]

    purged = await web.post(f"{base}/purge", {"confirm_slug": ws.slug})
    assert purged.status_code == 303
    assert await crm_tables(sessions, ws) == set()
    assert await module_rows(sessions, ws) == {"directory": True}
    rows, mark = await versions(sessions, ws)
    assert crm_head not in rows and rows == set(mark)
    directory_head = tenant_script().get_revision("directory@head")
    assert directory_head is not None and directory_head.revision in rows  # only CRM's branch left
    assert await stage_names(sessions, other) == ["Other tenant stage"]  # the other tenant keeps its data

    again = await web.post(f"{base}/enable", headers=htmx())
    assert again.status_code == 200
    assert await stage_names(sessions, ws) == []  # back, empty, at head
    assert crm_head in (await versions(sessions, ws))[0]
    actions = [a for a, _, _ in await audit_actions(sessions, ws)]
    assert actions[-4:] == ["module.exported", "module.exported", "module.purged", "module.enabled"]


async def test_prices_show_before_switching(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    crm = get_registry().get("crm")
    assert crm.monthly_price == Decimal("15")
    assert replace(crm, monthly_price=Decimal(0)).is_paid is False
    await web.login(tenant_a.owner.email)
    page = await web.get(f"/w/{tenant_a.slug}/settings/modules")
    assert "CRM" in page.text and crm.description in page.text and "Directory" in page.text


async def test_real_erp_dependencies_enable_first_and_refuse_disable_naming_the_dependent(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    await web.login(tenant_a.owner.email)
    base = f"/w/{tenant_a.slug}/settings/modules"
    on = await web.post(f"{base}/erp.sales/enable", headers=htmx())
    assert on.status_code == 200 and "Switched on: Inventory, Sales." in on.text
    assert await module_rows(sessions, tenant_a) == {"directory": True, "erp.inventory": True, "erp.sales": True}

    refused = await web.post(f"{base}/erp.inventory/disable", headers=htmx())
    assert refused.status_code == 409
    assert "Inventory cannot be switched off while Sales is on" in refused.text
    assert await module_rows(sessions, tenant_a) == {"directory": True, "erp.inventory": True, "erp.sales": True}

    assert (await web.post(f"{base}/erp.sales/disable", headers=htmx())).status_code == 200
    assert (await web.post(f"{base}/erp.inventory/disable", headers=htmx())).status_code == 200
    assert await module_rows(sessions, tenant_a) == {"directory": True, "erp.inventory": False, "erp.sales": False}
    purge_first = await web.post(f"{base}/erp.inventory/purge", {"confirm_slug": tenant_a.slug})
    assert purge_first.status_code == 400 and "Purge the data of Sales first" in purge_first.text
    assert await module_rows(sessions, tenant_b) == {"directory": True}
