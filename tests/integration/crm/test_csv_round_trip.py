"""CSV the way people use it: Nexo's own contacts export imports again unchanged (international phones and
formula-like text included), in plain CSV and in Excel (Spanish); files saved by a Spanish Excel (UTF-8 with BOM,
or Windows-1252) import with every accent; every CSV export neutralises formula cells. Two workspaces each time."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from decimal import Decimal
from html import unescape

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.crm.models import ContactProfile
from nexo.modules.directory.models import Organization, Person
from nexo.tests.factories import WebClient, Workspace, tenant_session
from nexo.tests.integration.crm.helpers import crm_workspace

FORMULAS = ['=HYPERLINK("http://evil.example","click")', "=1+2", "@SUM(A1:A9)", "-2+3", "+cmd"]
FIRST = ["José", "Begoña", "Çesc", "Ana", "Íñigo"]
LAST = ["Álvarez", "Ibáñez", "Peña", "Müller", "Sánchez"]
NOT_IMPORTED = {"id", "owner_id", "created_at"}  # what a workspace assigns to a new row (not the file's data)


@pytest.fixture
async def crm_a(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await crm_workspace(sessions, "Alpha CRM")


@pytest.fixture
async def crm_b(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await crm_workspace(sessions, "Beta CRM")


async def seed_twenty(sessions: async_sessionmaker[AsyncSession], ws: Workspace) -> None:
    """20 contacts: accented names, international phones (+34 ...), formula-like job titles and companies."""
    session = await tenant_session(sessions, ws)
    async with session:
        companies = [Organization(name=name, tags=[]) for name in ("Peña Motors", FORMULAS[0], "@home S.L.")]
        session.add_all(companies)
        await session.flush()
        for index in range(20):
            person = Person(
                first_name=FIRST[index % 5],
                last_name=f"{LAST[index % 5]} {index:02d}",
                email=f"c{index}@example.com",
                phone=f"+34 612 345 {index:03d}",
                job_title=FORMULAS[index % 5] if index % 2 else "Director de compras",
                organization_id=companies[index % 3].id if index % 4 else None,
                tags=["vip", "madrid"] if index % 3 == 0 else [],
            )
            session.add(person)
            await session.flush()
            session.add(ContactProfile(person_id=person.id, lifecycle_stage=("lead", "customer")[index % 2]))
        await session.commit()


def _table(body: bytes, delimiter: str) -> list[list[str]]:
    """Cells exactly as written (guards kept), without the columns a workspace assigns itself."""
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=delimiter))
    keep = [i for i, name in enumerate(rows[0]) if name not in NOT_IMPORTED]
    return [[row[i] for i in keep] for row in rows]


async def _import(web: WebClient, ws: Workspace, body: bytes, filename: str) -> str:
    """Upload ``body`` through the import pages with the mapping they guess; the summary page's text."""
    shown = await web.post(
        f"/w/{ws.slug}/crm/import/preview", {"entity": "contacts"}, files={"file": (filename, body, "text/csv")}
    )
    assert shown.status_code == 200, shown.text
    form = {"entity": "contacts", "filename": filename, "content": _hidden_content(shown.text)}
    for index, options in re.findall(r'<select id="column_(\d+)"[^>]*>(.*?)</select>', shown.text, re.S):
        chosen = re.search(r'<option value="(\w+)" selected>', options)
        form[f"column_{index}"] = chosen.group(1) if chosen else ""
    run = await web.post(f"/w/{ws.slug}/crm/import/run", form)
    assert run.status_code == 200, run.text
    return run.text


def _hidden_content(page: str) -> str:
    match = re.search(r'<textarea name="content"[^>]*>(.*?)</textarea>', page, re.S)
    assert match
    return unescape(match.group(1))


@pytest.mark.parametrize(("fmt", "delimiter"), [("csv", ","), ("excel-es", ";")])
async def test_export_import_export_gives_the_same_file(
    web: WebClient,
    sessions: async_sessionmaker[AsyncSession],
    crm_a: Workspace,
    crm_b: Workspace,
    fmt: str,
    delimiter: str,
) -> None:
    await seed_twenty(sessions, crm_a)
    await web.login(crm_a.owner.email)
    first = await web.get(f"/w/{crm_a.slug}/crm/contacts/export.csv?format={fmt}")
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/csv")
    assert first.content.startswith(b"\xef\xbb\xbf") == (fmt == "excel-es")
    assert b"\r\n" in first.content and b"'+34 612 345 001" in first.content  # phones guarded, as Excel needs
    await web.client.post("/logout", headers={"x-csrftoken": web.csrf})

    await web.login(crm_b.owner.email)
    summary = await _import(web, crm_b, first.content, f"contacts.{fmt}.csv")
    assert "20 contacts imported" in summary
    second = await web.get(f"/w/{crm_b.slug}/crm/contacts/export.csv?format={fmt}")
    assert len(_table(second.content, delimiter)) == 21
    assert _table(second.content, delimiter) == _table(first.content, delimiter)
    session = await tenant_session(sessions, crm_b)
    async with session:
        phones = sorted(await session.scalars(select(Person.phone)))
    assert phones[1] == "+34 612 345 001"  # stored as typed: the guard is the file's, not the data's


