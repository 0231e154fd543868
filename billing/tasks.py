"""Billing jobs: provisioning repair, webhook events, owner e-mail, the grace period (periodic)."""

from __future__ import annotations

import datetime

from procrastinate import JobContext, RetryStrategy
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.billing import inbox
from nexo.billing.accounts import owner_of, reconcile_account, utcnow
from nexo.billing.dunning import enforce_grace
from nexo.billing.models import BillingAccount
from nexo.billing.provider import configure, get_provider
from nexo.billing.transitions import BILLING_QUEUE
from nexo.platform.jobs import jobs
from nexo.platform.mail import Mail, send_mail
from nexo.platform.settings import Settings, get_settings
from nexo.tenants.models import Tenant

RETRY = RetryStrategy(max_attempts=8, exponential_wait=2)
_sessions: async_sessionmaker[AsyncSession] | None = None
_settings: Settings | None = None


def use(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> None:
    """Give the tasks their settings and database (the app and the tests call this; the worker need not)."""
    global _sessions, _settings
    _settings, _sessions = settings, sessions
    configure(settings)


def _context() -> tuple[Settings, async_sessionmaker[AsyncSession]]:
    global _sessions, _settings
    if _sessions is None or _settings is None:
        from nexo.platform.db.engine import create_engine, create_session_maker

        use(get_settings(), create_session_maker(create_engine(get_settings())))
    assert _sessions is not None and _settings is not None
    return _settings, _sessions


@jobs.task(name="nexo.billing.reconcile_account", queue=BILLING_QUEUE, retry=RETRY)
async def reconcile_account_task(tenant_id: int) -> str:
    """After signup (and on repair): create the customer and the trial subscriptions; idempotent."""
    _, sessions = _context()
    if not get_provider().enabled:
        return "billing off"
    async with sessions() as session, session.begin():
        state = await reconcile_account(session, tenant_id, utcnow())
    return str(state)


@jobs.task(name="nexo.billing.process_event", queue=BILLING_QUEUE, retry=RETRY)
async def process_event_task(row_id: int) -> str:
    _, sessions = _context()
    return await inbox.process_event(sessions, row_id, utcnow())


@jobs.task(name="nexo.billing.mail_owner", queue=BILLING_QUEUE, retry=RETRY)
async def mail_owner_task(tenant_id: int, kind: str) -> str:
    settings, sessions = _context()
    async with sessions() as session:
        tenant = await session.get(Tenant, tenant_id)
        owner = await owner_of(session, tenant_id)
    if tenant is None or owner is None:
        return "no owner"
    link = f"{settings.app.base_url}/w/{tenant.slug}/settings/billing"
    await send_mail(
        settings,
        Mail(
            to=owner.email,
            subject=f"Payment failed for {tenant.name}",
            text=(
                f"We could not collect the payment for {tenant.name}. Please update the card at {link} within "
                f"{settings.billing.grace_days} days; after that the workspace becomes read-only until it is paid."
            ),
        ),
    )
    return owner.email


async def run_grace(now: datetime.datetime) -> list[int]:
    settings, sessions = _context()
    async with sessions() as session, session.begin():
        return await enforce_grace(session, now, settings.billing.grace_days)


@jobs.periodic(cron="*/5 * * * *")
@jobs.task(name="nexo.billing.enforce_grace", queue=BILLING_QUEUE)
async def enforce_grace_task(timestamp: int) -> list[int]:
    """Every five minutes: past-due tenants past the grace period become read-only."""
    return await run_grace(datetime.datetime.fromtimestamp(timestamp, datetime.UTC))


@jobs.periodic(cron="*/10 * * * *")
@jobs.task(name="nexo.billing.repair_accounts", queue=BILLING_QUEUE, pass_context=True)
async def repair_accounts_task(context: JobContext, timestamp: int) -> int:
    """Every ten minutes: accounts still without a customer (a failed signup job) are reconciled again."""
    _, sessions = _context()
    if not get_provider().enabled:
        return 0
    async with sessions() as session:
        tenant_ids = list(
            await session.scalars(select(BillingAccount.tenant_id).where(BillingAccount.customer_id.is_(None)))
        )
    for tenant_id in tenant_ids:
        await context.app.configure_task(reconcile_account_task.name).defer_async(tenant_id=tenant_id)
    return len(tenant_ids)
