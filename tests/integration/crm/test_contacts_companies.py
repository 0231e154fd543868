"""Contacts and companies: create, edit, detail with timeline, validation, export, activities, my tasks."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.crm.models import Activity, ContactProfile
from nexo.modules.directory.models import EmailAddress, Organization, Person
from nexo.tests.factories import WebClient, Workspace, tenant_session
from nexo.tests.integration.crm.helpers import add_organization, add_person, crm_workspace


@pytest.fixture
async def crm_a(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await crm_workspace(sessions, "Alpha CRM")


@pytest.fixture
async def crm_b(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await crm_workspace(sessions, "Beta CRM")


async def count(sessions: async_sessionmaker[AsyncSession], ws: Workspace, model: type) -> int:
    session = await tenant_session(sessions, ws)
    async with session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_create_contact_with_typed_points_then_edit(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], crm_a: Workspace, crm_b: Workspace
) -> None:
    company = await add_organization(sessions, crm_a, "Initech")
    await web.login(crm_a.owner.email)
    form = {
        "first_name": "Peter",
        "last_name": "Gibbons",
        "email": "Peter@Initech.example.com",
        "phone": "+1 555 0100",
        "organization_id": str(company),
        "owner_id": str(crm_a.owner.id),
        "tags": "VIP, tps",
        "lifecycle_stage": "prospect",
        "email_1": "peter@home.example.com",
        "email_1_kind": "home",
        "phone_1": "+1 555 0199",
        "phone_1_kind": "mobile",
        "address_1_kind": "office",
        "address_1_line1": "1 Initech Way",
        "address_1_city": "Austin",
        "address_1_country": "us",
    }
    created = await web.post(f"/w/{crm_a.slug}/crm/contacts/new", form)
    assert created.status_code == 303, created.text
    location = created.headers["location"]
    detail = await web.get(location)
    assert detail.status_code == 200
    for text in (
        "Peter Gibbons",
        "peter@home.example.com",
        "+1 555 0199",
        "1 Initech Way, Austin, US",
        "vip",
        "Initech",
    ):
        assert text in detail.text

    session = await tenant_session(sessions, crm_a)
    async with session:
        person = await session.scalar(select(Person))
        assert person is not None and person.email == "Peter@initech.example.com" and person.tags == ["vip", "tps"]
        kinds = sorted((e.kind, e.is_primary) for e in await session.scalars(select(EmailAddress)))
        assert kinds == [("home", False), ("work", True)]
        profile = await session.scalar(select(ContactProfile))
        assert profile is not None and profile.lifecycle_stage == "prospect"

    edited = await web.post(f"{location}/edit", {**form, "last_name": "Gibbons-Smith", "email_1": ""})
    assert edited.status_code == 303
    assert "Gibbons-Smith" in (await web.get(location)).text
    assert await count(sessions, crm_a, EmailAddress) == 1
    assert await count(sessions, crm_b, Person) == 0
    foreign = await web.get(f"/w/{crm_b.slug}/crm/contacts/{person.id}")
    assert foreign.status_code == 404


async def test_invalid_contact_is_400_with_inline_errors_and_writes_nothing(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], crm_a: Workspace, crm_b: Workspace
) -> None:
    foreign_company = await add_organization(sessions, crm_b, "Beta Only")
    await add_organization(sessions, crm_b, "Beta Two")
    await web.login(crm_a.owner.email)
    response = await web.post(
        f"/w/{crm_a.slug}/crm/contacts/new",
        {
            "first_name": "",
            "last_name": "X",
            "email": "not-an-address",
            "phone": "call me",
            "organization_id": str(foreign_company + 1),
            "owner_id": "999999",
            "address_1_country": "France",
        },
    )
    assert response.status_code == 400
    for field in ("first_name", "email", "phone", "organization_id", "owner_id", "address_1_country"):
        assert f'id="{field}-error"' in response.text, field
    assert 'value="X"' in response.text  # what was typed stays
    assert await count(sessions, crm_a, Person) == 0

    bad_company = await web.post(f"/w/{crm_a.slug}/crm/companies/new", {"name": "", "email": "@"})
    assert bad_company.status_code == 400 and 'id="name-error"' in bad_company.text
    assert await count(sessions, crm_a, Organization) == 0


async def test_company_pages_and_export_of_a_filtered_list(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], crm_a: Workspace, crm_b: Workspace
) -> None:
    await add_person(sessions, crm_a, "Ada", "Lovelace", email="ada@x.example.com", tags=["vip"])
    await add_person(sessions, crm_a, "Alan", "Turing", tags=["=cmd"])
    await add_person(sessions, crm_b, "Grace", "Hopper", tags=["vip"])
    await web.login(crm_a.owner.email)
    created = await web.post(f"/w/{crm_a.slug}/crm/companies/new", {"name": "Analytical Engines", "tags": "partner"})
    assert created.status_code == 303
    companies = await web.get(f"/w/{crm_a.slug}/crm/companies/?q=anal")
    assert "Analytical Engines" in companies.text

    export = await web.get(f"/w/{crm_a.slug}/crm/contacts/export.csv?tag=vip")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [r["last_name"] for r in rows] == ["Lovelace"]
    everyone = list(csv.DictReader(io.StringIO((await web.get(f"/w/{crm_a.slug}/crm/contacts/export.csv")).text)))
    assert sorted(r["last_name"] for r in everyone) == ["Lovelace", "Turing"]
    assert next(r for r in everyone if r["last_name"] == "Turing")["tags"] == "'=cmd"  # no formula injection
    company_rows = list(csv.DictReader(io.StringIO((await web.get(f"/w/{crm_a.slug}/crm/companies/export.csv")).text)))
    assert [r["name"] for r in company_rows] == ["Analytical Engines"]


async def test_activities_on_timeline_and_my_tasks_overdue_first(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], crm_a: Workspace, crm_b: Workspace
) -> None:
    person = await add_person(sessions, crm_a, "Ada", "Lovelace")
    company = await add_organization(sessions, crm_a, "Engines Ltd")
    foreign = await add_person(sessions, crm_b, "Grace", "Hopper")
    await web.login(crm_a.owner.email)
    today = datetime.datetime.now(datetime.UTC).date()
    base = f"/w/{crm_a.slug}/crm"
    for subject, due, path in (
        ("Later task", today + datetime.timedelta(days=5), f"contacts/{person}"),
        ("Very overdue", today - datetime.timedelta(days=9), f"companies/{company}"),
        ("No date", None, f"contacts/{person}"),
        ("A bit overdue", today - datetime.timedelta(days=1), f"contacts/{person}"),
        ("Tomorrow", today + datetime.timedelta(days=1), f"contacts/{person}"),
    ):
        form = {"kind": "task", "subject": subject, "due_date": due.isoformat() if due else ""}
        response = await web.post(f"{base}/{path}/activities", form)
        assert response.status_code == 303, response.text
    call = await web.post(f"{base}/contacts/{person}/activities", {"kind": "call", "subject": "Discussed engines"})
    assert call.status_code == 303

    detail = await web.get(f"{base}/contacts/{person}")
    assert "Discussed engines" in detail.text and "Later task" in detail.text and "Very overdue" not in detail.text

    tasks = await web.get(f"{base}/tasks")
    order = [tasks.text.index(s) for s in ("Very overdue", "A bit overdue", "Tomorrow", "Later task", "No date")]
    assert order == sorted(order)
    assert "Discussed engines" not in tasks.text

    session = await tenant_session(sessions, crm_a)
    async with session:
        very_overdue = await session.scalar(select(Activity.id).where(Activity.subject == "Very overdue"))
    done = await web.post(f"{base}/activities/{very_overdue}/done", {"done": "true", "next": "tasks"})
    assert done.status_code == 303
    assert "Very overdue" not in (await web.get(f"{base}/tasks")).text

    invalid = await web.post(f"{base}/contacts/{person}/activities", {"kind": "party", "subject": "", "due_date": "x"})
    assert invalid.status_code == 400
    assert 'id="subject-error"' in invalid.text and 'id="due_date-error"' in invalid.text
    assert await count(sessions, crm_a, Activity) == 6

    cross = await web.post(f"{base}/contacts/{foreign + 100}/activities", {"kind": "note", "subject": "Sneaky"})
    assert cross.status_code == 404
    other_tenant = await web.post(
        f"/w/{crm_b.slug}/crm/contacts/{foreign}/activities", {"kind": "note", "subject": "x"}
    )
    assert other_tenant.status_code == 404
    assert await count(sessions, crm_b, Activity) == 0
