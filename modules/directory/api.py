"""Directory REST API: organizations and people (``/api/v1/directory/...``).

Thin controllers: request structs in, the services' typed inputs through :mod:`.services`, the
:mod:`.representations` out. Shared parameters (``IdParam``, ``Cursor``, ...) come from the API kit,
``nexo.platform.api.resource``.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import Parameter
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import noload

from nexo.modules.directory.forms import Email, Name, Notes, OrgName, Phone, Url, normalized_email
from nexo.modules.directory.models import Organization, Person
from nexo.modules.directory.representations import OrganizationOut, PersonOut, organization_out, person_out
from nexo.modules.directory.services import OrganizationInput, OrganizationService, PersonInput, PersonService
from nexo.platform.api.base import DEFAULT_LIMIT, Page, idempotent_create
from nexo.platform.api.principal import ApiPrincipal
from nexo.platform.api.resource import (
    Cursor,
    DbId,
    IdempotencyKey,
    IdParam,
    Limit,
    OptionalIdParam,
    Resource,
    Sort,
    changes,
    create_op,
    delete_op,
    field_problem,
    list_op,
    read_op,
    still_used,
    update_op,
)
from nexo.platform.db.search import MAX_SEARCH_LENGTH, contains_pattern

LIST_OPTIONS = (noload(Person.emails), noload(Person.phones), noload(Person.addresses), noload(Person.organization))
Search = Annotated[str | None, Parameter(max_length=MAX_SEARCH_LENGTH, description="Search text.")]
PEOPLE = Resource(
    Person, "person", {"id": Person.id, "last_name": Person.last_name, "created_at": Person.created_at}, LIST_OPTIONS
)
ORGANIZATIONS = Resource(
    Organization,
    "organization",
    {"id": Organization.id, "name": Organization.name, "created_at": Organization.created_at},
    (noload(Organization.emails), noload(Organization.phones), noload(Organization.addresses)),
)
__all__ = ["OrganizationsApi", "PeopleApi"]


class PersonCreate(msgspec.Struct, forbid_unknown_fields=True):
    first_name: Name
    last_name: Name
    email: Email | None = None
    phone: Phone | None = None
    organization_id: DbId | None = None
    notes: Notes | None = None


class PersonUpdate(msgspec.Struct, forbid_unknown_fields=True):
    first_name: Name | msgspec.UnsetType = msgspec.UNSET
    last_name: Name | msgspec.UnsetType = msgspec.UNSET
    email: Email | msgspec.UnsetType | None = msgspec.UNSET
    phone: Phone | msgspec.UnsetType | None = msgspec.UNSET
    organization_id: DbId | msgspec.UnsetType | None = msgspec.UNSET
    notes: Notes | msgspec.UnsetType | None = msgspec.UNSET


class OrganizationCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: OrgName
    email: Email | None = None
    phone: Phone | None = None
    website: Url | None = None
    notes: Notes | None = None


class OrganizationUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: OrgName | msgspec.UnsetType = msgspec.UNSET
    email: Email | msgspec.UnsetType | None = msgspec.UNSET
    phone: Phone | msgspec.UnsetType | None = msgspec.UNSET
    website: Url | msgspec.UnsetType | None = msgspec.UNSET
    notes: Notes | msgspec.UnsetType | None = msgspec.UNSET


async def check_organization(
    session: AsyncSession, organization_id: int | None, field: str = "organization_id"
) -> None:
    if organization_id is not None and await session.get(Organization, organization_id) is None:
        raise field_problem(field, "no such organization in this workspace")


def person_input(person: Person, sent: dict[str, Any]) -> PersonInput:
    """The person's values with the fields a body sent (names trimmed, e-mail normalized) laid over them."""
    if "email" in sent:
        sent["email"] = normalized_email(sent["email"])
    for name in ("first_name", "last_name"):
        if name in sent:
            sent[name] = sent[name].strip()
    current = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "phone": person.phone,
        "organization_id": person.organization_id,
        "notes": person.notes,
    }
    return PersonInput(**{**current, **sent})


def organization_input(organization: Organization, sent: dict[str, Any]) -> OrganizationInput:
    if "email" in sent:
        sent["email"] = normalized_email(sent["email"])
    if "name" in sent:
        sent["name"] = sent["name"].strip()
    current = {
        "name": organization.name,
        "email": organization.email,
        "phone": organization.phone,
        "website": organization.website,
        "notes": organization.notes,
    }
    return OrganizationInput(**{**current, **sent})


