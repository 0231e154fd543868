"""Dunning: declined → past due (banner, mail) → read-only after the grace (time moved) → paid → active;
canceled → read-only, export kept, purged after retention; billing off frees everything."""

from __future__ import annotations

import datetime

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.billing import catalog
from nexo.billing.accounts import utcnow
from nexo.billing.dunning import purge_expired
from nexo.billing.models import BillingAccount, BillingState
from nexo.billing.tasks import run_grace
from nexo.platform.settings import Settings
from nexo.tenants.models import Tenant, TenantStatus
from nexo.tests.factories import WebClient, Workspace, make_workspace
from nexo.tests.integration.billing.conftest import (
    DECLINED_CHARGE_CARD,
    GOOD_CARD,
    Stripe,
    account_of,
    customer_events,
    deliver,
    paying_workspace,
    run_billing_jobs,
    switch_module,
)
from nexo.tests.mailbox import Mailbox


async def tenant_status(sessions: async_sessionmaker[AsyncSession], workspace: Workspace) -> TenantStatus:
    async with sessions() as session:
        tenant = await session.get(Tenant, workspace.tenant.id)
        assert tenant is not None
        return tenant.status


async def deliver_new(client: AsyncTestClient[Litestar], stripe_api: Stripe, customer_id: str, seen: set[str]) -> None:
    for event in await customer_events(stripe_api, customer_id, after=seen):
        assert (await deliver(client, event)).status_code == 200
        seen.add(event["id"])


async def create_person(web: WebClient, slug: str) -> int:
    response = await web.post(f"/w/{slug}/directory/people/new", {"first_name": "Ada", "last_name": "Lovelace"})
    return int(response.status_code)


async def test_declined_card_past_due_then_read_only_then_restored_by_payment(
    billing_on: Settings,
    sessions: async_sessionmaker[AsyncSession],
    stripe_api: Stripe,
    billing_client: AsyncTestClient[Litestar],
    mailbox: Mailbox,
) -> None:
    paying = await paying_workspace(sessions, billing_on, stripe_api, billing_client)
    healthy = await paying_workspace(sessions, billing_on, stripe_api, billing_client)
    seen = {e["id"] for e in await customer_events(stripe_api, paying.customer_id)}
    await stripe_api.set_card(paying.customer_id, DECLINED_CHARGE_CARD)
    invoice = await stripe_api.bill_period(paying.customer_id, paying.subscription_id)
    assert invoice["status"] == "open"
    await deliver_new(billing_client, stripe_api, paying.customer_id, seen)
    await run_billing_jobs(billing_on)

    # Past due: writes still work, admins see the banner, the owner got one e-mail.
    assert (await account_of(sessions, paying.workspace)).state is BillingState.PAST_DUE
    web = WebClient(billing_client)
    await web.login(paying.workspace.owner.email)
    home = await web.get(f"/w/{paying.workspace.slug}/")
    assert 'id="billing-banner"' in home.text and "payment for this workspace failed" in home.text
    assert await create_person(web, paying.workspace.slug) == 303
    assert [m["To"] for m in mailbox.messages if "Payment failed" in str(m["Subject"])] == [
        paying.workspace.owner.email
    ]

    # Within the grace period nothing changes; past it (time moved, not slept) the workspace is read-only.
    assert await run_grace(utcnow() + datetime.timedelta(days=6)) == []
    assert await run_grace(utcnow() + datetime.timedelta(days=8)) == [paying.workspace.tenant.id]
    assert await tenant_status(sessions, paying.workspace) is TenantStatus.READ_ONLY
    assert await tenant_status(sessions, healthy.workspace) is TenantStatus.ACTIVE
    refused = await web.post(
        f"/w/{paying.workspace.slug}/directory/people/new", {"first_name": "Bob", "last_name": "Read"}
    )
    assert refused.status_code == 403 and "read-only" in refused.text
    assert (await web.get(f"/w/{paying.workspace.slug}/directory/people")).status_code == 200
    billing_page = await web.get(f"/w/{paying.workspace.slug}/settings/billing")
    assert billing_page.status_code == 200 and "past due" in billing_page.text
    assert (await web.post(f"/w/{paying.workspace.slug}/settings/billing/setup-intent")).status_code == 201

    # The owner pays with a good card: restored at once.
    await stripe_api.set_card(paying.customer_id, GOOD_CARD)
    paid = await stripe_api.pay(invoice["id"])
    assert paid["status"] == "paid"
    await deliver_new(billing_client, stripe_api, paying.customer_id, seen)
    await run_billing_jobs(billing_on)
    assert (await account_of(sessions, paying.workspace)).state is BillingState.ACTIVE
    assert await tenant_status(sessions, paying.workspace) is TenantStatus.ACTIVE
    assert await create_person(web, paying.workspace.slug) == 303
    assert 'id="billing-banner"' not in (await web.get(f"/w/{paying.workspace.slug}/")).text


