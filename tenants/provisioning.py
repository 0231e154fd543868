"""Provisioning: the tenant row, its schema built directly at head, and the owner's membership, in one transaction.

The caller owns the transaction: if anything fails, the rollback removes the row, the schema and the membership
together (PostgreSQL DDL is transactional), so a failed signup leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.accounts.models import User
from nexo.platform.db.tenancy import schema_for_tenant_id
from nexo.platform.migrations.runner import build_tenant_schema
from nexo.platform.modules.registry import get_registry
from nexo.platform.tenancy.context import Role
from nexo.tenants.models import Membership, Tenant
from nexo.tenants.module_state import record_modules_built


def default_module_keys(extra: Iterable[str] = ()) -> list[str]:
    """The always-on modules plus ``extra`` (with their dependencies), dependencies first."""
    registry = get_registry()
    keys: set[str] = {m.key for m in registry.always_on()}
    for key in extra:
        keys.update(registry.dependencies_closure(key))
    return [k for k in registry.order if k in keys]


async def provision_tenant(
    session: AsyncSession,
    *,
    name: str,
    slug: str,
    owner: User,
    modules: Iterable[str] = (),
    currency: str = "EUR",
    timezone: str = "UTC",
) -> Tenant:
    """Create the tenant, its schema at head with ``modules`` (plus always-on ones) and the owner membership."""
    tenant = Tenant(name=name, slug=slug, schema_name="", currency=currency, timezone=timezone)
    session.add(tenant)
    await session.flush()
    tenant.schema_name = schema_for_tenant_id(tenant.id)
    await session.flush()
    module_keys = default_module_keys(modules)
    connection = await session.connection()
    await connection.run_sync(build_tenant_schema, tenant.schema_name, module_keys)
    # The search_path set while building is transaction-local; reset it so later statements in this
    # transaction behave exactly as before.
    await session.execute(
        text("SELECT set_config('search_path', reset_val, true) FROM pg_settings WHERE name = 'search_path'")
    )
    session.add(Membership(tenant_id=tenant.id, user_id=owner.id, role=Role.OWNER))
    await session.flush()
    await record_modules_built(session, tenant, module_keys)
    for hook in PROVISIONING_HOOKS:
        await hook(session, tenant, module_keys)
    return tenant


ProvisioningHook = Callable[[AsyncSession, Tenant, list[str]], Awaitable[None]]
# Other parts (billing, ...) register coroutines ``hook(session, tenant, module_keys)``, run in the same transaction
# once the schema exists: they fail the signup as a whole or not at all.
PROVISIONING_HOOKS: list[ProvisioningHook] = []


async def drop_tenant(session: AsyncSession, tenant: Tenant) -> None:
    """Delete the tenant row and its schema, in the caller's transaction."""
    await session.execute(text(f'DROP SCHEMA IF EXISTS "{tenant.schema_name}" CASCADE'))
    await session.delete(tenant)
    await session.flush()
