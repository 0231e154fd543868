"""Webhooks: signed deliveries to a real local receiver, retries with backoff, the delivery log, redelivery."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from procrastinate import PsycopgConnector
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.platform.db.engine import database_url, libpq_url
from nexo.platform.jobs import jobs
from nexo.platform.settings import Settings
from nexo.platform.webhooks.events import wait_for_deferrals
from nexo.platform.webhooks.models import WebhookDelivery
from nexo.tests.factories import WebClient, Workspace
from nexo.tests.integration.api.conftest import TokenFactory
from nexo.tests.partner import Receiver

Client = AsyncTestClient[Litestar]


def verify_as_documented(secret: str, raw_body: bytes, header: str) -> bool:
    """The README's recipe, verbatim."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    timestamp, signature = fields["t"], fields["v1"]
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature) and abs(time.time() - int(timestamp)) <= 300


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


async def run_worker() -> None:
    """A real procrastinate worker on its own connection, until the webhooks queue has nothing due."""
    await wait_for_deferrals()
    settings = Settings.from_env()
    worker = jobs.with_connector(PsycopgConnector(conninfo=libpq_url(database_url(settings))))
    async with worker.open_async():
        await worker.run_worker_async(
            queues=["webhooks"], wait=False, install_signal_handlers=False, listen_notify=False
        )


async def deliveries(sessions: async_sessionmaker[AsyncSession], installation_tenant: int) -> list[WebhookDelivery]:
    async with sessions() as session:
        rows = await session.scalars(
            select(WebhookDelivery).where(WebhookDelivery.tenant_id == installation_tenant).order_by(WebhookDelivery.id)
        )
        return list(rows)


async def subscribe(client: Client, headers: dict[str, str], url: str, *events: str) -> dict[str, str]:
    answer = await client.post(
        "/api/v1/webhooks/subscriptions", json={"url": url, "event_types": list(events)}, headers=headers
    )
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def test_signed_delivery_verifies_with_the_documented_recipe(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    token_for: TokenFactory,
    receiver: Receiver,
    tenant_a: Workspace,
    tenant_b: Workspace,
) -> None:
    headers_a, headers_b = await token_for(tenant_a), await token_for(tenant_b)
    subscription = await subscribe(client, headers_a, receiver.url, "directory.person.created")
    other = Receiver()
    try:
        await subscribe(client, headers_b, other.url, "directory.person.created")
        created = await client.post(
            "/api/v1/directory/people", json={"first_name": "Web", "last_name": "Hook"}, headers=headers_a
        )
        assert created.status_code == 201
        pending = await deliveries(sessions, tenant_a.tenant.id)
        assert [(d.status, d.attempts) for d in pending] == [("pending", 0)]  # the request did not call the receiver
        await run_worker()
        assert other.requests == []  # tenant B's subscriber hears nothing of tenant A
    finally:
        other.close()
    assert len(receiver.requests) == 1
    delivered = receiver.requests[0]
    assert verify_as_documented(
        subscription["signing_secret"], delivered["body"], delivered["headers"]["Nexo-Signature"]
    )
    assert not verify_as_documented("whsec_wrong", delivered["body"], delivered["headers"]["Nexo-Signature"])
    assert not verify_as_documented(
        subscription["signing_secret"], delivered["body"] + b" ", delivered["headers"]["Nexo-Signature"]
    )
    event = json.loads(delivered["body"])
    assert event["type"] == "directory.person.created" and event["data"]["id"] == created.json()["id"]
    assert delivered["headers"]["Nexo-Event"] == "directory.person.created"
    log = (await client.get("/api/v1/webhooks/deliveries", headers=headers_a)).json()["data"]
    assert [(d["status"], d["attempts"], d["last_status_code"]) for d in log] == [("succeeded", 1, 200)]


async def test_failing_receiver_gets_retries_with_backoff_then_redelivery(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    token_for: TokenFactory,
    receiver: Receiver,
    tenant_a: Workspace,
    tenant_b: Workspace,
    web: WebClient,
) -> None:
    headers = await token_for(tenant_a)
    await subscribe(client, headers, receiver.url, "directory.organization.created")
    receiver.status = 503
    created = await client.post("/api/v1/directory/organizations", json={"name": "Flaky Ltd"}, headers=headers)
    assert created.status_code == 201
    await run_worker()
    [delivery] = await deliveries(sessions, tenant_a.tenant.id)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("retrying", 1, 503)
    async with sessions() as session:  # procrastinate scheduled the retry in the future (exponential backoff)
        job = (
            await session.execute(
                text(
                    "SELECT status, attempts, scheduled_at > now() AS later FROM procrastinate_jobs "
                    "WHERE task_name = 'nexo.webhooks.deliver' AND args->>'delivery_id' = :id"
                ),
                {"id": str(delivery.id)},
            )
        ).one()
        assert (job.status, job.attempts, job.later) == ("todo", 1, True)
        # let the backoff elapse, and bring the receiver back
        await session.execute(
            text("UPDATE procrastinate_jobs SET scheduled_at = now() WHERE args->>'delivery_id' = :id"),
            {"id": str(delivery.id)},
        )
        await session.commit()
    receiver.status = 200
    await run_worker()
    [delivery] = await deliveries(sessions, tenant_a.tenant.id)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 2, 200)
    assert len(receiver.requests) == 2

    # the tenant admin sees the log and redelivers from the page
    await web.login(tenant_a.owner.email)
    page = await web.get(f"/w/{tenant_a.slug}/settings/apps")
    assert page.status_code == 200 and "directory.organization.created" in page.text and "Own integration" in page.text
    again = await web.post(f"/w/{tenant_a.slug}/settings/apps/deliveries/{delivery.id}/redeliver")
    assert again.status_code == 303
    await run_worker()
    assert len(receiver.requests) == 3
    assert json.loads(receiver.requests[2]["body"])["id"] == json.loads(receiver.requests[0]["body"])["id"]
    # tenant B's admin cannot redeliver tenant A's delivery
    web_b = WebClient(client)
    await web_b.login(tenant_b.owner.email)
    foreign = await web_b.post(f"/w/{tenant_b.slug}/settings/apps/deliveries/{delivery.id}/redeliver")
    assert foreign.status_code == 404


async def test_subscribing_needs_the_events_scope(
    client: Client, token_for: TokenFactory, tenant_a: Workspace, tenant_b: Workspace
) -> None:
    headers = await token_for(tenant_a, ("directory.read",))
    refused = await client.post(
        "/api/v1/webhooks/subscriptions",
        headers=headers,
        json={"url": "https://example.com/h", "event_types": ["crm.contact.created", "x.y"]},
    )
    assert refused.status_code == 400
    assert {e["message"] for e in refused.json()["errors"]} == {
        "'crm.contact.created' needs the 'crm.read' scope",
        "unknown event type 'x.y'",
    }
