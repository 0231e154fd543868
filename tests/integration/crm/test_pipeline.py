"""Leads, qualification, the pipeline board (moves by drag position and by buttons), won/lost, forecast, stages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.crm.models import Lead, Opportunity, Stage
from nexo.modules.directory.models import Organization, Person
from nexo.tests.factories import WebClient, Workspace, tenant_session
from nexo.tests.integration.crm.helpers import crm_workspace

HTMX = {"HX-Request": "true"}


@pytest.fixture
async def crm_a(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await crm_workspace(sessions, "Alpha CRM")


@pytest.fixture
async def crm_b(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await crm_workspace(sessions, "Beta CRM")


async def rows(sessions: async_sessionmaker[AsyncSession], ws: Workspace, model: type) -> list:
    session = await tenant_session(sessions, ws)
    async with session:
        return list(await session.scalars(select(model).order_by(model.id)))


async def test_capture_and_qualify_lead_creates_company_contact_and_opportunity(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], crm_a: Workspace, crm_b: Workspace
) -> None:
    await web.login(crm_a.owner.email)
    base = f"/w/{crm_a.slug}/crm"
    invalid = await web.post(f"{base}/leads/new", {"title": "", "email": "nope"})
    assert invalid.status_code == 400 and 'id="title-error"' in invalid.text and 'id="email-error"' in invalid.text
    assert await rows(sessions, crm_a, Lead) == []

    captured = await web.post(
        f"{base}/leads/new",
        {
            "title": "50 licences",
            "first_name": "Joan",
            "last_name": "Clarke",
            "email": "joan@hut8.example.com",
            "company_name": "Hut 8",
        },
    )
    assert captured.status_code == 303
    lead_url = captured.headers["location"]
    assert "50 licences" in (await web.get(f"{base}/leads/")).text

    bad_amount = await web.post(f"{lead_url}/qualify", {"amount": "-5"})
    assert bad_amount.status_code == 400 and 'id="amount-error"' in bad_amount.text
    assert await rows(sessions, crm_a, Opportunity) == []

    qualified = await web.post(f"{lead_url}/qualify", {"amount": "12000.50", "title": "Hut 8 licences"})
    assert qualified.status_code == 303
    [opportunity] = await rows(sessions, crm_a, Opportunity)
    [company] = await rows(sessions, crm_a, Organization)
    [person] = await rows(sessions, crm_a, Person)
    assert opportunity.amount == Decimal("12000.50") and opportunity.organization_id == company.id
    assert person.organization_id == company.id and person.email == "joan@hut8.example.com"
    [lead] = await rows(sessions, crm_a, Lead)
    assert lead.status == "qualified" and lead.opportunity_id == opportunity.id
    again = await web.post(f"{lead_url}/qualify", {})
    assert again.status_code == 400 and "already qualified" in again.text
    assert len(await rows(sessions, crm_a, Opportunity)) == 1
    assert await rows(sessions, crm_b, Opportunity) == [] and await rows(sessions, crm_b, Person) == []
    assert (await web.get(f"/w/{crm_b.slug}/crm/leads/{lead.id}")).status_code == 404


async def test_board_moves_by_position_and_buttons_and_forecast(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], crm_a: Workspace, crm_b: Workspace
) -> None:
    await web.login(crm_a.owner.email)
    base = f"/w/{crm_a.slug}/crm"
    board = await web.get(f"{base}/pipeline")
    assert board.status_code == 200 and "Qualification" in board.text
    stages = await rows(sessions, crm_a, Stage)
    first, second = stages[0], stages[1]
    ids = []
    for title, amount in (("Deal A", "1000"), ("Deal B", "2000"), ("Deal C", "400")):
        created = await web.post(
            f"{base}/opportunities/new", {"title": title, "amount": amount, "stage_id": str(first.id)}
        )
        assert created.status_code == 303, created.text
        ids.append(int(created.headers["location"].rsplit("/", 1)[1]))

    moved = await web.post(
        f"{base}/opportunities/{ids[2]}/move", {"stage_id": str(second.id), "position": "0"}, headers=HTMX
    )
    assert moved.status_code == 200 and "<html" not in moved.text and 'id="board"' in moved.text
    dragged = await web.post(
        f"{base}/opportunities/{ids[1]}/move", {"stage_id": str(second.id), "position": "0"}, headers=HTMX
    )
    assert dragged.status_code == 200
    by_id = {o.id: o for o in await rows(sessions, crm_a, Opportunity)}
    assert (by_id[ids[1]].stage_id, by_id[ids[1]].position) == (second.id, 0)
    assert (by_id[ids[2]].stage_id, by_id[ids[2]].position) == (second.id, 1)
    assert (by_id[ids[0]].stage_id, by_id[ids[0]].position) == (first.id, 0)
    assert by_id[ids[1]].probability == second.probability

    stepped = await web.post(f"{base}/opportunities/{ids[0]}/move", {"direction": "1"}, headers=HTMX)
    assert stepped.status_code == 200
    edge = await web.post(f"{base}/opportunities/{ids[1]}/move", {"direction": "-1"}, headers=HTMX)
    edge = await web.post(f"{base}/opportunities/{ids[1]}/move", {"direction": "-1"}, headers=HTMX)
    assert edge.status_code == 400 and "edge of the board" in edge.text

    page = await web.get(f"{base}/pipeline")
    # Stage 2 now holds Deal C (400) and Deal A (1000) at 25 %: total 1400, forecast 350.
    assert "total 1,400.00" in page.text and "forecast 350.00" in page.text  # en-US formats

    lost_stage = stages[-1]
    no_reason = await web.post(f"{base}/opportunities/{ids[2]}/move", {"stage_id": str(lost_stage.id)}, headers=HTMX)
    assert no_reason.status_code == 400 and "why" in no_reason.text.lower()
    won = await web.post(f"{base}/opportunities/{ids[0]}/close", {"outcome": "won"})
    assert won.status_code == 303
    lost = await web.post(f"{base}/opportunities/{ids[2]}/close", {"outcome": "lost", "reason": "Too expensive"})
    assert lost.status_code == 303
    by_id = {o.id: o for o in await rows(sessions, crm_a, Opportunity)}
    assert by_id[ids[0]].status == "won" and by_id[ids[0]].probability == 100
    assert by_id[ids[2]].status == "lost" and by_id[ids[2]].close_reason == "Too expensive"

    foreign = await web.post(f"/w/{crm_b.slug}/crm/opportunities/{ids[0]}/move", {"direction": "1"})
    assert foreign.status_code == 404
    await web.login(crm_b.owner.email)
    own_b = await web.post(f"/w/{crm_b.slug}/crm/opportunities/{ids[0]}/move", {"direction": "1"})
    assert own_b.status_code == 404  # tenant B has no opportunity with that id


async def test_stages_are_editable_and_in_use_stage_cannot_be_deleted(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], crm_a: Workspace, crm_b: Workspace
) -> None:
    await web.login(crm_a.owner.email)
    base = f"/w/{crm_a.slug}/crm"
    await web.get(f"{base}/stages")
    added = await web.post(f"{base}/stages", {"name": "Demo", "probability": "40", "kind": "open"})
    assert added.status_code == 303
    stages = await rows(sessions, crm_a, Stage)
    demo = next(s for s in stages if s.name == "Demo")
    await web.post(f"{base}/opportunities/new", {"title": "X", "stage_id": str(demo.id)})
    refused = await web.post(f"{base}/stages", {"stage_id": str(demo.id), "action": "delete"})
    assert refused.status_code == 400 and "move them" in refused.text
    bad = await web.post(f"{base}/stages", {"name": "Bad", "probability": "140"})
    assert bad.status_code == 400
    assert len(await rows(sessions, crm_a, Stage)) == len(stages)
    assert await rows(sessions, crm_b, Stage) == []
