"""Switching modules on and off in a workspace, and purging a module's data.

The rules (what enabling switches on, what refuses a disable or a purge) are pure functions of the registry and
the workspace's module state, so they are unit-tested with registries built from test manifests. The effects run
in the caller's transaction, bound to the tenant schema: tables, ``tenant_modules`` rows, the audit entry and the
``MODULE_SWITCH_HOOKS`` (billing) land together or not at all.

A ``tenant_modules`` row exists exactly while the module's tables exist in the tenant schema; ``enabled`` says
whether it is on. Disabling keeps the data; purging drops the tables and the row.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.db.tenancy import bind_tenant, bound_schema, check_schema_name
from nexo.platform.migrations.config import TENANT_VERSION_TABLE, tenant_metadata, tenant_script
from nexo.platform.migrations.runner import branches_of_revisions, create_module_tables, tables_of
from nexo.platform.migrations.status import write_version_mark
from nexo.platform.modules.registry import ModuleRegistry, get_registry
from nexo.tenants.audit import record
from nexo.tenants.models import Tenant, TenantModule
from nexo.tenants.module_state import MODULE_SWITCH_HOOKS


class ModuleSwitchError(Exception):
    """A switch the rules refuse; the message is shown to the admin as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- rules -----------------------------------------------------------------------------------------------------


def plan_enable(registry: ModuleRegistry, states: Mapping[str, bool], key: str) -> tuple[list[str], list[str]]:
    """What switching ``key`` on does: (modules to switch on, of which those whose tables must be created).

    ``states`` maps module keys that have tables to their enabled flag. Dependencies come first.
    """
    if key not in registry:
        raise ModuleSwitchError(f"There is no module called {key!r}.")
    needed = registry.dependencies_closure(key)
    to_enable = [k for k in needed if not states.get(k, False)]
    to_create = [k for k in to_enable if k not in states]
    return to_enable, to_create


def enabled_dependents(registry: ModuleRegistry, states: Mapping[str, bool], key: str) -> list[str]:
    """Enabled modules that need ``key``, directly or through others."""
    return [k for k in registry.dependents(key) if states.get(k, False)]


def check_disable(registry: ModuleRegistry, states: Mapping[str, bool], key: str) -> None:
    """Refuse switching ``key`` off while it is always on or an enabled module needs it."""
    if key not in registry:
        raise ModuleSwitchError(f"There is no module called {key!r}.")
    manifest = registry.get(key)
    if manifest.always_on:
        raise ModuleSwitchError(f"{manifest.name} is part of every workspace and cannot be switched off.")
    blockers = enabled_dependents(registry, states, key)
    if blockers:
        names = _names(registry, blockers)
        raise ModuleSwitchError(
            f"{manifest.name} cannot be switched off while {names} {'is' if len(blockers) == 1 else 'are'} on: "
            f"{'it needs' if len(blockers) == 1 else 'they need'} it. Switch off {names} first."
        )


def check_purge(registry: ModuleRegistry, states: Mapping[str, bool], key: str) -> None:
    """Purging needs the module off, and no other module keeping tables that depend on it."""
    if key not in registry:
        raise ModuleSwitchError(f"There is no module called {key!r}.")
    manifest = registry.get(key)
    if manifest.always_on:
        raise ModuleSwitchError(f"{manifest.name} is part of every workspace; its data cannot be purged.")
    if key not in states:
        raise ModuleSwitchError(f"{manifest.name} has no data in this workspace.")
    if states[key]:
        raise ModuleSwitchError(f"Switch {manifest.name} off before purging its data.")
    holders = [k for k in registry.dependents(key) if k in states]
    if holders:
        names = _names(registry, holders)
        verb = "it builds" if len(holders) == 1 else "they build"
        raise ModuleSwitchError(f"Purge the data of {names} first: {verb} on {manifest.name}.")


def _names(registry: ModuleRegistry, keys: list[str]) -> str:
    names = [registry.get(k).name for k in keys]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


