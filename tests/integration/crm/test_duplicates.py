"""Duplicate suggestions and merges: the survivor keeps both timelines, tenants stay apart, the merge is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.crm.models import Activity, SupportCase
from nexo.modules.directory.models import EmailAddress, Organization, Person
from nexo.tenants.audit import AuditEntry
from nexo.tests.factories import WebClient, Workspace, tenant_session
from nexo.tests.integration.crm.helpers import crm_workspace


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


async def create_contact(web: WebClient, ws: Workspace, **form: str) -> int:
    response = await web.post(f"/w/{ws.slug}/crm/contacts/new", form)
    assert response.status_code == 303, response.text
    return int(response.headers["location"].rsplit("/", 1)[1])


async def test_suggestions_and_merge_keep_the_timeline(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], crm_a: Workspace, crm_b: Workspace
) -> None:
    await web.login(crm_b.owner.email)
    other_tenant = await create_contact(
        web, crm_b, first_name="Ada", last_name="Lovelace", email="ada@engines.example.com"
    )
    await web.login(crm_a.owner.email)
    base = f"/w/{crm_a.slug}/crm"
    ada = await create_contact(
        web,
        crm_a,
        first_name="Ada",
        last_name="Lovelace",
        email="ada@engines.example.com",
        tags="vip",
        notes="Met at the Royal Society",
    )
    augusta = await create_contact(
        web,
        crm_a,
        first_name="Augusta Ada",
        last_name="Lovelace",
        email="countess@lovelace.example.com",
        email_1="ADA@engines.example.com",
        phone="+44 20 7946 0000",
        tags="math",
        job_title="Countess",
    )
    phone_twin = await create_contact(web, crm_a, first_name="Zed", last_name="Other", phone="+442079460000")
    stranger = await create_contact(web, crm_a, first_name="Charles", last_name="Babbage")
    for target, subject in ((ada, "Call about engines"), (augusta, "Letter about notes")):
        await web.post(f"{base}/contacts/{target}/activities", {"kind": "call", "subject": subject})
    case = await web.post(f"{base}/cases/new", {"subject": "Broken engine", "person_id": str(augusta)})
    assert case.status_code == 303, case.text

    found = await web.get(f"{base}/duplicates/contacts/{ada}")
    assert found.status_code == 200
    table = found.text[found.text.index('id="duplicates"') :]
    assert f"/crm/contacts/{augusta}" in table and "same e-mail" in table
    assert f'/crm/contacts/{stranger}"' not in table
    by_phone = await web.get(f"{base}/duplicates/contacts/{phone_twin}")
    assert f"/crm/contacts/{augusta}" in by_phone.text and "same phone" in by_phone.text

    preview = await web.get(f"{base}/duplicates/contacts/{ada}/merge/{augusta}")
    assert preview.status_code == 200
    assert "Countess" in preview.text and "vip, math" in preview.text and "1 activities" in preview.text

    merged = await web.post(f"{base}/duplicates/contacts/{ada}/merge/{augusta}")
    assert merged.status_code == 303 and merged.headers["location"].endswith(f"/crm/contacts/{ada}")
    detail = await web.get(f"{base}/contacts/{ada}")
    assert "Call about engines" in detail.text and "Letter about notes" in detail.text
    assert "countess@lovelace.example.com" in detail.text and "+44 20 7946 0000" in detail.text
    assert (await web.get(f"{base}/contacts/{augusta}")).status_code == 404

    people = {p.id: p for p in await all_rows(sessions, crm_a, Person)}
    assert augusta not in people and people[ada].tags == ["vip", "math"] and people[ada].job_title == "Countess"
    assert {a.person_id for a in await all_rows(sessions, crm_a, Activity)} == {ada}
    assert {c.person_id for c in await all_rows(sessions, crm_a, SupportCase)} <= {ada}
    addresses = sorted(e.address.lower() for e in await all_rows(sessions, crm_a, EmailAddress) if e.person_id == ada)
    assert addresses == ["ada@engines.example.com", "countess@lovelace.example.com"]
    [entry] = [e for e in await all_rows(sessions, crm_a, AuditEntry) if e.action == "crm.merge"]
    assert entry.details["merged_id"] == augusta and entry.details["merged"]["job_title"] == "Countess"

    assert [p.id for p in await all_rows(sessions, crm_b, Person)] == [other_tenant]
    cross = await web.post(f"{base}/duplicates/contacts/{ada}/merge/{other_tenant + 50}")
    assert cross.status_code == 404
    foreign = await web.get(f"/w/{crm_b.slug}/crm/duplicates/contacts/{other_tenant}")
    assert foreign.status_code == 404


async def test_company_merge_moves_people(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], crm_a: Workspace, crm_b: Workspace
) -> None:
    await web.login(crm_a.owner.email)
    base = f"/w/{crm_a.slug}/crm"
    ids = []
    for name in ("Initech Corp", "Initech Corp."):
        response = await web.post(f"{base}/companies/new", {"name": name})
        ids.append(int(response.headers["location"].rsplit("/", 1)[1]))
    await create_contact(web, crm_a, first_name="Peter", last_name="Gibbons", organization_id=str(ids[1]))
    suggestions = await web.get(f"{base}/duplicates/companies/{ids[0]}")
    assert "similar name" in suggestions.text
    assert (await web.post(f"{base}/duplicates/companies/{ids[0]}/merge/{ids[1]}")).status_code == 303
    [person] = await all_rows(sessions, crm_a, Person)
    assert person.organization_id == ids[0]
    assert [o.id for o in await all_rows(sessions, crm_a, Organization)] == [ids[0]]
    assert await all_rows(sessions, crm_b, Organization) == []
