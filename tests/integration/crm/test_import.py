"""CSV import: preview and mapping, a file with bad rows imports nothing and reports each one, a clean file imports
everything with an audit entry; tenants stay apart."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.crm.models import ContactProfile
from nexo.modules.directory.models import Organization, Person
from nexo.tenants.audit import AuditEntry
from nexo.tests.factories import WebClient, Workspace, tenant_session
from nexo.tests.integration.crm.helpers import add_organization, crm_workspace

GOOD = (
    "Given name;Surname;E-mail;Company;Tags;Stage\n"
    "Ada;Lovelace;ada@engines.example.com;Engines;vip,math;customer\n"
    "Charles;Babbage;;Engines;;\n"
    "Alan;Turing;alan@bletchley.example.com;Bletchley Park;;prospect\n"
)
BAD = (
    "first_name,last_name,email,stage\n"
    "Ada,Lovelace,ada@engines.example.com,customer\n"
    "No,,x@y.example.com,lead\n"
    "Bad,Mail,not-an-email,lead\n"
    "Ok,Row,,lead\n"
    "Bad,Stage,,friend\n"
)


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


async def preview(web: WebClient, ws: Workspace, content: str, entity: str = "contacts"):  # type: ignore[no-untyped-def]
    return await web.post(
        f"/w/{ws.slug}/crm/import/preview",
        {"entity": entity},
        files={"file": ("people.csv", content.encode(), "text/csv")},
    )


async def test_bad_rows_import_nothing_and_each_is_reported(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], crm_a: Workspace, crm_b: Workspace
) -> None:
    await web.login(crm_a.owner.email)
    shown = await preview(web, crm_a, BAD)
    assert shown.status_code == 200, shown.text
    assert 'id="import-preview"' in shown.text and "not-an-email" in shown.text
    form = {
        "entity": "contacts",
        "filename": "people.csv",
        "content": BAD,
        "column_0": "first_name",
        "column_1": "last_name",
        "column_2": "email",
        "column_3": "lifecycle_stage",
    }
    run = await web.post(f"/w/{crm_a.slug}/crm/import/run", form)
    assert run.status_code == 400
    assert "Nothing was imported" in run.text
    errors = run.text[run.text.index('id="import-errors"') : run.text.index("</section>")]
    assert "<td>3</td><td>last_name</td>" in errors
    assert "<td>4</td><td>email</td>" in errors
    assert "<td>6</td><td>stage</td>" in errors
    assert "<td>2</td>" not in errors and "<td>5</td>" not in errors
    assert await all_rows(sessions, crm_a, Person) == []
    assert await all_rows(sessions, crm_a, AuditEntry) == []


async def test_clean_file_imports_all_rows_links_companies_and_is_audited(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], crm_a: Workspace, crm_b: Workspace
) -> None:
    await add_organization(sessions, crm_a, "Engines")
    await add_organization(sessions, crm_b, "Bletchley Park")
    await web.login(crm_a.owner.email)
    shown = await preview(web, crm_a, GOOD)
    assert shown.status_code == 200
    # Headers are recognised: "Given name" -> first name, "Surname" -> last name, ...
    assert '<option value="first_name" selected>' in shown.text and '<option value="company" selected>' in shown.text
    form = {
        "entity": "contacts",
        "filename": "people.csv",
        "content": GOOD,
        "column_0": "first_name",
        "column_1": "last_name",
        "column_2": "email",
        "column_3": "company",
        "column_4": "tags",
        "column_5": "lifecycle_stage",
    }
    run = await web.post(f"/w/{crm_a.slug}/crm/import/run", form)
    assert run.status_code == 200, run.text
    assert "3 contacts imported" in run.text and "1 new companies" in run.text

    people = await all_rows(sessions, crm_a, Person)
    companies = {o.id: o.name for o in await all_rows(sessions, crm_a, Organization)}
    assert sorted(companies.values()) == ["Bletchley Park", "Engines"]
    by_name = {p.last_name: p for p in people}
    assert companies[by_name["Lovelace"].organization_id] == "Engines"
    assert companies[by_name["Babbage"].organization_id] == "Engines"
    assert by_name["Lovelace"].tags == ["vip", "math"] and by_name["Lovelace"].email == "ada@engines.example.com"
    stages = {p.person_id: p.lifecycle_stage for p in await all_rows(sessions, crm_a, ContactProfile)}
    assert stages[by_name["Lovelace"].id] == "customer" and stages[by_name["Babbage"].id] == "lead"
    [entry] = await all_rows(sessions, crm_a, AuditEntry)
    assert entry.action == "crm.import" and entry.details["rows"] == 3 and entry.actor_user_id == crm_a.owner.id
    assert await all_rows(sessions, crm_b, Person) == []
    assert [o.name for o in await all_rows(sessions, crm_b, Organization)] == ["Bletchley Park"]


async def test_unreadable_file_and_missing_mapping_are_400(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], crm_a: Workspace, crm_b: Workspace
) -> None:
    await web.login(crm_a.owner.email)
    latin1 = await web.post(
        f"/w/{crm_a.slug}/crm/import/preview",
        {"entity": "contacts"},
        files={"file": ("x.csv", "nom\nCl\xe9ment\n".encode("latin-1"), "text/csv")},
    )
    assert latin1.status_code == 200 and "Clément" in latin1.text  # Latin-1 / Windows-1252 is detected, not refused
    too_big = await web.post(
        f"/w/{crm_a.slug}/crm/import/preview",
        {"entity": "contacts"},
        files={"file": ("big.csv", b"last_name\n" + b"x" * (10 * 1024 * 1024), "text/csv")},
    )
    assert too_big.status_code in (400, 413) and ("larger than" in too_big.text or too_big.status_code == 413)
    unmapped = await web.post(
        f"/w/{crm_a.slug}/crm/import/run",
        {"entity": "companies", "content": "a,b\n1,2\n", "column_0": "", "column_1": ""},
    )
    assert unmapped.status_code == 400 and "Map a column" in unmapped.text
    assert await all_rows(sessions, crm_a, Organization) == []
