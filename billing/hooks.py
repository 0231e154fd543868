"""Billing's hooks into provisioning and module switches (registered once by :func:`install`)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from nexo.billing.accounts import open_account, sync_items, utcnow
from nexo.billing.provider import configure, get_provider
from nexo.platform.settings import Settings
from nexo.tenants.models import Tenant
from nexo.tenants.module_state import MODULE_SWITCH_HOOKS
from nexo.tenants.provisioning import PROVISIONING_HOOKS

_trial_days = 14


async def start_trial(session: AsyncSession, tenant: Tenant, module_keys: list[str]) -> None:
    if get_provider().enabled:
        await open_account(session, tenant, _trial_days, utcnow())


async def bill_module_switch(session: AsyncSession, tenant: Tenant, enabled: frozenset[str]) -> None:
    if get_provider().enabled:
        await sync_items(session, tenant, enabled, utcnow())


def install(settings: Settings) -> None:
    """Select the provider and register the hooks (idempotent)."""
    global _trial_days
    configure(settings)
    _trial_days = settings.billing.trial_days
    if start_trial not in PROVISIONING_HOOKS:
        PROVISIONING_HOOKS.append(start_trial)
    if bill_module_switch not in MODULE_SWITCH_HOOKS:
        MODULE_SWITCH_HOOKS.append(bill_module_switch)
