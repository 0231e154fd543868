"""CRM REST API: contacts and companies (``/api/v1/crm/...``).

A CRM contact IS a directory person and a company a directory organization; the CRM adds its profile
(lifecycle stage, source or industry). Creating a contact creates the person and its profile together.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import Parameter
from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import noload

from nexo.modules.crm.models import CompanyProfile, ContactProfile, LifecycleStage
from nexo.modules.crm.services.listing import contact_search_clause, escape_like
from nexo.modules.directory.api import (
    DbId,
    Email,
    IdParam,
    Name,
    Notes,
    OptionalIdParam,
    OrgName,
    Phone,
    Url,
    changes,
    check_organization,
    normalized_email,
)
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

Stage = LifecycleStage
Tag = Annotated[str, msgspec.Meta(min_length=1, max_length=60)]
Tags = Annotated[list[Tag], msgspec.Meta(max_length=50)]
Limit = Annotated[int, Parameter(ge=1, le=200, description="Page size (1-200).")]
Cursor = Annotated[str | None, Parameter(description="Opaque cursor from a previous page's next_cursor.")]
IdempotencyKey = Annotated[str | None, Parameter(header="Idempotency-Key", required=False, max_length=200)]
PERSON_LIST_OPTIONS = (noload(Person.emails), noload(Person.phones), noload(Person.addresses),
                       noload(Person.organization))  # fmt: skip
ORG_LIST_OPTIONS = (noload(Organization.emails), noload(Organization.phones), noload(Organization.addresses))


class ContactOut(msgspec.Struct):
    id: int
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    job_title: str | None
    company_id: int | None
    owner_id: int | None
    tags: list[str]
    lifecycle_stage: Stage | None
    source: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ContactCreate(msgspec.Struct, forbid_unknown_fields=True):
    first_name: Name
    last_name: Name
    email: Email | None = None
    phone: Phone | None = None
    job_title: Annotated[str, msgspec.Meta(max_length=150)] | None = None
    company_id: DbId | None = None
    tags: Tags = []
    lifecycle_stage: Stage = Stage.LEAD
    source: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    notes: Notes | None = None


class ContactUpdate(msgspec.Struct, forbid_unknown_fields=True):
    first_name: Name | msgspec.UnsetType = msgspec.UNSET
    last_name: Name | msgspec.UnsetType = msgspec.UNSET
    email: Email | msgspec.UnsetType | None = msgspec.UNSET
    phone: Phone | msgspec.UnsetType | None = msgspec.UNSET
    job_title: Annotated[str, msgspec.Meta(max_length=150)] | msgspec.UnsetType | None = msgspec.UNSET
    company_id: DbId | msgspec.UnsetType | None = msgspec.UNSET
    tags: Tags | msgspec.UnsetType = msgspec.UNSET
    lifecycle_stage: Stage | msgspec.UnsetType = msgspec.UNSET
    source: Annotated[str, msgspec.Meta(max_length=100)] | msgspec.UnsetType | None = msgspec.UNSET


class CompanyOut(msgspec.Struct):
    id: int
    name: str
    email: str | None
    phone: str | None
    website: str | None
    owner_id: int | None
    tags: list[str]
    lifecycle_stage: Stage | None
    industry: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class CompanyCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: OrgName
    email: Email | None = None
    phone: Phone | None = None
    website: Url | None = None
    tags: Tags = []
    lifecycle_stage: Stage = Stage.LEAD
    industry: Annotated[str, msgspec.Meta(max_length=100)] | None = None
    notes: Notes | None = None


class CompanyUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: OrgName | msgspec.UnsetType = msgspec.UNSET
    email: Email | msgspec.UnsetType | None = msgspec.UNSET
    phone: Phone | msgspec.UnsetType | None = msgspec.UNSET
    website: Url | msgspec.UnsetType | None = msgspec.UNSET
    tags: Tags | msgspec.UnsetType = msgspec.UNSET
    lifecycle_stage: Stage | msgspec.UnsetType = msgspec.UNSET
    industry: Annotated[str, msgspec.Meta(max_length=100)] | msgspec.UnsetType | None = msgspec.UNSET


def contact_out(person: Person, profile: ContactProfile | None) -> ContactOut:
    return ContactOut(
        id=person.id, first_name=person.first_name, last_name=person.last_name, email=person.email,
        phone=person.phone, job_title=person.job_title, company_id=person.organization_id, owner_id=person.owner_id,
        tags=list(person.tags or []), lifecycle_stage=Stage(profile.lifecycle_stage) if profile else None,
        source=profile.source if profile else None, created_at=person.created_at, updated_at=person.updated_at,
    )  # fmt: skip


def company_out(org: Organization, profile: CompanyProfile | None) -> CompanyOut:
    return CompanyOut(
        id=org.id, name=org.name, email=org.email, phone=org.phone, website=org.website, owner_id=org.owner_id,
        tags=list(org.tags or []), lifecycle_stage=Stage(profile.lifecycle_stage) if profile else None,
        industry=profile.industry if profile else None, created_at=org.created_at, updated_at=org.updated_at,
    )  # fmt: skip


class ContactsApi(Controller):
    path = "/crm/contacts"
    tags = ["crm"]

    @get("/", opt=api_opt("crm.read"), security=security("crm.read"), responses=problem_responses(),
         summary="List contacts", operation_id="listContacts")  # fmt: skip
    async def list_contacts(
        self, db_session: AsyncSession, q: str | None = None, tag: str | None = None, stage: Stage | None = None,
        owner_id: OptionalIdParam = None, company_id: OptionalIdParam = None,
        sort: str = "last_name", cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[ContactOut]:  # fmt: skip
        """Contacts (directory people with their CRM profile). ``q`` matches name or e-mail prefixes; ``sort`` is
        ``id``, ``last_name`` or ``created_at`` (prefix ``-`` for descending)."""
        statement = (
            select(Person, ContactProfile)
            .outerjoin(ContactProfile, ContactProfile.person_id == Person.id)
            .options(*PERSON_LIST_OPTIONS)
        )
        conditions: list[Any] = []
        if q and q.strip():
            conditions.append(contact_search_clause(q.strip()))
        if tag:
            conditions.append(Person.tags.contains([tag]))
        if stage:
            conditions.append(ContactProfile.lifecycle_stage == stage.value)
        if owner_id is not None:
            conditions.append(Person.owner_id == owner_id)
        if company_id is not None:
            conditions.append(Person.organization_id == company_id)
        if conditions:
            statement = statement.where(and_(*conditions))
        rows, next_cursor = await keyset_page(
            db_session, statement, sortable={"id": Person.id, "last_name": Person.last_name,
                                             "created_at": Person.created_at},
            id_column=Person.id, sort=sort, cursor=cursor, limit=limit, entity_rows=False,
        )  # fmt: skip
        return Page(data=[contact_out(person, profile) for person, profile in rows], next_cursor=next_cursor)

    @post("/", opt=api_opt("crm.write"), security=security("crm.write"), responses=problem_responses(409, 422),
          summary="Create a contact", operation_id="createContact", status_code=201)  # fmt: skip
    async def create_contact(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, principal: ApiPrincipal, data: ContactCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[ContactOut]:  # fmt: skip
        """Create a contact (a directory person with a CRM profile). Send ``Idempotency-Key`` to retry safely."""

        async def create() -> ContactOut:
            await check_organization(db_session, data.company_id, field="company_id")
            person = Person(first_name=data.first_name.strip(), last_name=data.last_name.strip(),
                            email=normalized_email(data.email), phone=data.phone, job_title=data.job_title,
                            organization_id=data.company_id, notes=data.notes, tags=sorted(set(data.tags)))  # fmt: skip
            db_session.add(person)
            await db_session.flush()
            profile = ContactProfile(
                person_id=person.id, lifecycle_stage=data.lifecycle_stage.value, source=data.source
            )
            db_session.add(profile)
            await db_session.flush()
            await db_session.refresh(person)
            out = contact_out(person, profile)
            payload = msgspec.to_builtins(out)
            await emit(db_session, "directory.person.created", payload)  # webhook event
            await emit(db_session, "crm.contact.created", payload)  # webhook event
            return out

        return await idempotent_create(request, db_session, principal, data, create)

    @get("/{contact_id:int}", opt=api_opt("crm.read"), security=security("crm.read"),
         responses=problem_responses(404), summary="Get a contact", operation_id="getContact")  # fmt: skip
    async def get_contact(self, db_session: AsyncSession, contact_id: IdParam) -> ContactOut:
        return contact_out(*await _contact(db_session, contact_id))

    @patch("/{contact_id:int}", opt=api_opt("crm.write"), security=security("crm.write"),
           responses=problem_responses(404), summary="Change a contact", operation_id="updateContact")  # fmt: skip
    async def update_contact(self, db_session: AsyncSession, contact_id: IdParam, data: ContactUpdate) -> ContactOut:
        person, profile = await _contact(db_session, contact_id)
        values = changes(data)
        if "email" in values:
            values["email"] = normalized_email(values["email"])
        if "company_id" in values:
            await check_organization(db_session, values["company_id"], field="company_id")
            person.organization_id = values.pop("company_id")
        if "tags" in values:
            values["tags"] = sorted(set(values["tags"]))
        profile_values = {k: values.pop(k) for k in ("lifecycle_stage", "source") if k in values}
        for key, value in values.items():
            setattr(person, key, value.strip() if key in ("first_name", "last_name") else value)
        if profile_values:
            if profile is None:
                profile = ContactProfile(person_id=person.id)
                db_session.add(profile)
            for key, value in profile_values.items():
                setattr(profile, key, value.value if isinstance(value, Stage) else value)
        await db_session.flush()
        await db_session.refresh(person)
        out = contact_out(person, profile)
        await emit(db_session, "crm.contact.updated", msgspec.to_builtins(out))  # webhook event
        return out

    @delete("/{contact_id:int}", opt=api_opt("crm.write"), security=security("crm.write"),
            responses=problem_responses(404), summary="Delete a contact", operation_id="deleteContact")  # fmt: skip
    async def delete_contact(self, db_session: AsyncSession, contact_id: IdParam) -> None:
        person, _ = await _contact(db_session, contact_id)
        await db_session.delete(person)
        await db_session.flush()
        await emit(db_session, "crm.contact.deleted", {"id": contact_id})  # webhook event


class CompaniesApi(Controller):
    path = "/crm/companies"
    tags = ["crm"]

    @get("/", opt=api_opt("crm.read"), security=security("crm.read"), responses=problem_responses(),
         summary="List companies", operation_id="listCompanies")  # fmt: skip
    async def list_companies(
        self, db_session: AsyncSession, q: str | None = None, tag: str | None = None, stage: Stage | None = None,
        sort: str = "name", cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT,
    ) -> Page[CompanyOut]:  # fmt: skip
        """Companies (directory organizations with their CRM profile); ``sort`` is ``id``, ``name`` or
        ``created_at`` (prefix ``-`` for descending)."""
        statement = (
            select(Organization, CompanyProfile)
            .outerjoin(CompanyProfile, CompanyProfile.organization_id == Organization.id)
            .options(*ORG_LIST_OPTIONS)
        )
        if q and q.strip():
            statement = statement.where(func.lower(Organization.name).like(escape_like(q.strip().lower()) + "%"))
        if tag:
            statement = statement.where(Organization.tags.contains([tag]))
        if stage:
            statement = statement.where(CompanyProfile.lifecycle_stage == stage.value)
        rows, next_cursor = await keyset_page(
            db_session, statement, sortable={"id": Organization.id, "name": Organization.name,
                                             "created_at": Organization.created_at},
            id_column=Organization.id, sort=sort, cursor=cursor, limit=limit, entity_rows=False,
        )  # fmt: skip
        return Page(data=[company_out(org, profile) for org, profile in rows], next_cursor=next_cursor)

    @post("/", opt=api_opt("crm.write"), security=security("crm.write"), responses=problem_responses(409, 422),
          summary="Create a company", operation_id="createCompany", status_code=201)  # fmt: skip
    async def create_company(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, principal: ApiPrincipal, data: CompanyCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[CompanyOut]:  # fmt: skip
        async def create() -> CompanyOut:
            org = Organization(name=data.name.strip(), email=normalized_email(data.email), phone=data.phone,
                               website=data.website, notes=data.notes, tags=sorted(set(data.tags)))  # fmt: skip
            db_session.add(org)
            await db_session.flush()
            profile = CompanyProfile(organization_id=org.id, lifecycle_stage=data.lifecycle_stage.value,
                                     industry=data.industry)  # fmt: skip
            db_session.add(profile)
            await db_session.flush()
            await db_session.refresh(org)
            out = company_out(org, profile)
            payload = msgspec.to_builtins(out)
            await emit(db_session, "directory.organization.created", payload)  # webhook event
            await emit(db_session, "crm.company.created", payload)  # webhook event
            return out

        return await idempotent_create(request, db_session, principal, data, create)

    @get("/{company_id:int}", opt=api_opt("crm.read"), security=security("crm.read"),
         responses=problem_responses(404), summary="Get a company", operation_id="getCompany")  # fmt: skip
    async def get_company(self, db_session: AsyncSession, company_id: IdParam) -> CompanyOut:
        return company_out(*await _company(db_session, company_id))

    @patch("/{company_id:int}", opt=api_opt("crm.write"), security=security("crm.write"),
           responses=problem_responses(404), summary="Change a company", operation_id="updateCompany")  # fmt: skip
    async def update_company(self, db_session: AsyncSession, company_id: IdParam, data: CompanyUpdate) -> CompanyOut:
        org, profile = await _company(db_session, company_id)
        values = changes(data)
        if "email" in values:
            values["email"] = normalized_email(values["email"])
        if "tags" in values:
            values["tags"] = sorted(set(values["tags"]))
        profile_values = {k: values.pop(k) for k in ("lifecycle_stage", "industry") if k in values}
        for key, value in values.items():
            setattr(org, key, value.strip() if key == "name" else value)
        if profile_values:
            if profile is None:
                profile = CompanyProfile(organization_id=org.id)
                db_session.add(profile)
            for key, value in profile_values.items():
                setattr(profile, key, value.value if isinstance(value, Stage) else value)
        await db_session.flush()
        await db_session.refresh(org)
        out = company_out(org, profile)
        await emit(db_session, "crm.company.updated", msgspec.to_builtins(out))  # webhook event
        return out

    @delete("/{company_id:int}", opt=api_opt("crm.write"), security=security("crm.write"),
            responses=problem_responses(404), summary="Delete a company", operation_id="deleteCompany")  # fmt: skip
    async def delete_company(self, db_session: AsyncSession, company_id: IdParam) -> None:
        org, _ = await _company(db_session, company_id)
        await db_session.delete(org)
        await db_session.flush()
        await emit(db_session, "crm.company.deleted", {"id": company_id})  # webhook event


async def _contact(session: AsyncSession, contact_id: int) -> tuple[Person, ContactProfile | None]:
    person = await session.get(Person, contact_id)
    if person is None:
        raise ProblemError(404, "No such contact in this workspace.", "not-found")
    profile = await session.scalar(select(ContactProfile).where(ContactProfile.person_id == contact_id))
    return person, profile


async def _company(session: AsyncSession, company_id: int) -> tuple[Organization, CompanyProfile | None]:
    org = await session.get(Organization, company_id)
    if org is None:
        raise ProblemError(404, "No such company in this workspace.", "not-found")
    profile = await session.scalar(select(CompanyProfile).where(CompanyProfile.organization_id == company_id))
    return org, profile
