"""CSV export of any filtered list (the same ``ListQuery`` the page shows, every page of it), through the product's
one CSV writer (formula cells guarded; plain CSV or Excel (Spanish))."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import noload

from nexo.modules.crm.services.listing import (
    COMPANY_SORTS,
    CONTACT_SORTS,
    ListQuery,
    companies_statement,
    contacts_statement,
)
from nexo.modules.directory.models import Organization, Person
from nexo.platform.csvkit import CsvFormat, CsvWriter

CONTACT_COLUMNS = [
    "id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "job_title",
    "company",
    "stage",
    "tags",
    "owner_id",
    "created_at",
]
COMPANY_COLUMNS = ["id", "name", "email", "phone", "website", "stage", "tags", "owner_id", "created_at"]


async def export_contacts(session: AsyncSession, query: ListQuery, fmt: CsvFormat = CsvFormat.PLAIN) -> bytes:
    """Every contact matching ``query`` (all pages), in the list's order, as a CSV file in ``fmt``."""
    statement = (
        contacts_statement(query)
        .add_columns(Organization.name)
        .outerjoin(Organization, Organization.id == Person.organization_id)
        .options(noload(Person.organization))
        .order_by(*CONTACT_SORTS[query.sort])
    )
    writer = CsvWriter(fmt)
    lines = [writer.start(), writer.row(CONTACT_COLUMNS)]
    for person, stage, company in await session.execute(statement):
        lines.append(
            writer.row(
                [
                    person.id,
                    person.first_name,
                    person.last_name,
                    person.email,
                    person.phone,
                    person.job_title,
                    company,
                    stage,
                    ";".join(person.tags),
                    person.owner_id,
                    person.created_at.isoformat(),
                ]
            )
        )
    return "".join(lines).encode("utf-8")


async def export_companies(session: AsyncSession, query: ListQuery, fmt: CsvFormat = CsvFormat.PLAIN) -> bytes:
    statement = companies_statement(query).order_by(*COMPANY_SORTS[query.sort])
    writer = CsvWriter(fmt)
    lines = [writer.start(), writer.row(COMPANY_COLUMNS)]
    for organization, stage in await session.execute(statement):
        lines.append(
            writer.row(
                [
                    organization.id,
                    organization.name,
                    organization.email,
                    organization.phone,
                    organization.website,
                    stage,
                    ";".join(organization.tags),
                    organization.owner_id,
                    organization.created_at.isoformat(),
                ]
            )
        )
    return "".join(lines).encode("utf-8")
