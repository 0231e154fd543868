"""Directory services (tenant-bound sessions only): the one place a person or organization is written from the
directory's pages and API, and the ``directory.*`` webhook events they emit (in the change's transaction: a
rollback sends nothing). The payload is the record as the directory API answers it. CRM contacts and companies are
written by the CRM services, which set the contact points through :func:`apply_contact_points`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import msgspec
from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.directory.models import EmailAddress, Organization, Person, PhoneNumber, PostalAddress
from nexo.modules.directory.representations import organization_out, person_out
from nexo.platform.db.search import contains_pattern
from nexo.platform.webhooks.events import emit, wants


@dataclass(frozen=True)
class PersonInput:
    """A person as the directory's pages and API write it (values already validated)."""

    first_name: str
    last_name: str
    email: str | None = None
    phone: str | None = None
    organization_id: int | None = None
    notes: str | None = None


@dataclass(frozen=True)
class OrganizationInput:
    name: str
    email: str | None = None
    phone: str | None = None
    website: str | None = None
    notes: str | None = None


@dataclass(frozen=True)
class TypedValue:
    """One e-mail address or phone number with its kind (``work``, ``home``, ``mobile``, ...)."""

    kind: str
    value: str


@dataclass(frozen=True)
class AddressInput:
    kind: str
    line1: str | None = None
    line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class ContactPoints:
    """A record's e-mails, phones and addresses. ``email``/``phone`` are the primary ones (the forms' first
    fields); ``addresses`` ``None`` keeps the record's addresses as they are."""

    email: str | None = None
    phone: str | None = None
    emails: tuple[TypedValue, ...] = ()
    phones: tuple[TypedValue, ...] = ()
    addresses: tuple[AddressInput, ...] | None = field(default=None)


@dataclass(frozen=True)
class DirectoryCounts:
    people: int
    organizations: int


def normalized_phone(value: str) -> str:
    digits = "".join(ch for ch in value if ch.isdigit())
    return ("+" if value.strip().startswith("+") else "") + digits


def apply_contact_points(record: Person | Organization, points: ContactPoints) -> None:
    """Set the record's primary e-mail/phone and its typed lists.

    The primary e-mail and phone are the first of their list, so list pages and searches read them from the
    record without a join.
    """
    emails = [TypedValue("work", points.email)] if points.email else []
    emails += [row for row in points.emails if row.value != points.email]
    phones = [TypedValue("work", points.phone)] if points.phone else []
    phones += [row for row in points.phones if row.value != points.phone]
    record.email = emails[0].value if emails else None
    record.phone = phones[0].value if phones else None
    record.emails = [
        EmailAddress(kind=row.kind, address=row.value, is_primary=index == 0) for index, row in enumerate(emails)
    ]
    record.phones = [
        PhoneNumber(kind=row.kind, number=row.value, normalized=normalized_phone(row.value), is_primary=index == 0)
        for index, row in enumerate(phones)
    ]
    if points.addresses is not None:
        record.addresses = [
            PostalAddress(
                kind=row.kind,
                line1=row.line1,
                line2=row.line2,
                postal_code=row.postal_code,
                city=row.city,
                region=row.region,
                country=row.country,
            )
            for row in points.addresses
        ]


async def directory_counts(session: AsyncSession) -> DirectoryCounts:
    people = await session.scalar(select(func.count()).select_from(Person))
    organizations = await session.scalar(select(func.count()).select_from(Organization))
    return DirectoryCounts(int(people or 0), int(organizations or 0))


class PersonService:
    """People of the directory: search, and the writes with their ``directory.person.*`` events."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

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
        total = await self.session.scalar(select(func.count()).select_from(statement.subquery()))
        rows = await self.session.scalars(
            statement.order_by(Person.last_name, Person.first_name, Person.id).limit(limit).offset(offset)
        )
        return list(rows), int(total or 0)

    async def create(self, values: PersonInput) -> Person:
        person = Person()
        _set_person(person, values)
        self.session.add(person)
        await self.session.flush()
        await self._event("directory.person.created", person)
        return person

    async def update(self, person: Person, values: PersonInput) -> Person:
        _set_person(person, values)
        await self.session.flush()
        await self._event("directory.person.updated", person)
        return person

    async def delete(self, person: Person) -> None:
        person_id = person.id
        await self.session.delete(person)
        await self.session.flush()
        await emit(self.session, "directory.person.deleted", {"id": person_id})

    async def _event(self, event_type: str, person: Person) -> None:
        """Emit ``event_type`` with the person as the API shows it; nothing is built when nobody subscribed."""
        if await wants(self.session, event_type):
            await self.session.refresh(person)
            await emit(self.session, event_type, msgspec.to_builtins(person_out(person)))


class OrganizationService:
    """Organizations of the directory: the writes with their ``directory.organization.*`` events."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def create(self, values: OrganizationInput) -> Organization:
        organization = Organization()
        _set_organization(organization, values)
        self.session.add(organization)
        await self.session.flush()
        await self._event("directory.organization.created", organization)
        return organization

    async def update(self, organization: Organization, values: OrganizationInput) -> Organization:
        _set_organization(organization, values)
        await self.session.flush()
        await self._event("directory.organization.updated", organization)
        return organization

    async def delete(self, organization: Organization) -> None:
        organization_id = organization.id
        await self.session.delete(organization)
        await self.session.flush()
        await emit(self.session, "directory.organization.deleted", {"id": organization_id})

    async def _event(self, event_type: str, organization: Organization) -> None:
        if await wants(self.session, event_type):
            await self.session.refresh(organization)
            await emit(self.session, event_type, msgspec.to_builtins(organization_out(organization)))


def _set_person(person: Person, values: PersonInput) -> None:
    person.first_name, person.last_name = values.first_name, values.last_name
    person.email, person.phone = values.email, values.phone
    person.organization_id, person.notes = values.organization_id, values.notes


def _set_organization(organization: Organization, values: OrganizationInput) -> None:
    organization.name, organization.email, organization.phone = values.name, values.email, values.phone
    organization.website, organization.notes = values.website, values.notes
