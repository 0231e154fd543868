"""A tenant's billing account: the customer, one provider subscription item per enabled paid module, the state.

Which provider objects bill the modules (today one subscription per paid module, with its single item) is decided
in one place, :mod:`nexo.billing.layout`; switching on bills from now (inside the trial while it runs), switching
off stops billing with proration. The state is never taken from an event's payload: it is derived from the provider's
current subscriptions (re-read), so duplicate and out-of-order events converge to the same result.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.billing.catalog import paid_module_keys, price_id_for
from nexo.billing.layout import BilledModule, apply_module_set
from nexo.billing.models import BillingAccount, BillingState, SubscriptionItem
from nexo.billing.provider import get_provider
from nexo.billing.transitions import apply_state, defer_in_transaction
from nexo.platform.accounts.models import User
from nexo.platform.db.tenancy import bind_tenant
from nexo.platform.tenancy.context import Role
from nexo.tenants import audit
from nexo.tenants.models import Membership, Tenant
from nexo.tenants.module_state import enabled_module_keys

PAST_DUE_STATUSES = frozenset({"past_due", "unpaid", "incomplete_expired"})


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


async def open_account(session: AsyncSession, tenant: Tenant, trial_days: int, now: datetime.datetime) -> None:
    """Provisioning: the account row and a queued job that creates the customer and trial once signup commits.

    No provider call runs inside the signup transaction: a provider failure cannot leave a half tenant, and a
    tenant committed without a customer is repaired by that job (idempotent, retried).
    """
    session.add(BillingAccount(tenant_id=tenant.id, trial_ends_at=now + datetime.timedelta(days=trial_days)))
    await session.flush()
    await defer_in_transaction(session, "nexo.billing.reconcile_account", {"tenant_id": tenant.id})


async def lock_account(session: AsyncSession, tenant_id: int) -> BillingAccount | None:
    account: BillingAccount | None = await session.scalar(
        select(BillingAccount)
        .where(BillingAccount.tenant_id == tenant_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return account


async def owner_of(session: AsyncSession, tenant_id: int) -> User | None:
    owner: User | None = await session.scalar(
        select(User)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == tenant_id, Membership.role == Role.OWNER)
        .order_by(Membership.id)
        .limit(1)
    )
    return owner


async def ensure_customer(session: AsyncSession, account: BillingAccount, tenant: Tenant) -> str:
    if account.customer_id:
        return account.customer_id
    owner = await owner_of(session, tenant.id)
    account.customer_id = await get_provider().create_customer(
        tenant_id=tenant.id, name=tenant.name, email=owner.email if owner else ""
    )
    await session.flush()
    return account.customer_id


@dataclass(frozen=True)
class ItemChanges:
    added: tuple[str, ...]
    removed: tuple[str, ...]


async def sync_items(
    session: AsyncSession, tenant: Tenant, enabled: frozenset[str], now: datetime.datetime
) -> ItemChanges:
    """Make the provider bill the enabled paid modules (the caller's transaction, tenant-bound).

    :func:`nexo.billing.layout.apply_module_set` decides which provider objects that takes; this records the
    result: one row per billed module, and an audit entry per module added or removed.
    """
    provider = get_provider()
    if not provider.enabled:
        return ItemChanges((), ())
    account = await lock_account(session, tenant.id)
    if account is None:  # a workspace created while billing was off: its trial starts now
        session.add(BillingAccount(tenant_id=tenant.id, trial_ends_at=now))
        await session.flush()
        account = await lock_account(session, tenant.id)
        assert account is not None
    customer_id = await ensure_customer(session, account, tenant)
    rows = {
        row.module_key: row
        for row in await session.scalars(select(SubscriptionItem).where(SubscriptionItem.tenant_id == tenant.id))
    }
    wanted = {key: await price_id_for(session, key) for key in sorted(paid_module_keys(enabled))}
    change = await apply_module_set(
        provider,
        customer_id=customer_id,
        tenant_id=tenant.id,
        billed={k: _billed(r) for k, r in rows.items()},
        wanted=wanted,
        trial_end=account.trial_ends_at if account.trial_ends_at > now else None,
    )
    for billed in change.added:
        session.add(
            SubscriptionItem(
                tenant_id=tenant.id,
                module_key=billed.module_key,
                subscription_id=billed.subscription_id,
                item_id=billed.item_id,
                price_id=billed.price_id,
                status=billed.status,
            )
        )
        await audit.record(
            session,
            "billing.item_added",
            target=billed.module_key,
            details={"subscription": billed.subscription_id, "item": billed.item_id},
        )
    for billed in change.removed:
        await session.delete(rows[billed.module_key])
        await audit.record(
            session,
            "billing.item_removed",
            target=billed.module_key,
            details={"subscription": billed.subscription_id, "item": billed.item_id},
        )
    await session.flush()
    return ItemChanges(tuple(b.module_key for b in change.added), tuple(b.module_key for b in change.removed))


def _billed(row: SubscriptionItem) -> BilledModule:
    return BilledModule(row.module_key, row.subscription_id, row.item_id, row.price_id, row.status)


async def cancel_orphans(session: AsyncSession, account: BillingAccount) -> list[str]:
    """Cancel provider subscriptions of this customer that no item row knows (a switch whose commit failed)."""
    if not account.customer_id:
        return []
    known = set(
        await session.scalars(
            select(SubscriptionItem.subscription_id).where(SubscriptionItem.tenant_id == account.tenant_id)
        )
    )
    orphans = [
        s.id
        for s in await get_provider().list_subscriptions(account.customer_id)
        if s.id not in known and s.status not in {"canceled", "incomplete_expired"}
    ]
    for subscription_id in orphans:
        await get_provider().cancel_subscription(subscription_id)
    return orphans


def derive_state(account: BillingAccount, statuses: list[str], now: datetime.datetime) -> BillingState:
    """The billing state implied by the provider's current subscription statuses."""
    if account.state is BillingState.CANCELED or "canceled" in statuses:
        return BillingState.CANCELED  # a subscription ended by the provider (not by a module switch)
    if PAST_DUE_STATUSES.intersection(statuses):
        return BillingState.PAST_DUE
    if statuses and all(status == "active" for status in statuses):
        return BillingState.ACTIVE
    return BillingState.TRIALING if now < account.trial_ends_at else BillingState.ACTIVE


async def refresh_items(session: AsyncSession, tenant_id: int) -> list[str]:
    """Re-read each distinct subscription behind the tenant's items from the provider; return their statuses."""
    statuses: dict[str, str] = {}
    for row in await session.scalars(select(SubscriptionItem).where(SubscriptionItem.tenant_id == tenant_id)):
        if row.subscription_id not in statuses:
            statuses[row.subscription_id] = (await get_provider().retrieve_subscription(row.subscription_id)).status
        row.status = statuses[row.subscription_id]
    await session.flush()
    return list(statuses.values())


async def reconcile_account(session: AsyncSession, tenant_id: int, now: datetime.datetime) -> BillingState | None:
    """Bring one tenant in line with the provider: customer, items, orphan subscriptions, state.

    Idempotent: the signup job, the repair task and every webhook event run it, in one transaction that holds
    the account's row lock, so concurrent runs for one tenant serialize.
    """
    tenant = await session.get(Tenant, tenant_id)
    account = await lock_account(session, tenant_id)
    if tenant is None or account is None:
        return None
    await bind_tenant(session, tenant.schema_name)
    if account.state is not BillingState.CANCELED:
        await sync_items(session, tenant, await enabled_module_keys(session, tenant_id), now)
    await cancel_orphans(session, account)
    new_state = derive_state(account, await refresh_items(session, tenant_id), now)
    await apply_state(session, account, tenant, new_state, now)
    return new_state