# --- effects ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SwitchResult:
    changed: tuple[str, ...]  # modules whose state changed, dependencies first
    created: tuple[str, ...] = ()  # modules whose tables were created


async def module_states(session: AsyncSession, tenant_id: int) -> dict[str, bool]:
    """Module key -> enabled, for every module whose tables exist in the workspace (row locked for the switch)."""
    rows = await session.execute(
        select(TenantModule.module_key, TenantModule.enabled)
        .where(TenantModule.tenant_id == tenant_id)
        .with_for_update()
    )
    return {key: enabled for key, enabled in rows.tuples()}


async def _bound(session: AsyncSession, tenant: Tenant) -> None:
    schema = bound_schema(session)
    if schema is None:
        await bind_tenant(session, tenant.schema_name)
    elif schema != tenant.schema_name:
        raise ValueError(f"session is bound to {schema}, not to the tenant's {tenant.schema_name}")


async def _lock_tenant(session: AsyncSession, tenant: Tenant) -> None:
    """Serialise switches of one workspace (two admins clicking at once)."""
    await session.execute(select(Tenant.id).where(Tenant.id == tenant.id).with_for_update())


async def enable_module(
    session: AsyncSession,
    tenant: Tenant,
    key: str,
    *,
    actor: Mapping[str, Any] | None = None,
    registry: ModuleRegistry | None = None,
) -> SwitchResult:
    """Switch ``key`` on with its dependencies, creating missing tables, in the caller's transaction."""
    registry = registry or get_registry()
    await _bound(session, tenant)
    await _lock_tenant(session, tenant)
    states = await module_states(session, tenant.id)
    to_enable, to_create = plan_enable(registry, states, key)
    if not to_enable:
        return SwitchResult(changed=())
    if to_create:
        branches = _branches_with_migrations(registry, to_create)
        connection = await session.connection()
        await connection.run_sync(create_module_tables, tenant.schema_name, to_create, branches)
    for module_key in to_enable:
        if module_key in states:
            await _set_enabled(session, tenant.id, module_key, True)
        else:
            session.add(TenantModule(tenant_id=tenant.id, module_key=module_key, enabled=True))
    await session.flush()
    details = {"module": key, "switched_on": to_enable, "tables_created": to_create}
    await record(session, "module.enabled", target=key, details=details, **dict(actor or {}))
    await _run_hooks(session, tenant)
    return SwitchResult(changed=tuple(to_enable), created=tuple(to_create))


async def disable_module(
    session: AsyncSession,
    tenant: Tenant,
    key: str,
    *,
    actor: Mapping[str, Any] | None = None,
    registry: ModuleRegistry | None = None,
) -> SwitchResult:
    """Switch ``key`` off (its data stays), refused while an enabled module depends on it."""
    registry = registry or get_registry()
    await _bound(session, tenant)
    await _lock_tenant(session, tenant)
    states = await module_states(session, tenant.id)
    check_disable(registry, states, key)
    if not states.get(key, False):
        return SwitchResult(changed=())
    await _set_enabled(session, tenant.id, key, False)
    await record(session, "module.disabled", target=key, details={"module": key}, **dict(actor or {}))
    await _run_hooks(session, tenant)
    return SwitchResult(changed=(key,))


async def purge_module(
    session: AsyncSession,
    tenant: Tenant,
    key: str,
    *,
    confirmation: str,
    actor: Mapping[str, Any] | None = None,
    registry: ModuleRegistry | None = None,
) -> list[str]:
    """Drop a switched-off module's tables and its migration branch; ``confirmation`` must be the workspace slug.

    Returns the dropped table names. Enabling the module later creates empty tables at head.
    """
    registry = registry or get_registry()
    if confirmation.strip() != tenant.slug:
        raise ModuleSwitchError(f"Type the workspace address ({tenant.slug}) to confirm.")
    await _bound(session, tenant)
    await _lock_tenant(session, tenant)
    states = await module_states(session, tenant.id)
    check_purge(registry, states, key)
    connection = await session.connection()
    dropped: list[str] = await connection.run_sync(
        drop_module_tables, tenant.schema_name, key, registry.get(key).branch
    )
    await session.execute(
        delete(TenantModule).where(TenantModule.tenant_id == tenant.id, TenantModule.module_key == key)
    )
    await record(session, "module.purged", target=key, details={"module": key, "tables": dropped}, **dict(actor or {}))
    return dropped