# A sheet saved by Excel (es-ES) as "CSV UTF-8": BOM, ";", CRLF, accents, comma decimals.
EXCEL_ES = (
    "\ufefffirst_name;last_name;email;job_title;company;notes\r\n"
    "José;Álvarez Peña;jose@example.com;Jefa de almacén;Peña Hermanos;Crédito 1.234,56 €\r\n"
    "Begoña;Ibáñez;begona@example.com;Contable;Cañas y Tapas S.L.;Descuento 7,5 %\r\n"
    "Çesc;Müller;cesc@example.com;Director;Logroño Vinos;Añadido el 06/12/2026\r\n"
)
NAMES = {("José", "Álvarez Peña"), ("Begoña", "Ibáñez"), ("Çesc", "Müller")}


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252"], ids=["csv-utf-8", "windows-1252"])
async def test_files_saved_by_a_spanish_excel_keep_every_accent(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], crm_a: Workspace, crm_b: Workspace, encoding: str
) -> None:
    body = EXCEL_ES.encode("utf-8") if encoding == "utf-8" else EXCEL_ES.removeprefix("\ufeff").encode("cp1252")
    await web.login(crm_a.owner.email)
    assert "3 contacts imported" in await _import(web, crm_a, body, "clientes.csv")
    session = await tenant_session(sessions, crm_a)
    async with session:
        people = list(await session.scalars(select(Person)))
        companies = set(await session.scalars(select(Organization.name)))
    assert {(p.first_name, p.last_name) for p in people} == NAMES
    assert {p.job_title for p in people} == {"Jefa de almacén", "Contable", "Director"}
    assert {p.notes for p in people} == {"Crédito 1.234,56 €", "Descuento 7,5 %", "Añadido el 06/12/2026"}
    assert companies == {"Peña Hermanos", "Cañas y Tapas S.L.", "Logroño Vinos"}
    other = await tenant_session(sessions, crm_b)
    async with other:
        assert list(await other.scalars(select(Person))) == []


def _formula_cells(body: bytes) -> list[str]:
    """Cells a spreadsheet would run as formulas (guarded cells start with an apostrophe, so they are not)."""
    text = body.decode("utf-8-sig")
    delimiter = ";" if text.split("\r\n", 1)[0].count(";") else ","
    cells = [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) for cell in row]
    return [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r") and not re.fullmatch(r"[+-]?[\d.,]+", c)]


@pytest.mark.parametrize("fmt", ["csv", "excel-es"])
async def test_every_crm_export_neutralises_formula_cells(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], crm_a: Workspace, crm_b: Workspace, fmt: str
) -> None:
    await seed_twenty(sessions, crm_a)
    await web.login(crm_a.owner.email)
    contacts = await web.get(f"/w/{crm_a.slug}/crm/contacts/export.csv?format={fmt}")
    companies = await web.get(f"/w/{crm_a.slug}/crm/companies/export.csv?format={fmt}")
    for body in (contacts.content, companies.content):
        assert b"'=HYPERLINK(" in body and _formula_cells(body) == []
    assert b"'=1+2" in contacts.content and b"'@SUM(A1:A9)" in contacts.content and b"'@home S.L." in companies.content
    refused = await web.get(f"/w/{crm_a.slug}/crm/contacts/export.csv?format=xlsx")
    assert refused.status_code == 400 and "excel-es" in refused.text


async def test_module_export_zip_neutralises_formula_cells(
    web: WebClient, sessions: async_sessionmaker[AsyncSession], crm_a: Workspace, crm_b: Workspace
) -> None:
    from nexo.modules.crm.models import Lead, Opportunity, Stage

    session = await tenant_session(sessions, crm_a)
    async with session:
        stage = Stage(name="=Won", position=99)
        session.add(stage)
        await session.flush()
        for title in FORMULAS:
            session.add(Lead(title=title))
            session.add(Opportunity(title=title, stage_id=stage.id, amount=Decimal("1234.50")))
        await session.commit()
    await web.login(crm_a.owner.email)
    for fmt in ("csv", "excel-es"):
        exported = await web.get(f"/w/{crm_a.slug}/settings/modules/crm/export?format={fmt}")
        assert exported.status_code == 200, exported.text
        archive = zipfile.ZipFile(io.BytesIO(exported.content))
        for name in archive.namelist():
            assert _formula_cells(archive.read(name)) == [], name
        leads = archive.read("crm_leads.csv")
        assert b"'=HYPERLINK(" in leads and b"'=1+2" in leads and b"'@SUM(A1:A9)" in leads
        assert b"'=Won" in archive.read("crm_stages.csv")
        amount = b"1234,50" if fmt == "excel-es" else b"1234.50"  # numbers stay numbers, in the format's decimals
        assert amount in archive.read("crm_opportunities.csv")
