"""CSV export of any filtered list (the same ``ListQuery`` the page shows, every page of it)."""

from __future__ import annotations

import csv
import io

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


def _line(values: list[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(["" if v is None else _safe(str(v)) for v in values])
    return buffer.getvalue()


def _safe(value: str) -> str:
    """Neutralize spreadsheet formulas (CSV injection): a cell starting with = + - @ is prefixed with '."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(value) else value


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


async def export_contacts(session: AsyncSession, query: ListQuery) -> str:
    """Every contact matching ``query`` (all pages), in the list's order, as CSV text."""
    statement = (
        contacts_statement(query)
        .add_columns(Organization.name)
        .outerjoin(Organization, Organization.id == Person.organization_id)
        .options(noload(Person.organization))
        .order_by(*CONTACT_SORTS[query.sort])
    )
    lines = [_line(list(CONTACT_COLUMNS))]
    for person, stage, company in await session.execute(statement):
        lines.append(
            _line(
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
    return "".join(lines)


async def export_companies(session: AsyncSession, query: ListQuery) -> str:
    statement = companies_statement(query).order_by(*COMPANY_SORTS[query.sort])
    lines = [_line(list(COMPANY_COLUMNS))]
    for organization, stage in await session.execute(statement):
        lines.append(
            _line(
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
    return "".join(lines)
