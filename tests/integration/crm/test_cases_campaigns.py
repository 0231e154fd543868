"""Support cases (replies and internal notes on the timeline) and campaigns (target lists, results), per tenant."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.crm.models import CaseMessage, SavedFilter, SupportCase
from nexo.tests.days import days
from nexo.tests.factories import WebClient, Workspace, tenant_session
from nexo.tests.integration.crm.helpers import add_person, crm_workspace


@pytest.fixture
async def crm_a(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await crm_workspace(sessions, "Alpha CRM")


@pytest.fixture
async def crm_b(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await crm_workspace(sessions, "Beta CRM")


async def all_rows(sessions: async_sessionmaker[AsyncSession], ws: Workspace, model: type) -> list:
    session = await tenant_session(sessions, ws)
    async with session:
        return list(await session.scalars(select(model).order_by(model.id)))


async def test_case_with_replies_and_internal_notes(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], crm_a: Workspace, crm_b: Workspace
) -> None:
    person = await add_person(sessions, crm_a, "Ada", "Lovelace")
    foreign = await add_person(sessions, crm_b, "Grace", "Hopper")
    await web.login(crm_a.owner.email)
    base = f"/w/{crm_a.slug}/crm"
    invalid = await web.post(f"{base}/cases/new", {"subject": "", "priority": "meh", "person_id": str(foreign + 9)})
    assert invalid.status_code == 400
    for field in ("subject", "priority", "person_id"):
        assert f'id="{field}-error"' in invalid.text
    assert await all_rows(sessions, crm_a, SupportCase) == []

    opened = await web.post(
        f"{base}/cases/new",
        {"subject": "Engine jammed", "priority": "urgent", "status": "open", "person_id": str(person)},
    )
    assert opened.status_code == 303
    case_url = opened.headers["location"]
    assert (await web.post(f"{case_url}/messages", {"body": "We are on it", "internal": "false"})).status_code == 303
    assert (await web.post(f"{case_url}/messages", {"body": "Needs a new gear", "internal": "true"})).status_code == 303
    assert (await web.post(f"{case_url}/messages", {"body": "", "internal": "true"})).status_code == 400
    detail = await web.get(case_url)
    assert "We are on it" in detail.text and "Internal note by" in detail.text and "Reply by" in detail.text
    [support_case] = await all_rows(sessions, crm_a, SupportCase)
    assert support_case.status == "pending"  # answered, waiting for the customer
    assert len(await all_rows(sessions, crm_a, CaseMessage)) == 2
    updated = await web.post(case_url, {"status": "resolved", "priority": "high", "due_date": str(days(11))})
    assert updated.status_code == 303
    bad = await web.post(case_url, {"status": "exploded"})
    assert bad.status_code == 400 and 'id="status-error"' in bad.text
    assert "Engine jammed" in (await web.get(f"{base}/contacts/{person}")).text  # on the customer's timeline
    assert "Engine jammed" in (await web.get(f"{base}/cases/?status=resolved")).text
    assert (await web.get(f"/w/{crm_b.slug}{case_url.split(crm_a.slug)[1]}")).status_code == 404
    assert await all_rows(sessions, crm_b, SupportCase) == []


async def test_campaign_targets_from_tags_and_saved_filter_and_results(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], crm_a: Workspace, crm_b: Workspace
) -> None:
    await add_person(sessions, crm_a, "Ada", "Lovelace", tags=["vip"])
    await add_person(sessions, crm_a, "Alan", "Turing", tags=["newsletter"])
    await add_person(sessions, crm_b, "Grace", "Hopper", tags=["vip"])
    await web.login(crm_a.owner.email)
    base = f"/w/{crm_a.slug}/crm"
    bad = await web.post(f"{base}/campaigns/new", {"name": "", "starts_on": str(days(20)), "ends_on": str(days(11))})
    assert bad.status_code == 400 and 'id="name-error"' in bad.text and 'id="ends_on-error"' in bad.text
    created = await web.post(f"{base}/campaigns/new", {"name": "VIP dinner", "status": "active", "target_tags": "vip"})
    assert created.status_code == 303
    campaign_url = created.headers["location"]
    page = await web.get(campaign_url)
    assert "1 contact<" in page.text and "Lovelace" in page.text and "Turing" not in page.text
    assert "Hopper" not in page.text

    saved = await web.post(f"{base}/campaigns/filters", {"name": "Turing-ish", "q": "tur"})
    assert saved.status_code == 303
    [saved_filter] = await all_rows(sessions, crm_a, SavedFilter)
    assert saved_filter.params == {"q": "tur"} and await all_rows(sessions, crm_b, SavedFilter) == []
    filter_id = str(saved_filter.id)
    by_filter = await web.post(f"{base}/campaigns/new", {"name": "Filtered", "saved_filter_id": filter_id})
    assert by_filter.status_code == 303
    assert "Turing" in (await web.get(by_filter.headers["location"])).text

    campaign_id = campaign_url.rsplit("/", 1)[1]
    lead = await web.post(
        f"{base}/leads/new", {"title": "Table for 8", "last_name": "Guest", "campaign_id": campaign_id}
    )
    assert lead.status_code == 303
    await web.post(f"{lead.headers['location']}/qualify", {"amount": "800"})
    results = await web.get(campaign_url)
    assert "1 leads, 1 opportunities" in results.text and "800.00" in results.text
    assert (await web.get(f"/w/{crm_b.slug}/crm/campaigns/{campaign_id}")).status_code == 404
