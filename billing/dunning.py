"""Dunning: past due → (after the grace period) read-only → restored by a payment; canceled → purged after retention.

Every effect happens on a state *transition* under the account's row lock, so replaying an event has none.
"""

from __future__ import annotations

import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.billing.models import BillingAccount, BillingState
from nexo.platform.api.auth import notify_revocation
from nexo.platform.db.tenancy import bind_tenant
from nexo.tenants import audit
from nexo.tenants.models import Tenant, TenantStatus
from nexo.tenants.provisioning import drop_tenant


async def enforce_grace(session: AsyncSession, now: datetime.datetime, grace_days: int) -> list[int]:
    """Past-due tenants whose grace period has run out become read-only. Returns their ids."""
    cutoff = now - datetime.timedelta(days=grace_days)
    rows = (
        await session.execute(
            select(BillingAccount, Tenant)
            .join(Tenant, Tenant.id == BillingAccount.tenant_id)
            .where(
                BillingAccount.state == BillingState.PAST_DUE,
                BillingAccount.past_due_since <= cutoff,
                Tenant.status == TenantStatus.ACTIVE,
            )
            .with_for_update(of=[BillingAccount, Tenant])
        )
    ).all()
    for account, tenant in rows:
        tenant.status = TenantStatus.READ_ONLY
        await notify_revocation(session)
        await bind_tenant(session, tenant.schema_name)
        since = account.past_due_since.isoformat() if account.past_due_since else ""
        await audit.record(session, "billing.read_only", target=tenant.slug, details={"past_due_since": since})
        await session.flush()
    return [tenant.id for _, tenant in rows]


async def purge_expired(session: AsyncSession, now: datetime.datetime, retention_days: int) -> list[str]:
    """Drop canceled tenants whose retention period has ended (schema and rows). Returns their slugs."""
    cutoff = now - datetime.timedelta(days=retention_days)
    rows = (
        (
            await session.execute(
                select(Tenant)
                .join(BillingAccount, BillingAccount.tenant_id == Tenant.id)
                .where(BillingAccount.state == BillingState.CANCELED, BillingAccount.canceled_at <= cutoff)
            )
        )
        .scalars()
        .all()
    )
    slugs = []
    for tenant in rows:
        slugs.append(tenant.slug)
        await drop_tenant(session, tenant)
    return slugs
