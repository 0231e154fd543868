"""Webhooks: signatures checked on the raw body, one effect per event however often it comes, any order."""

from __future__ import annotations

import json
import random
import time

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.billing.models import BillingState, InboxStatus, WebhookEvent
from nexo.platform.settings import Settings
from nexo.tenants.audit import AuditEntry
from nexo.tests.factories import Workspace, tenant_session
from nexo.tests.integration.billing.conftest import (
    DECLINED_CHARGE_CARD,
    Stripe,
    account_of,
    customer_events,
    deliver,
    paying_workspace,
    run_billing_jobs,
    sign,
)
from nexo.tests.mailbox import Mailbox


async def inbox_count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(WebhookEvent)) or 0)


async def audit_actions(sessions: async_sessionmaker[AsyncSession], workspace: Workspace) -> list[str]:
    session = await tenant_session(sessions, workspace)
    async with session:
        return list(
            await session.scalars(
                select(AuditEntry.action).where(AuditEntry.action.like("billing.%")).order_by(AuditEntry.id)
            )
        )


async def test_bad_or_stale_signatures_get_400_and_store_nothing(
    billing_on: Settings,
    sessions: async_sessionmaker[AsyncSession],
    stripe_api: Stripe,
    billing_client: AsyncTestClient[Litestar],
) -> None:
    paying = await paying_workspace(sessions, billing_on, stripe_api, billing_client, deliver_events=False)
    other = await paying_workspace(sessions, billing_on, stripe_api, billing_client, deliver_events=False)
    event = (await customer_events(stripe_api, paying.customer_id))[-1]
    payload = json.dumps(event).encode()
    before = await inbox_count(sessions)
    attempts = {
        "wrong secret": {"stripe-signature": sign(payload, secret="whsec_someone_else")},
        "stale": {"stripe-signature": sign(payload, timestamp=int(time.time()) - 3600)},
        "missing": {},
        "garbage": {"stripe-signature": "t=abc,v1=zzz"},
    }
    for name, headers in attempts.items():
        response = await billing_client.post("/billing/webhooks/stripe", content=payload, headers=headers)
        assert response.status_code == 400, name
    tampered = payload.replace(b'"livemode": false', b'"livemode": true ')
    response = await billing_client.post(
        "/billing/webhooks/stripe", content=tampered, headers={"stripe-signature": sign(payload)}
    )
    assert response.status_code == 400
    await run_billing_jobs(billing_on)
    assert await inbox_count(sessions) == before
    for workspace in (paying.workspace, other.workspace):
        assert (await account_of(sessions, workspace)).state is BillingState.TRIALING  # nothing was applied


async def test_each_event_delivered_five_times_has_one_effect(
    billing_on: Settings,
    sessions: async_sessionmaker[AsyncSession],
    stripe_api: Stripe,
    billing_client: AsyncTestClient[Litestar],
    mailbox: Mailbox,
) -> None:
    paying = await paying_workspace(sessions, billing_on, stripe_api, billing_client)
    bystander = await paying_workspace(sessions, billing_on, stripe_api, billing_client)
    seen = {e["id"] for e in await customer_events(stripe_api, paying.customer_id)}
    await stripe_api.set_card(paying.customer_id, DECLINED_CHARGE_CARD)
    await stripe_api.bill_period(paying.customer_id, paying.subscription_id)
    new_events = await customer_events(stripe_api, paying.customer_id, after=seen)
    types = {e["type"] for e in new_events}
    assert "invoice.payment_failed" in types
    before = await inbox_count(sessions)

    for _ in range(5):
        for event in new_events:
            response = await deliver(billing_client, event)
            assert response.status_code == 200
        await run_billing_jobs(billing_on)

    assert await inbox_count(sessions) == before + len(new_events)
    async with sessions() as session:
        rows = list(
            await session.scalars(select(WebhookEvent).where(WebhookEvent.event_id.in_([e["id"] for e in new_events])))
        )
    assert {row.status for row in rows} == {InboxStatus.PROCESSED}
    assert all(row.attempts == 1 for row in rows)
    assert {row.tenant_id for row in rows} == {paying.workspace.tenant.id}
    assert (await account_of(sessions, paying.workspace)).state is BillingState.PAST_DUE
    assert (await audit_actions(sessions, paying.workspace)).count("billing.past_due") == 1
    failed_mails = [m for m in mailbox.messages if "Payment failed" in str(m["Subject"])]
    assert len(failed_mails) == 1 and failed_mails[0]["To"] == paying.workspace.owner.email
    assert (await account_of(sessions, bystander.workspace)).state is BillingState.ACTIVE


async def test_events_in_any_order_reach_the_same_state(
    billing_on: Settings,
    sessions: async_sessionmaker[AsyncSession],
    stripe_api: Stripe,
    billing_client: AsyncTestClient[Litestar],
) -> None:
    in_order = await paying_workspace(sessions, billing_on, stripe_api, billing_client, deliver_events=False)
    shuffled = await paying_workspace(sessions, billing_on, stripe_api, billing_client, deliver_events=False)
    for paying in (in_order, shuffled):  # the same history for both: paid, then a declined renewal
        await stripe_api.set_card(paying.customer_id, DECLINED_CHARGE_CARD)
        await stripe_api.bill_period(paying.customer_id, paying.subscription_id)

    for event in await customer_events(stripe_api, in_order.customer_id):
        await deliver(billing_client, event)
        await run_billing_jobs(billing_on)  # one at a time, in the order they happened
    events = await customer_events(stripe_api, shuffled.customer_id)
    scrambled = [*events, *random.Random(7).sample(events, len(events))]
    random.Random(11).shuffle(scrambled)  # newest first sometimes, with duplicates, all at once
    for event in scrambled:
        await deliver(billing_client, event)
    await run_billing_jobs(billing_on)

    ordered_account = await account_of(sessions, in_order.workspace)
    shuffled_account = await account_of(sessions, shuffled.workspace)
    assert ordered_account.state is shuffled_account.state is BillingState.PAST_DUE
    ordered_actions = await audit_actions(sessions, in_order.workspace)
    assert ordered_actions == await audit_actions(sessions, shuffled.workspace)