class PeopleApi(Controller):
    path = "/directory/people"
    tags = ["directory"]

    @get("/", **list_op("directory.read", "List people", "listPeople"))
    async def list_people(
        self,
        db_session: AsyncSession,
        q: Search = None,
        email: Search = None,
        organization_id: OptionalIdParam = None,
        sort: Sort = "last_name",
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[PersonOut]:
        """People of the workspace. ``q`` searches names and e-mails; ``sort`` is ``id``, ``last_name`` or
        ``created_at`` (prefix ``-`` for descending)."""
        statement = select(Person)
        if q:
            like = contains_pattern(q)
            statement = statement.where(
                or_(
                    Person.first_name.ilike(like, escape="\\"),
                    Person.last_name.ilike(like, escape="\\"),
                    Person.email.ilike(like, escape="\\"),
                )
            )
        if email:
            statement = statement.where(Person.email == email.strip().lower())
        rows, next_cursor = await PEOPLE.page(
            db_session,
            statement,
            sort=sort,
            cursor=cursor,
            limit=limit,
            filters={Person.organization_id: organization_id},
        )
        return Page(data=[person_out(p) for p in rows], next_cursor=next_cursor)

    @post("/", **create_op("directory.write", "Create a person", "createPerson"))
    async def create_person(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        data: PersonCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[PersonOut]:
        """Create a person. Send ``Idempotency-Key`` to make retries safe."""

        async def create() -> PersonOut:
            await check_organization(db_session, data.organization_id)
            person = await PersonService(db_session).create(person_input(Person(), msgspec.structs.asdict(data)))
            await db_session.refresh(person)
            return person_out(person)

        return await idempotent_create(request, db_session, principal, data, create)

    @get("/{person_id:int}", **read_op("directory.read", "Get a person", "getPerson"))
    async def get_person(self, db_session: AsyncSession, person_id: IdParam) -> PersonOut:
        return person_out(await _person(db_session, person_id))

    @patch("/{person_id:int}", **update_op("directory.write", "Change a person", "updatePerson"))
    async def update_person(self, db_session: AsyncSession, person_id: IdParam, data: PersonUpdate) -> PersonOut:
        person = await _person(db_session, person_id)
        sent = changes(data)
        values = person_input(person, sent)
        if "organization_id" in sent:
            await check_organization(db_session, values.organization_id)
        await PersonService(db_session).update(person, values)
        await db_session.refresh(person)
        return person_out(person)

    @delete("/{person_id:int}", **delete_op("directory.write", "Delete a person", "deletePerson", 409))
    async def delete_person(self, db_session: AsyncSession, person_id: IdParam) -> None:
        person = await _person(db_session, person_id)
        with still_used("person"):
            await PersonService(db_session).delete(person)


class OrganizationsApi(Controller):
    path = "/directory/organizations"
    tags = ["directory"]

    @get("/", **list_op("directory.read", "List organizations", "listOrganizations"))
    async def list_organizations(
        self,
        db_session: AsyncSession,
        q: Search = None,
        sort: Sort = "name",
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[OrganizationOut]:
        """Organizations; ``sort`` is ``id``, ``name`` or ``created_at`` (prefix ``-`` for descending)."""
        statement = select(Organization)
        if q:
            statement = statement.where(Organization.name.ilike(contains_pattern(q), escape="\\"))
        rows, next_cursor = await ORGANIZATIONS.page(db_session, statement, sort=sort, cursor=cursor, limit=limit)
        return Page(data=[organization_out(o) for o in rows], next_cursor=next_cursor)

    @post("/", **create_op("directory.write", "Create an organization", "createOrganization"))
    async def create_organization(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        data: OrganizationCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[OrganizationOut]:
        async def create() -> OrganizationOut:
            values = organization_input(Organization(), msgspec.structs.asdict(data))
            org = await OrganizationService(db_session).create(values)
            await db_session.refresh(org)
            return organization_out(org)

        return await idempotent_create(request, db_session, principal, data, create)

    @get("/{organization_id:int}", **read_op("directory.read", "Get an organization", "getOrganization"))
    async def get_organization(self, db_session: AsyncSession, organization_id: IdParam) -> OrganizationOut:
        return organization_out(await _organization(db_session, organization_id))

    @patch("/{organization_id:int}", **update_op("directory.write", "Change an organization", "updateOrganization"))
    async def update_organization(
        self, db_session: AsyncSession, organization_id: IdParam, data: OrganizationUpdate
    ) -> OrganizationOut:
        org = await _organization(db_session, organization_id)
        await OrganizationService(db_session).update(org, organization_input(org, changes(data)))
        await db_session.refresh(org)
        return organization_out(org)

    @delete(
        "/{organization_id:int}", **delete_op("directory.write", "Delete an organization", "deleteOrganization", 409)
    )
    async def delete_organization(self, db_session: AsyncSession, organization_id: IdParam) -> None:
        org = await _organization(db_session, organization_id)
        with still_used("organization"):
            await OrganizationService(db_session).delete(org)


async def _person(session: AsyncSession, person_id: int) -> Person:
    return await PEOPLE.get(session, person_id)


async def _organization(session: AsyncSession, organization_id: int) -> Organization:
    return await ORGANIZATIONS.get(session, organization_id)
