"""Directory REST API: organizations and people (``/api/v1/directory/...``)."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

import msgspec
from email_validator import EmailNotValidError, validate_email
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import Parameter
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import noload

from nexo.modules.directory.models import Organization, Person
from nexo.platform.api.auth import ApiPrincipal
from nexo.platform.api.base import (
    DEFAULT_LIMIT,
    Page,
    api_opt,
    idempotent_create,
    keyset_page,
    problem_responses,
    security,
)
from nexo.platform.web.errors import ProblemError
from nexo.platform.webhooks.events import emit

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
OrgName = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Email = Annotated[str, msgspec.Meta(max_length=320)]
Phone = Annotated[str, msgspec.Meta(max_length=50)]
Url = Annotated[str, msgspec.Meta(max_length=300)]
Notes = Annotated[str, msgspec.Meta(max_length=10_000)]
LIST_OPTIONS = (noload(Person.emails), noload(Person.phones), noload(Person.addresses), noload(Person.organization))
BIGINT_MAX = 2**63 - 1
DbId = Annotated[int, msgspec.Meta(ge=1, le=BIGINT_MAX)]
IdParam = Annotated[int, Parameter(ge=1, le=BIGINT_MAX)]
# Litestar drops the constraints of ``IdParam | None``: an optional id keeps them inside the annotation.
OptionalIdParam = Annotated[int | None, Parameter(ge=1, le=BIGINT_MAX)]
Limit = Annotated[int, Parameter(ge=1, le=200, description="Page size (1-200).")]
Cursor = Annotated[str | None, Parameter(description="Opaque cursor from a previous page's next_cursor.")]


class PersonOut(msgspec.Struct):
    id: int
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    organization_id: int | None
    notes: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


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


class OrganizationOut(msgspec.Struct):
    id: int
    name: str
    email: str | None
    phone: str | None
    website: str | None
    notes: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


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


def person_out(person: Person) -> PersonOut:
    return PersonOut(id=person.id, first_name=person.first_name, last_name=person.last_name, email=person.email,
                     phone=person.phone, organization_id=person.organization_id, notes=person.notes,
                     created_at=person.created_at, updated_at=person.updated_at)  # fmt: skip


def organization_out(org: Organization) -> OrganizationOut:
    return OrganizationOut(id=org.id, name=org.name, email=org.email, phone=org.phone, website=org.website,
                           notes=org.notes, created_at=org.created_at, updated_at=org.updated_at)  # fmt: skip


def field_problem(field: str, message: str) -> ProblemError:
    error = ProblemError(400, f"{field}: {message}", "validation-error")
    error.extra = [{"key": field, "message": message, "source": "body"}]
    return error


def normalized_email(value: str | None) -> str | None:
    if not value or not value.strip():
        return None
    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise field_problem("email", f"not a valid e-mail address ({exc})") from exc


async def check_organization(
    session: AsyncSession, organization_id: int | None, field: str = "organization_id"
) -> None:
    if organization_id is not None and await session.get(Organization, organization_id) is None:
        raise field_problem(field, "no such organization in this workspace")


def changes(update: msgspec.Struct) -> dict[str, Any]:
    return {k: v for k, v in msgspec.structs.asdict(update).items() if v is not msgspec.UNSET}


class PeopleApi(Controller):
    path = "/directory/people"
    tags = ["directory"]

    @get("/", opt=api_opt("directory.read"), security=security("directory.read"), responses=problem_responses(),
         summary="List people", operation_id="listPeople")  # fmt: skip
    async def list_people(
        self, db_session: AsyncSession, q: str | None = None, email: str | None = None,
        organization_id: OptionalIdParam = None, sort: str = "last_name", cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[PersonOut]:  # fmt: skip
        """People of the workspace. ``q`` searches names and e-mails; ``sort`` is ``id``, ``last_name`` or
        ``created_at`` (prefix ``-`` for descending)."""
        statement = select(Person).options(*LIST_OPTIONS)
        if q:
            like = f"%{q.strip()}%"
            statement = statement.where(or_(Person.first_name.ilike(like), Person.last_name.ilike(like),
                                            Person.email.ilike(like)))  # fmt: skip
        if email:
            statement = statement.where(Person.email == email.strip().lower())
        if organization_id is not None:
            statement = statement.where(Person.organization_id == organization_id)
        rows, next_cursor = await keyset_page(
            db_session, statement, sortable={"id": Person.id, "last_name": Person.last_name,
                                             "created_at": Person.created_at},
            id_column=Person.id, sort=sort, cursor=cursor, limit=limit,
        )  # fmt: skip
        return Page(data=[person_out(p) for p in rows], next_cursor=next_cursor)

    @post("/", opt=api_opt("directory.write"), security=security("directory.write"),
          responses=problem_responses(409, 422), summary="Create a person", operation_id="createPerson",
          status_code=201)  # fmt: skip
    async def create_person(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, principal: ApiPrincipal, data: PersonCreate,
        idempotency_key: Annotated[str | None, Parameter(header="Idempotency-Key", required=False,
                                                         max_length=200)] = None,
    ) -> Response[PersonOut]:  # fmt: skip
        """Create a person. Send ``Idempotency-Key`` to make retries safe."""

        async def create() -> PersonOut:
            await check_organization(db_session, data.organization_id)
            person = Person(first_name=data.first_name.strip(), last_name=data.last_name.strip(),
                            email=normalized_email(data.email), phone=data.phone, notes=data.notes,
                            organization_id=data.organization_id)  # fmt: skip
            db_session.add(person)
            await db_session.flush()
            await db_session.refresh(person)
            out = person_out(person)
            await emit(db_session, "directory.person.created", msgspec.to_builtins(out))  # webhook event
            return out

        return await idempotent_create(request, db_session, principal, data, create)

    @get("/{person_id:int}", opt=api_opt("directory.read"), security=security("directory.read"),
         responses=problem_responses(404), summary="Get a person", operation_id="getPerson")  # fmt: skip
    async def get_person(self, db_session: AsyncSession, person_id: IdParam) -> PersonOut:
        return person_out(await _person(db_session, person_id))

    @patch("/{person_id:int}", opt=api_opt("directory.write"), security=security("directory.write"),
           responses=problem_responses(404), summary="Change a person", operation_id="updatePerson")  # fmt: skip
    async def update_person(self, db_session: AsyncSession, person_id: IdParam, data: PersonUpdate) -> PersonOut:
        person = await _person(db_session, person_id)
        values = changes(data)
        if "email" in values:
            values["email"] = normalized_email(values["email"])
        if "organization_id" in values:
            await check_organization(db_session, values["organization_id"])
        for key, value in values.items():
            setattr(person, key, value.strip() if key in ("first_name", "last_name") else value)
        await db_session.flush()
        await db_session.refresh(person)
        out = person_out(person)
        await emit(db_session, "directory.person.updated", msgspec.to_builtins(out))  # webhook event
        return out

    @delete("/{person_id:int}", opt=api_opt("directory.write"), security=security("directory.write"),
            responses=problem_responses(404), summary="Delete a person", operation_id="deletePerson")  # fmt: skip
    async def delete_person(self, db_session: AsyncSession, person_id: IdParam) -> None:
        person = await _person(db_session, person_id)
        await db_session.delete(person)
        await db_session.flush()
        await emit(db_session, "directory.person.deleted", {"id": person_id})  # webhook event


class OrganizationsApi(Controller):
    path = "/directory/organizations"
    tags = ["directory"]

    @get("/", opt=api_opt("directory.read"), security=security("directory.read"), responses=problem_responses(),
         summary="List organizations", operation_id="listOrganizations")  # fmt: skip
    async def list_organizations(
        self, db_session: AsyncSession, q: str | None = None, sort: str = "name", cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[OrganizationOut]:  # fmt: skip
        """Organizations; ``sort`` is ``id``, ``name`` or ``created_at`` (prefix ``-`` for descending)."""
        statement = select(Organization).options(noload(Organization.emails), noload(Organization.phones),
                                                  noload(Organization.addresses))  # fmt: skip
        if q:
            statement = statement.where(Organization.name.ilike(f"%{q.strip()}%"))
        rows, next_cursor = await keyset_page(
            db_session, statement, sortable={"id": Organization.id, "name": Organization.name,
                                             "created_at": Organization.created_at},
            id_column=Organization.id, sort=sort, cursor=cursor, limit=limit,
        )  # fmt: skip
        return Page(data=[organization_out(o) for o in rows], next_cursor=next_cursor)

    @post("/", opt=api_opt("directory.write"), security=security("directory.write"),
          responses=problem_responses(409, 422), summary="Create an organization",
          operation_id="createOrganization", status_code=201)  # fmt: skip
    async def create_organization(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, principal: ApiPrincipal,
        data: OrganizationCreate,
        idempotency_key: Annotated[str | None, Parameter(header="Idempotency-Key", required=False,
                                                         max_length=200)] = None,
    ) -> Response[OrganizationOut]:  # fmt: skip
        async def create() -> OrganizationOut:
            org = Organization(name=data.name.strip(), email=normalized_email(data.email), phone=data.phone,
                               website=data.website, notes=data.notes)  # fmt: skip
            db_session.add(org)
            await db_session.flush()
            await db_session.refresh(org)
            out = organization_out(org)
            await emit(db_session, "directory.organization.created", msgspec.to_builtins(out))  # webhook event
            return out

        return await idempotent_create(request, db_session, principal, data, create)

    @get("/{organization_id:int}", opt=api_opt("directory.read"), security=security("directory.read"),
         responses=problem_responses(404), summary="Get an organization", operation_id="getOrganization")  # fmt: skip
    async def get_organization(self, db_session: AsyncSession, organization_id: IdParam) -> OrganizationOut:
        return organization_out(await _organization(db_session, organization_id))

    @patch("/{organization_id:int}", opt=api_opt("directory.write"), security=security("directory.write"),
           responses=problem_responses(404), summary="Change an organization",
           operation_id="updateOrganization")  # fmt: skip
    async def update_organization(
        self, db_session: AsyncSession, organization_id: IdParam, data: OrganizationUpdate
    ) -> OrganizationOut:
        org = await _organization(db_session, organization_id)
        values = changes(data)
        if "email" in values:
            values["email"] = normalized_email(values["email"])
        for key, value in values.items():
            setattr(org, key, value.strip() if key == "name" else value)
        await db_session.flush()
        await db_session.refresh(org)
        out = organization_out(org)
        await emit(db_session, "directory.organization.updated", msgspec.to_builtins(out))  # webhook event
        return out

    @delete("/{organization_id:int}", opt=api_opt("directory.write"), security=security("directory.write"),
            responses=problem_responses(404), summary="Delete an organization",
            operation_id="deleteOrganization")  # fmt: skip
    async def delete_organization(self, db_session: AsyncSession, organization_id: IdParam) -> None:
        org = await _organization(db_session, organization_id)
        await db_session.delete(org)
        await db_session.flush()
        await emit(db_session, "directory.organization.deleted", {"id": organization_id})  # webhook event


async def _person(session: AsyncSession, person_id: int) -> Person:
    person = await session.get(Person, person_id)
    if person is None:
        raise ProblemError(404, "No such person in this workspace.", "not-found")
    return person


async def _organization(session: AsyncSession, organization_id: int) -> Organization:
    org = await session.get(Organization, organization_id)
    if org is None:
        raise ProblemError(404, "No such organization in this workspace.", "not-found")
    return org