async def test_canceled_is_read_only_keeps_data_until_retention_then_purged(
    billing_on: Settings,
    sessions: async_sessionmaker[AsyncSession],
    stripe_api: Stripe,
    billing_client: AsyncTestClient[Litestar],
) -> None:
    leaving = await paying_workspace(sessions, billing_on, stripe_api, billing_client)
    staying = await paying_workspace(sessions, billing_on, stripe_api, billing_client)
    seen = {e["id"] for e in await customer_events(stripe_api, leaving.customer_id)}
    await stripe_api.call("DELETE", f"/v1/subscriptions/{leaving.subscription_id}")  # canceled at the provider
    await deliver_new(billing_client, stripe_api, leaving.customer_id, seen)
    await run_billing_jobs(billing_on)

    account = await account_of(sessions, leaving.workspace)
    assert account.state is BillingState.CANCELED and account.canceled_at is not None
    assert await tenant_status(sessions, leaving.workspace) is TenantStatus.CANCELED
    web = WebClient(billing_client)
    await web.login(leaving.workspace.owner.email)
    refused = await web.post(
        f"/w/{leaving.workspace.slug}/directory/people/new", {"first_name": "Bob", "last_name": "Late"}
    )
    assert refused.status_code == 403 and "subscription has ended" in refused.text
    assert (await web.get(f"/w/{leaving.workspace.slug}/directory/people")).status_code == 200

    async with sessions() as session:
        assert await purge_expired(session, utcnow() + datetime.timedelta(days=89), 90) == []
        purged = await purge_expired(session, utcnow() + datetime.timedelta(days=91), 90)
        await session.commit()
    assert purged == [leaving.workspace.slug]
    async with sessions() as session:
        assert await session.get(Tenant, leaving.workspace.tenant.id) is None
        assert await session.get(Tenant, staying.workspace.tenant.id) is not None
        schema = await session.scalar(select(Tenant.schema_name).where(Tenant.id == staying.workspace.tenant.id))
        assert schema == staying.workspace.schema


async def test_billing_off_hides_billing_and_frees_every_module(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    web: WebClient,
) -> None:
    assert settings.billing.provider == "off"
    alpha = await make_workspace(sessions)
    beta = await make_workspace(sessions)
    await switch_module(sessions, alpha, "directory", True)
    async with sessions() as session:
        accounts = await session.scalars(
            select(BillingAccount).where(BillingAccount.tenant_id.in_([alpha.tenant.id, beta.tenant.id]))
        )
        assert list(accounts) == []
    assert catalog.price_for("directory") is None
    assert catalog.paid_module_keys({"crm", "erp.sales", "directory"}) == set()
    await web.login(alpha.owner.email)
    assert (await web.get(f"/w/{alpha.slug}/settings/billing")).status_code == 404
    home = await web.get(f"/w/{alpha.slug}/")
    assert home.status_code == 200 and "billing" not in home.text.lower()
    assert "js.stripe.com" not in home.headers["content-security-policy"]
