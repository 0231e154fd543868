"""Which modules a workspace has switched on (public ``tenant_modules`` rows)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute

from nexo.tenants.models import Tenant, TenantModule


def enabled_modules_subquery(
    tenant_id: ColumnElement[int] | QueryableAttribute[int] | int,
) -> ColumnElement[list[str]]:
    """A scalar subquery: the array of enabled module keys of ``tenant_id`` (embeddable in a larger query)."""
    return (
        select(func.array_agg(TenantModule.module_key))  # NULL when none: callers treat it as empty
        .where(TenantModule.tenant_id == tenant_id, TenantModule.enabled.is_(True))
        .scalar_subquery()
    )


async def enabled_module_keys(session: AsyncSession, tenant_id: int) -> frozenset[str]:
    rows = await session.scalars(
        select(TenantModule.module_key).where(TenantModule.tenant_id == tenant_id, TenantModule.enabled.is_(True))
    )
    return frozenset(rows)


async def record_modules_built(session: AsyncSession, tenant: Tenant, module_keys: Iterable[str]) -> None:
    """Provisioning hook: the modules a new schema was built with are on."""
    for key in module_keys:
        session.add(TenantModule(tenant_id=tenant.id, module_key=key, enabled=True))
    await session.flush()


ModuleSwitchHook = Callable[[AsyncSession, Tenant, frozenset[str]], Awaitable[None]]
# Coroutines ``hook(session, tenant, enabled_keys)`` run inside the transaction of every module switch, after the
# switch, with the full set of enabled module keys (billing syncs subscription items here). A hook that raises
# aborts the switch as a whole.
MODULE_SWITCH_HOOKS: list[ModuleSwitchHook] = []
