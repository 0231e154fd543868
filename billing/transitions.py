"""Billing state transitions and the job outbox they write to.

A state change moves the tenant's status with it (``status_for``) and has its effects (audit entry, owner mail,
token cache invalidation) once, on the transition (``apply_state``). Both the reconciliation in
``nexo.billing.accounts`` and the dunning clock in ``nexo.billing.dunning`` move states through here.
"""

from __future__ import annotations

import datetime
import json

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.billing.models import BillingAccount, BillingState
from nexo.platform.api.auth import notify_revocation
from nexo.tenants import audit
from nexo.tenants.models import Tenant, TenantStatus

BILLING_QUEUE = "billing"


async def defer_in_transaction(session: AsyncSession, task_name: str, args: dict[str, object]) -> None:
    """Queue a job in the caller's transaction (an outbox): it exists if and only if the transaction commits.

    The queue's functions live in ``public``; a tenant-bound transaction has only the tenant schema on its
    search_path, so the statement runs with ``public`` and the tenant binding is put back after it.
    """
    bound = await session.scalar(text("SELECT current_setting('search_path')"))
    await session.execute(text("SELECT set_config('search_path', 'public', true)"))
    await session.execute(
        text(
            "SELECT procrastinate_defer_jobs_v1(ARRAY[ROW(:queue, :task, 0, NULL, NULL, CAST(:args AS jsonb), NULL)"
            "::procrastinate_job_to_defer_v1])"
        ),
        {"queue": BILLING_QUEUE, "task": task_name, "args": json.dumps(args)},
    )
    await session.execute(text("SELECT set_config('search_path', :path, true)"), {"path": bound})


def status_for(state: BillingState, current: TenantStatus) -> TenantStatus:
    """The tenant status a billing state leads to at once (past due turns read-only only after the grace)."""
    if state is BillingState.CANCELED:
        return TenantStatus.CANCELED
    if state is BillingState.PAST_DUE:
        return current
    return TenantStatus.ACTIVE


async def apply_state(
    session: AsyncSession, account: BillingAccount, tenant: Tenant, new_state: BillingState, now: datetime.datetime
) -> bool:
    """Move the (locked) account to ``new_state``; audit, mail and tenant status follow. True if it changed."""
    old_state = account.state
    if new_state is old_state:
        return False
    account.state = new_state
    if new_state is BillingState.PAST_DUE:
        account.past_due_since = account.past_due_since or now
        await defer_in_transaction(session, "nexo.billing.mail_owner", {"tenant_id": tenant.id, "kind": "past_due"})
    else:
        account.past_due_since = None
    if new_state is BillingState.CANCELED:
        account.canceled_at = now
    old_status, tenant.status = tenant.status, status_for(new_state, tenant.status)
    if tenant.status is not old_status:
        await notify_revocation(session)  # API principals cache the tenant's status: drop them on commit
    await audit.record(
        session,
        f"billing.{new_state.value}",
        target=tenant.slug,
        details={"from": old_state.value, "tenant_status": tenant.status.value},
    )
    await session.flush()
    return True
