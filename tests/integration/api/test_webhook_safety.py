"""Webhooks that must not go out: to a disconnected, disabled or narrowed app (also when already queued), to
private addresses (SSRF), through a redirect, or beyond an installation's caps."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.platform.db.base import utcnow
from nexo.platform.oauth.endpoints import install
from nexo.platform.oauth.models import Installation, OAuthClient
from nexo.platform.settings import Settings
from nexo.platform.webhooks.events import wait_for_deferrals
from nexo.platform.webhooks.models import WebhookSubscription
from nexo.platform.webhooks.receivers import ReceiverPolicy
from nexo.platform.webhooks.signing import new_signing_secret
from nexo.platform.webhooks.tasks import THROTTLED, attempt_delivery
from nexo.tests.factories import WebClient, Workspace
from nexo.tests.integration.accounts.helpers import app_with
from nexo.tests.integration.api.conftest import TokenFactory
from nexo.tests.integration.api.test_webhooks import deliveries, run_worker, subscribe
from nexo.tests.partner import Receiver

Client = AsyncTestClient[Litestar]
PERSON = {"first_name": "Ada", "last_name": "Lovelace"}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


async def newest_installation(sessions: async_sessionmaker[AsyncSession], ws: Workspace) -> Installation:
    async with sessions() as session:
        found = await session.scalar(
            select(Installation).where(Installation.tenant_id == ws.tenant.id).order_by(Installation.id.desc())
        )
        assert found is not None
        return found


async def queue_one_delivery(client: Client, headers: dict[str, str], receiver: Receiver) -> None:
    await subscribe(client, headers, receiver.url, "directory.person.created")
    assert (await client.post("/api/v1/directory/people", json=PERSON, headers=headers)).status_code == 201
    await wait_for_deferrals()


async def test_revoking_an_app_stops_queued_deliveries_its_subscriptions_and_redelivery(
    client: Client,
    web: WebClient,
    sessions: async_sessionmaker[AsyncSession],
    token_for: TokenFactory,
    receiver: Receiver,
    tenant_a: Workspace,
    tenant_b: Workspace,
) -> None:
    headers = await token_for(tenant_a)
    other = Receiver()
    try:
        await queue_one_delivery(client, await token_for(tenant_b), other)  # tenant B's app stays connected
        await queue_one_delivery(client, headers, receiver)  # queued, not yet sent
        installation = await newest_installation(sessions, tenant_a)
        await web.login(tenant_a.owner.email)
        revoked = await web.post(f"/w/{tenant_a.slug}/settings/apps/{installation.id}/revoke")
        assert revoked.status_code == 303
        await run_worker()
        assert receiver.requests == []  # the queued job found the app disconnected
        assert len(other.requests) == 1
    finally:
        other.close()
    [delivery] = await deliveries(sessions, tenant_a.tenant.id)
    assert delivery.status == "failed" and delivery.last_error == "the app was disconnected from the workspace"
    async with sessions() as session:
        subscriptions = list(
            await session.scalars(
                select(WebhookSubscription).where(WebhookSubscription.installation_id == installation.id)
            )
        )
    assert [s.active for s in subscriptions] == [False]

    again = await web.post(f"/w/{tenant_a.slug}/settings/apps/deliveries/{delivery.id}/redeliver")
    assert again.status_code == 409 and "disconnected" in again.text
    # a later event of the workspace records nothing for the revoked app
    fresh = await token_for(tenant_a)
    assert (await client.post("/api/v1/directory/people", json=PERSON, headers=fresh)).status_code == 201
    await run_worker()
    assert len(await deliveries(sessions, tenant_a.tenant.id)) == 1 and receiver.requests == []


async def test_a_disabled_client_gets_nothing_even_for_jobs_already_queued(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    token_for: TokenFactory,
    receiver: Receiver,
    tenant_a: Workspace,
    tenant_b: Workspace,
) -> None:
    await queue_one_delivery(client, await token_for(tenant_a), receiver)
    installation = await newest_installation(sessions, tenant_a)
    async with sessions() as session:
        await session.execute(
            update(OAuthClient).where(OAuthClient.id == installation.client_pk).values(disabled_at=utcnow())
        )
        await session.commit()
    await run_worker()
    assert receiver.requests == []
    [delivery] = await deliveries(sessions, tenant_a.tenant.id)
    assert delivery.status == "failed" and "disconnected" in (delivery.last_error or "")


async def test_narrowing_scopes_at_consent_revokes_tokens_and_stops_events_it_may_no_longer_read(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    token_for: TokenFactory,
    receiver: Receiver,
    tenant_a: Workspace,
    tenant_b: Workspace,
) -> None:
    headers = await token_for(tenant_a)
    await queue_one_delivery(client, headers, receiver)
    installation = await newest_installation(sessions, tenant_a)
    async with sessions() as session:  # consent given again, for writing only
        await install(session, installation.client_pk, tenant_a.tenant.id, tenant_a.owner.id, ["directory.write"])
        await session.commit()
    assert (await client.get("/api/v1/directory/people", headers=headers)).status_code == 401
    await run_worker()
    assert receiver.requests == []
    [delivery] = await deliveries(sessions, tenant_a.tenant.id)
    assert delivery.status == "failed" and delivery.last_error == "the app may no longer receive this event"
    async with sessions() as session:
        [subscription] = await session.scalars(
            select(WebhookSubscription).where(WebhookSubscription.installation_id == installation.id)
        )
    assert subscription.active is False


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/hooks",
        "http://10.0.0.1/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:{port}/hooks",
        "http://[::ffff:127.0.0.1]:{port}/hooks",
        "http://localhost:{port}/hooks",
    ],
)
async def test_private_receivers_are_refused_at_subscription_and_at_delivery(
    settings: Settings,
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    token_for: TokenFactory,
    receiver: Receiver,
    tenant_a: Workspace,
    tenant_b: Workspace,
    url: str,
) -> None:
    url = url.format(port=receiver.url.rsplit(":", 1)[1].split("/")[0])
    headers = await token_for(tenant_a)
    strict = dataclasses.replace(settings.security, webhooks_allow_private_receivers=False)
    async with app_with(settings, security=strict) as strict_client:
        refused = await strict_client.post(
            "/api/v1/webhooks/subscriptions",
            json={"url": url, "event_types": ["directory.person.created"]},
            headers=headers,
        )
    assert refused.status_code == 400, refused.text
    assert refused.json()["errors"][0]["key"] == "url" and "public" in refused.text

    # a subscription that slipped in (allowed when made, or the name now resolves elsewhere): checked at connect
    installation = await newest_installation(sessions, tenant_a)
    async with sessions() as session:
        session.add(
            WebhookSubscription(
                installation_id=installation.id,
                tenant_id=tenant_a.tenant.id,
                url=url,
                event_types=["directory.person.created"],
                secret=new_signing_secret(),
                active=True,
            )
        )
        await session.commit()
    assert (await client.post("/api/v1/directory/people", json=PERSON, headers=headers)).status_code == 201
    await wait_for_deferrals()
    [delivery] = await deliveries(sessions, tenant_a.tenant.id)
    policy = ReceiverPolicy(allow_private=False, https_only=False)
    assert await attempt_delivery(sessions, delivery.id, final=False, policy=policy, per_minute=100) == "refused"
    assert receiver.requests == []  # nothing reached the local receiver
    [delivery] = await deliveries(sessions, tenant_a.tenant.id)
    assert delivery.status == "failed"
    assert delivery.last_error == "receiver refused: the host is not a public internet address"
    assert delivery.last_status_code is None


async def test_a_redirect_is_never_followed(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    token_for: TokenFactory,
    receiver: Receiver,
    tenant_a: Workspace,
    tenant_b: Workspace,
) -> None:
    internal = Receiver()
    try:
        receiver.status = 307
        receiver.headers = {"Location": internal.url}
        await queue_one_delivery(client, await token_for(tenant_a), receiver)
        await run_worker()
        assert len(receiver.requests) == 1 and internal.requests == []
    finally:
        internal.close()
    [delivery] = await deliveries(sessions, tenant_a.tenant.id)
    assert delivery.status == "retrying" and "redirect" in (delivery.last_error or "")


async def test_subscriptions_are_capped_and_unique_per_url_and_event_type(
    settings: Settings, token_for: TokenFactory, receiver: Receiver, tenant_a: Workspace, tenant_b: Workspace
) -> None:
    headers = await token_for(tenant_a)
    capped = dataclasses.replace(settings.security, webhook_subscriptions_per_installation=2)
    async with app_with(settings, security=capped) as capped_client:
        await subscribe(capped_client, headers, receiver.url, "directory.person.created", "directory.person.updated")
        same = await capped_client.post(
            "/api/v1/webhooks/subscriptions",
            json={"url": receiver.url, "event_types": ["directory.person.updated"]},
            headers=headers,
        )
        assert same.status_code == 409 and same.json()["type"].endswith("/duplicate-subscription")
        await subscribe(capped_client, headers, receiver.url + "/other", "directory.person.updated")
        third = await capped_client.post(
            "/api/v1/webhooks/subscriptions",
            json={"url": receiver.url + "/third", "event_types": ["directory.person.deleted"]},
            headers=headers,
        )
        assert third.status_code == 409 and third.json()["type"].endswith("/too-many-subscriptions")
        # another installation has its own room
        await subscribe(capped_client, await token_for(tenant_a), receiver.url, "directory.person.updated")


async def test_deliveries_per_installation_per_minute_are_bounded(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    token_for: TokenFactory,
    receiver: Receiver,
    tenant_a: Workspace,
    tenant_b: Workspace,
) -> None:
    headers = await token_for(tenant_a)
    await subscribe(client, headers, receiver.url, "directory.person.created")
    for _ in range(3):
        assert (await client.post("/api/v1/directory/people", json=PERSON, headers=headers)).status_code == 201
    await wait_for_deferrals()
    policy = ReceiverPolicy(allow_private=True, https_only=False)
    outcomes = [
        await attempt_delivery(sessions, d.id, final=False, policy=policy, per_minute=2)
        for d in await deliveries(sessions, tenant_a.tenant.id)
    ]
    assert outcomes == ["delivered", "delivered", THROTTLED]
    assert len(receiver.requests) == 2
    statuses = [d.status for d in await deliveries(sessions, tenant_a.tenant.id)]
    assert statuses == ["succeeded", "succeeded", "pending"]  # waits for the next minute, not dropped