def drop_module_tables(connection: Connection, schema: str, key: str, branch: str) -> list[str]:
    """Drop ``key``'s tables from ``schema`` and remove its branch from the schema's version table and mark."""
    check_schema_name(schema)
    tables = [t for t in tables_of([key]) if _table_exists(connection, schema, t.name)]
    tenant_metadata().drop_all(bind=connection, tables=tables, checkfirst=False)
    remove_branch_versions(connection, schema, branch)
    write_version_mark(connection, schema)
    return [t.name for t in tables]


def remove_branch_versions(connection: Connection, schema: str, branch: str) -> None:
    """Delete ``branch``'s rows from the version table, keeping the branches they implied.

    Alembic stores a dependency's head only through its dependent (CRM's row stands for the directory revision it
    ``depends_on``), so removing the dependent's row re-adds the newest revision of each branch that would
    otherwise vanish from the table.
    """
    script = tenant_script()
    own = set(_branch_revisions(branch))
    rows = {r[0] for r in connection.execute(text(f'SELECT version_num FROM "{schema}".{TENANT_VERSION_TABLE}'))}  # noqa: S608 (schema: a tenant schema name from the tenant row, tenant_<id>; table name a constant)
    removed, kept = rows & own, rows - own
    if not removed:
        return
    still_present = branches_of_revisions(kept)
    implied: dict[str, str] = {}
    for head in sorted(removed):
        for revision in script.iterate_revisions(head, "base"):
            for label in set(revision.branch_labels) - {branch} - still_present:
                implied.setdefault(label, revision.revision)  # newest first
    table = f'"{schema}".{TENANT_VERSION_TABLE}'
    connection.execute(text(f"DELETE FROM {table} WHERE version_num = ANY(:revisions)"), {"revisions": list(removed)})  # noqa: S608 (schema: a tenant schema name from the tenant row, tenant_<id>; table name a constant)
    for implied_revision in implied.values():
        connection.execute(text(f"INSERT INTO {table} (version_num) VALUES (:rev)"), {"rev": implied_revision})  # noqa: S608 (schema: a tenant schema name from the tenant row, tenant_<id>; table name a constant)


def _table_exists(connection: Connection, schema: str, table: str) -> bool:
    found = connection.execute(text("SELECT to_regclass(:name)"), {"name": f'"{schema}"."{table}"'}).scalar()
    return found is not None


def _branch_revisions(branch: str) -> list[str]:
    """Every revision of ``branch`` (module branches start at base, so their label covers exactly their own)."""
    return [rev.revision for rev in tenant_script().walk_revisions() if branch in rev.branch_labels]


def _branches_with_migrations(registry: ModuleRegistry, keys: list[str]) -> list[str]:
    script = tenant_script()
    labels = {label for rev in script.walk_revisions() for label in rev.branch_labels}
    return [registry.get(k).branch for k in keys if registry.get(k).branch in labels]


async def _set_enabled(session: AsyncSession, tenant_id: int, key: str, enabled: bool) -> None:
    await session.execute(
        update(TenantModule)
        .where(TenantModule.tenant_id == tenant_id, TenantModule.module_key == key)
        .values(enabled=enabled)
    )


async def _run_hooks(session: AsyncSession, tenant: Tenant) -> None:
    enabled = frozenset(k for k, on in (await module_states(session, tenant.id)).items() if on)
    for hook in MODULE_SWITCH_HOOKS:
        await hook(session, tenant, enabled)
