"""Trial → card → active, against localstripe; module switches change the items; two tenants stay apart."""

from __future__ import annotations

import datetime

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.billing.inbox import customer_of
from nexo.billing.models import BillingState, SubscriptionItem
from nexo.platform.settings import Settings
from nexo.tenants.audit import AuditEntry
from nexo.tests.factories import WebClient, make_workspace, tenant_session
from nexo.tests.integration.billing.conftest import (
    GOOD_CARD,
    PUBLISHABLE_KEY,
    Stripe,
    account_of,
    deliver,
    price_ids,
    run_billing_jobs,
    switch_module,
)


async def items_of(sessions: async_sessionmaker[AsyncSession], tenant_id: int) -> dict[str, SubscriptionItem]:
    async with sessions() as session:
        rows = await session.scalars(select(SubscriptionItem).where(SubscriptionItem.tenant_id == tenant_id))
        return {row.module_key: row for row in rows}


async def test_signup_starts_a_trial_without_a_card_and_the_customer_after_commit(
    billing_on: Settings, sessions: async_sessionmaker[AsyncSession], stripe_api: Stripe
) -> None:
    alpha = await make_workspace(sessions, name="Alpha Corp")
    beta = await make_workspace(sessions, name="Beta Ltd")
    account = await account_of(sessions, alpha)
    assert account.customer_id is None  # no provider call inside the signup transaction
    assert account.state is BillingState.TRIALING
    assert abs(account.trial_ends_at - account.created_at - datetime.timedelta(days=14)) < datetime.timedelta(minutes=1)

    await run_billing_jobs(billing_on)  # the job queued in the signup transaction creates the customers

    alpha_account, beta_account = await account_of(sessions, alpha), await account_of(sessions, beta)
    assert alpha_account.customer_id and beta_account.customer_id
    assert alpha_account.customer_id != beta_account.customer_id
    customer = await stripe_api.call("GET", f"/v1/customers/{alpha_account.customer_id}")
    assert customer["metadata"] == {"tenant_id": str(alpha.tenant.id)}
    assert customer["email"] == alpha.owner.email


async def test_module_switches_change_the_subscription_items(
    billing_on: Settings, sessions: async_sessionmaker[AsyncSession], stripe_api: Stripe
) -> None:
    alpha = await make_workspace(sessions)
    beta = await make_workspace(sessions)
    prices = await price_ids(sessions)

    await switch_module(sessions, alpha, "crm", True)
    await switch_module(sessions, alpha, "erp.sales", True)
    items = await items_of(sessions, alpha.tenant.id)
    assert set(items) == {"crm", "erp.sales", "erp.inventory"}  # sales switches its dependency on too
    crm = await stripe_api.call("GET", f"/v1/subscriptions/{items['crm'].subscription_id}")
    assert [(i["id"], i["plan"]["id"]) for i in crm["items"]["data"]] == [(items["crm"].item_id, prices["crm"])]
    for key, row in items.items():  # each billed module: its item, with its module's price, at the provider
        provider_items = (await stripe_api.call("GET", f"/v1/subscriptions/{row.subscription_id}"))["items"]["data"]
        assert row.item_id in {i["id"] for i in provider_items} and row.price_id == prices[key]
    assert crm["trial_end"] is not None  # inside the workspace's trial
    assert crm["metadata"] == {"tenant_id": str(alpha.tenant.id), "module": "crm"}

    await switch_module(sessions, alpha, "crm", False)
    items_after = await items_of(sessions, alpha.tenant.id)
    assert set(items_after) == {"erp.sales", "erp.inventory"}
    canceled = await stripe_api.call("GET", f"/v1/subscriptions/{items['crm'].subscription_id}")
    assert canceled["status"] == "canceled"
    assert await items_of(sessions, beta.tenant.id) == {}  # the other workspace pays for nothing

    session = await tenant_session(sessions, alpha)
    async with session:
        actions = list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions.count("billing.item_added") == 3 and actions.count("billing.item_removed") == 1


async def test_trial_then_card_then_active(
    billing_on: Settings,
    sessions: async_sessionmaker[AsyncSession],
    stripe_api: Stripe,
    billing_client: AsyncTestClient[Litestar],
) -> None:
    alpha = await make_workspace(sessions)
    beta = await make_workspace(sessions)
    await run_billing_jobs(billing_on)
    await switch_module(sessions, alpha, "crm", True)
    web = WebClient(billing_client)
    await web.login(alpha.owner.email)

    page = await web.get(f"/w/{alpha.slug}/settings/billing")
    assert page.status_code == 200, page.text
    assert "CRM" in page.text and "trialing" in page.text and "No card on file." in page.text

    # The browser's part, as Stripe.js does it: a SetupIntent from Nexo, confirmed at the provider with the
    # publishable key; then Nexo attaches the confirmed card.
    intent = await web.post(f"/w/{alpha.slug}/settings/billing/setup-intent")
    assert intent.status_code == 201, intent.text
    secret = intent.json()["client_secret"]
    setup_intent_id = secret.split("_secret_")[0]
    confirm = await stripe_api.http.post(
        f"/v1/setup_intents/{setup_intent_id}/confirm",
        auth=None,
        json={
            "key": PUBLISHABLE_KEY,
            "client_secret": secret,
            "payment_method_data": {
                "type": "card",
                "card": {"number": GOOD_CARD, "exp_month": "12", "exp_year": "2030", "cvc": "123"},
            },
        },
    )
    assert confirm.json()["status"] == "succeeded", confirm.text
    saved = await web.post(f"/w/{alpha.slug}/settings/billing/card", {"setup_intent": setup_intent_id})
    assert saved.status_code in (302, 303), saved.text
    account = await account_of(sessions, alpha)
    assert account.card_label.endswith("4242")
    customer = await stripe_api.call("GET", f"/v1/customers/{account.customer_id}")
    assert customer["invoice_settings"]["default_payment_method"] == account.default_payment_method

    # The trial ends: the provider invoices and collects, and tells Nexo through webhooks.
    items = await items_of(sessions, alpha.tenant.id)
    assert account.customer_id
    await stripe_api.bill_period(account.customer_id, items["crm"].subscription_id)
    events = [e for e in await stripe_api.events() if customer_of(e) == account.customer_id]
    for event in events:
        response = await deliver(billing_client, event)
        assert response.status_code == 200, response.text
    await run_billing_jobs(billing_on)

    assert (await account_of(sessions, alpha)).state is BillingState.ACTIVE
    assert (await account_of(sessions, beta)).state is BillingState.TRIALING
    page = await web.get(f"/w/{alpha.slug}/settings/billing")
    assert "paid" in page.text and "€15.00" in page.text
