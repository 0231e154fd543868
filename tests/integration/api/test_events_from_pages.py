"""Webhook events come from the CRM services, not from the API handlers: a contact created in the pages and a
deal won on the board deliver their events; a rolled-back change sends nothing; nothing is sent in the request."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.crm.services.base import CrmContext
from nexo.modules.crm.services.contacts import ContactInput, ContactService
from nexo.platform.webhooks.events import wait_for_deferrals
from nexo.platform.webhooks.models import WebhookDelivery
from nexo.tests.factories import WebClient, Workspace, make_workspace, tenant_session
from nexo.tests.integration.api.conftest import TokenFactory
from nexo.tests.integration.api.test_webhooks import deliveries, run_worker, subscribe
from nexo.tests.partner import Receiver

Client = AsyncTestClient[Litestar]
CRM = ("crm.read", "crm.write", "directory.read")


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
async def crm_a(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await make_workspace(sessions, name="Alpha Events", modules=("crm",))


@pytest.fixture
async def crm_b(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await make_workspace(sessions, name="Beta Events", modules=("crm",))


def events_of(receiver: Receiver) -> list[dict[str, object]]:
    return [json.loads(request["body"]) for request in receiver.requests]


async def test_contact_created_in_the_pages_is_delivered(
    client: Client,
    web: WebClient,
    sessions: async_sessionmaker[AsyncSession],
    token_for: TokenFactory,
    receiver: Receiver,
    crm_a: Workspace,
    crm_b: Workspace,
) -> None:
    other = Receiver()
    try:
        await subscribe(client, await token_for(crm_a, CRM), receiver.url, "crm.contact.created", "crm.contact.updated")
        await subscribe(client, await token_for(crm_b, CRM), other.url, "crm.contact.created")
        await web.login(crm_a.owner.email)
        created = await web.post(
            f"/w/{crm_a.slug}/crm/contacts/new",
            {"first_name": "Paige", "last_name": "Form", "email": "paige@example.com", "lifecycle_stage": "lead"},
        )
        assert created.status_code == 303, created.text
        pending = await deliveries(sessions, crm_a.tenant.id)
        assert [(d.event_type, d.status) for d in pending] == [("crm.contact.created", "pending")]
        assert receiver.requests == []  # the page request did not call the receiver
        await run_worker()
        assert other.requests == []  # tenant B's subscriber hears nothing of tenant A
    finally:
        other.close()
    [event] = events_of(receiver)
    assert event["type"] == "crm.contact.created"
    data = event["data"]
    assert isinstance(data, dict)
    assert (data["first_name"], data["last_name"], data["email"]) == ("Paige", "Form", "paige@example.com")
    assert data["lifecycle_stage"] == "lead" and data["created_at"]
    # the API answers with the same representation the event carries
    read = await client.get(f"/api/v1/crm/contacts/{data['id']}", headers=await token_for(crm_a, CRM))
    assert read.json() == data


async def test_a_rolled_back_change_sends_nothing(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    token_for: TokenFactory,
    receiver: Receiver,
    crm_a: Workspace,
    crm_b: Workspace,
) -> None:
    await subscribe(client, await token_for(crm_a, CRM), receiver.url, "crm.contact.created")
    session = await tenant_session(sessions, crm_a)
    async with session:
        context = CrmContext(crm_a.tenant.id, crm_a.owner.id, crm_a.owner.email, frozenset({"crm"}))
        await ContactService(session, context).create_contact(
            ContactInput(first_name="Never", last_name="Saved", lifecycle_stage="lead")
        )
        written = list(
            await session.scalars(select(WebhookDelivery.id).where(WebhookDelivery.tenant_id == crm_a.tenant.id))
        )
        assert len(written) == 1  # the delivery row is part of the transaction...
        await session.rollback()  # ...and goes with it
    await wait_for_deferrals()
    assert await deliveries(sessions, crm_a.tenant.id) == []
    async with sessions() as check:
        jobs = await check.scalar(
            text(
                "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'nexo.webhooks.deliver' "
                "AND args->>'delivery_id' = :id"
            ),
            {"id": str(written[0])},
        )
    assert jobs == 0  # no delivery job was deferred
    await run_worker()
    assert receiver.requests == []


async def test_deal_won_on_the_board_and_lead_qualified_through_the_api(
    client: Client,
    web: WebClient,
    sessions: async_sessionmaker[AsyncSession],
    token_for: TokenFactory,
    receiver: Receiver,
    crm_a: Workspace,
    crm_b: Workspace,
) -> None:
    headers = await token_for(crm_a, CRM)
    await subscribe(
        client, headers, receiver.url, "crm.opportunity.won", "crm.opportunity.created", "crm.lead.qualified"
    )
    lead = (
        await client.post("/api/v1/crm/leads", headers=headers, json={"title": "Rollout", "last_name": "Quinn"})
    ).json()
    qualified = await client.post(f"/api/v1/crm/leads/{lead['id']}/qualify", headers=headers, json={})
    deal_id = qualified.json()["opportunity"]["id"]
    await web.login(crm_a.owner.email)
    won = await web.post(f"/w/{crm_a.slug}/crm/opportunities/{deal_id}/close", {"outcome": "won", "reason": ""})
    assert won.status_code in (200, 303), won.text
    await run_worker()
    received = [(e["type"], e["data"]["id"]) for e in events_of(receiver)]  # type: ignore[index]
    assert sorted(received) == sorted(
        [("crm.opportunity.created", deal_id), ("crm.lead.qualified", lead["id"]), ("crm.opportunity.won", deal_id)]
    )
    won_event = next(e for e in events_of(receiver) if e["type"] == "crm.opportunity.won")
    assert won_event["data"]["status"] == "won"  # type: ignore[index]


async def test_a_csv_import_sends_the_created_events(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    token_for: TokenFactory,
    receiver: Receiver,
    crm_a: Workspace,
    crm_b: Workspace,
) -> None:
    from nexo.modules.crm.services.csv_import import check_rows, guess_mapping, import_rows, parse_csv

    await subscribe(client, await token_for(crm_a, CRM), receiver.url, "crm.contact.created")
    parsed = parse_csv(b"first_name,last_name,email\nAda,Lovelace,ada@example.com\nAlan,Turing,alan@example.com\n")
    checked = check_rows(parsed, guess_mapping(parsed.headers, "contacts"), "contacts")
    assert not checked.errors
    session = await tenant_session(sessions, crm_a)
    async with session:
        await import_rows(session, "contacts", checked.values, owner_id=None, actor={"actor_label": "test"})
        await session.commit()
    await run_worker()
    received = sorted((e["type"], e["data"]["last_name"]) for e in events_of(receiver))  # type: ignore[index]
    assert received == [("crm.contact.created", "Lovelace"), ("crm.contact.created", "Turing")]


async def test_companies_created_by_a_contact_import_send_company_created(
    client: Client,
    sessions: async_sessionmaker[AsyncSession],
    token_for: TokenFactory,
    receiver: Receiver,
    crm_a: Workspace,
    crm_b: Workspace,
) -> None:
    from nexo.modules.crm.services.csv_import import check_rows, guess_mapping, import_rows, parse_csv

    other = Receiver()
    try:
        events = ("crm.company.created", "directory.organization.created", "crm.contact.created")
        await subscribe(client, await token_for(crm_a, CRM), receiver.url, *events)
        await subscribe(client, await token_for(crm_b, CRM), other.url, *events)
        parsed = parse_csv(b"first_name,last_name,company\nAda,Lovelace,Engines Ltd\nAlan,Turing,Engines Ltd\n")
        checked = check_rows(parsed, guess_mapping(parsed.headers, "contacts"), "contacts")
        assert not checked.errors
        session = await tenant_session(sessions, crm_a)
        async with session:
            summary = await import_rows(
                session, "contacts", checked.values, owner_id=None, actor={"actor_label": "test"}
            )
            await session.commit()
        assert summary.companies_created == 1
        await run_worker()
        assert other.requests == []
    finally:
        other.close()
    received = sorted(
        (e["type"], e["data"].get("name") or e["data"]["last_name"])  # type: ignore[union-attr]
        for e in events_of(receiver)
    )
    assert received == [
        ("crm.company.created", "Engines Ltd"),
        ("crm.contact.created", "Lovelace"),
        ("crm.contact.created", "Turing"),
        ("directory.organization.created", "Engines Ltd"),
    ]
    company = next(e for e in events_of(receiver) if e["type"] == "crm.company.created")
    contact = next(e for e in events_of(receiver) if e["type"] == "crm.contact.created")
    assert contact["data"]["company_id"] == company["data"]["id"]  # type: ignore[index]
