"""Directory rules (tenant-bound sessions only).

``add_*``/``save_*``/``remove_*`` are the one place a person or organization is written from the directory's pages and
API, and they emit the ``directory.*`` webhook events (in the change's transaction: a rollback sends nothing). The
payload is the record as the directory API answers it. CRM contacts and companies emit theirs from the CRM services.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.directory.models import EmailAddress, Organization, Person, PhoneNumber, PostalAddress
from nexo.platform.db.search import contains_pattern
from nexo.platform.webhooks.events import emit, wants


class PersonRepository(SQLAlchemyAsyncRepository[Person]):
    model_type = Person


class OrganizationRepository(SQLAlchemyAsyncRepository[Organization]):
    model_type = Organization


class PersonService(SQLAlchemyAsyncRepositoryService[Person, PersonRepository]):
    repository_type = PersonRepository

    async def search(self, query: str, *, limit: int = 50, offset: int = 0) -> tuple[list[Person], int]:
        statement = select(Person)
        if query:
            like = contains_pattern(query)
            statement = statement.where(
                or_(
                    Person.first_name.ilike(like, escape="\\"),
                    Person.last_name.ilike(like, escape="\\"),
                    Person.email.ilike(like, escape="\\"),
                )
            )
        total = await self.repository.session.scalar(select(func.count()).select_from(statement.subquery()))
        rows = await self.repository.session.scalars(
            statement.order_by(Person.last_name, Person.first_name, Person.id).limit(limit).offset(offset)
        )
        return list(rows), int(total or 0)


class OrganizationService(SQLAlchemyAsyncRepositoryService[Organization, OrganizationRepository]):
    repository_type = OrganizationRepository


@dataclass(frozen=True)
class DirectoryCounts:
    people: int
    organizations: int


async def directory_counts(session: AsyncSession) -> DirectoryCounts:
    people = await session.scalar(select(func.count()).select_from(Person))
    organizations = await session.scalar(select(func.count()).select_from(Organization))
    return DirectoryCounts(int(people or 0), int(organizations or 0))


def _normalized_phone(value: str) -> str:
    digits = "".join(ch for ch in value if ch.isdigit())
    return ("+" if value.strip().startswith("+") else "") + digits


def apply_contact_points(record: Person | Organization, values: dict[str, Any]) -> None:
    """Set the record's primary e-mail/phone and its typed lists (``emails``, ``phones``, ``addresses``).

    The primary e-mail and phone are the first of their list (the form's "E-mail" / "Phone" fields come first),
    so list pages and searches read them from the record without a join.
    """
    emails = [{"kind": "work", "value": values["email"]}] if values.get("email") else []
    emails += [row for row in values.get("emails", []) if row["value"] != values.get("email")]
    phones = [{"kind": "work", "value": values["phone"]}] if values.get("phone") else []
    phones += [row for row in values.get("phones", []) if row["value"] != values.get("phone")]
    record.email = emails[0]["value"] if emails else None
    record.phone = phones[0]["value"] if phones else None
    record.emails = [
        EmailAddress(kind=row["kind"], address=row["value"], is_primary=index == 0) for index, row in enumerate(emails)
    ]
    record.phones = [
        PhoneNumber(
            kind=row["kind"], number=row["value"], normalized=_normalized_phone(row["value"]), is_primary=index == 0
        )
        for index, row in enumerate(phones)
    ]
    if "addresses" in values:
        record.addresses = [PostalAddress(**row) for row in values["addresses"]]


PERSON_FIELDS = ("first_name", "last_name", "job_title", "organization_id", "owner_id", "tags", "notes")
ORGANIZATION_FIELDS = ("name", "website", "owner_id", "tags", "notes")


def apply_person(person: Person, values: dict[str, Any]) -> Person:
    for name in PERSON_FIELDS:
        if name in values:
            setattr(person, name, values[name])
    apply_contact_points(person, values)
    return person


def apply_organization(organization: Organization, values: dict[str, Any]) -> Organization:
    for name in ORGANIZATION_FIELDS:
        if name in values:
            setattr(organization, name, values[name])
    apply_contact_points(organization, values)
    return organization


# --- writes and their webhook events -----------------------------------------------------------------------


async def _record_event(session: AsyncSession, event_type: str, record: Person | Organization) -> None:
    """Emit ``event_type`` with the record as the API shows it; nothing is built when nobody subscribed."""
    if not await wants(session, event_type):
        return
    import msgspec

    from nexo.modules.directory.api import organization_out, person_out  # the API module imports this one

    await session.flush()
    await session.refresh(record)
    out = person_out(record) if isinstance(record, Person) else organization_out(record)
    await emit(session, event_type, msgspec.to_builtins(out))


async def add_person(session: AsyncSession, person: Person) -> Person:
    session.add(person)
    await session.flush()
    await _record_event(session, "directory.person.created", person)
    return person


async def save_person(session: AsyncSession, person: Person) -> Person:
    """Write the changes made to ``person``."""
    await session.flush()
    await _record_event(session, "directory.person.updated", person)
    return person


async def remove_person(session: AsyncSession, person: Person) -> None:
    person_id = person.id
    await session.delete(person)
    await session.flush()
    await emit(session, "directory.person.deleted", {"id": person_id})


async def add_organization(session: AsyncSession, organization: Organization) -> Organization:
    session.add(organization)
    await session.flush()
    await _record_event(session, "directory.organization.created", organization)
    return organization


async def save_organization(session: AsyncSession, organization: Organization) -> Organization:
    """Write the changes made to ``organization``."""
    await session.flush()
    await _record_event(session, "directory.organization.updated", organization)
    return organization


async def remove_organization(session: AsyncSession, organization: Organization) -> None:
    organization_id = organization.id
    await session.delete(organization)
    await session.flush()
    await emit(session, "directory.organization.deleted", {"id": organization_id})
