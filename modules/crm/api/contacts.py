"""CRM REST API, contacts and companies (the pipeline is in ``pipeline``, activities, support cases and campaigns in
``work``).

A CRM contact IS a directory person and a company a directory organization; the CRM adds its profile
(lifecycle stage, source or industry). Every write goes through the CRM services, which hold the rules and emit
the webhook events, so the API and the pages behave the same.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import Parameter
from sqlalchemy import and_, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import noload

from nexo.modules.crm.api.common import Tags, check_member
from nexo.modules.crm.forms import as_input, with_points
from nexo.modules.crm.models import CompanyProfile, ContactProfile, LifecycleStage
from nexo.modules.crm.representations import CompanyOut, ContactOut, company_out, contact_out
from nexo.modules.crm.services.base import CrmContext
from nexo.modules.crm.services.contacts import (
    CompanyInput,
    CompanyService,
    ContactInput,
    ContactService,
    company_profile,
    contact_profile,
)
from nexo.modules.crm.services.listing import contact_search_clause, escape_like
from nexo.modules.directory.forms import Email, Name, Notes, OrgName, Phone, Url, normalized_email
from nexo.modules.directory.models import Organization, Person
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
    check_exists,
    create_op,
    delete_op,
    list_op,
    read_op,
    still_used,
    update_op,
)

Stage = LifecycleStage
TagFilter = Annotated[str | None, Parameter(max_length=60, description="Only records with this tag.")]
Query = Annotated[str | None, Parameter(max_length=200, description="Search text.")]
JobTitle = Annotated[str, msgspec.Meta(max_length=150)]
Short = Annotated[str, msgspec.Meta(max_length=100)]
PERSON_LIST_OPTIONS = (
    noload(Person.emails),
    noload(Person.phones),
    noload(Person.addresses),
    noload(Person.organization),
)
ORG_LIST_OPTIONS = (noload(Organization.emails), noload(Organization.phones), noload(Organization.addresses))

CONTACTS = Resource(
    Person,
    "contact",
    {"id": Person.id, "last_name": Person.last_name, "created_at": Person.created_at},
    PERSON_LIST_OPTIONS,
)
COMPANIES = Resource(
    Organization,
    "company",
    {"id": Organization.id, "name": Organization.name, "created_at": Organization.created_at},
    ORG_LIST_OPTIONS,
)
__all__ = ["CompaniesApi", "ContactsApi"]


class ContactCreate(msgspec.Struct, forbid_unknown_fields=True):
    first_name: Name
    last_name: Name
    email: Email | None = None
    phone: Phone | None = None
    job_title: JobTitle | None = None
    company_id: DbId | None = None
    owner_id: DbId | None = None
    tags: Tags = []
    lifecycle_stage: Stage = Stage.LEAD
    source: Short | None = None
    notes: Notes | None = None


class ContactUpdate(msgspec.Struct, forbid_unknown_fields=True):
    first_name: Name | msgspec.UnsetType = msgspec.UNSET
    last_name: Name | msgspec.UnsetType = msgspec.UNSET
    email: Email | msgspec.UnsetType | None = msgspec.UNSET
    phone: Phone | msgspec.UnsetType | None = msgspec.UNSET
    job_title: JobTitle | msgspec.UnsetType | None = msgspec.UNSET
    company_id: DbId | msgspec.UnsetType | None = msgspec.UNSET
    owner_id: DbId | msgspec.UnsetType | None = msgspec.UNSET
    tags: Tags | msgspec.UnsetType = msgspec.UNSET
    lifecycle_stage: Stage | msgspec.UnsetType = msgspec.UNSET
    source: Short | msgspec.UnsetType | None = msgspec.UNSET
    notes: Notes | msgspec.UnsetType | None = msgspec.UNSET


class CompanyCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: OrgName
    email: Email | None = None
    phone: Phone | None = None
    website: Url | None = None
    owner_id: DbId | None = None
    tags: Tags = []
    lifecycle_stage: Stage = Stage.LEAD
    industry: Short | None = None
    notes: Notes | None = None


class CompanyUpdate(msgspec.Struct, forbid_unknown_fields=True):
    name: OrgName | msgspec.UnsetType = msgspec.UNSET
    email: Email | msgspec.UnsetType | None = msgspec.UNSET
    phone: Phone | msgspec.UnsetType | None = msgspec.UNSET
    website: Url | msgspec.UnsetType | None = msgspec.UNSET
    owner_id: DbId | msgspec.UnsetType | None = msgspec.UNSET
    tags: Tags | msgspec.UnsetType = msgspec.UNSET
    lifecycle_stage: Stage | msgspec.UnsetType = msgspec.UNSET
    industry: Short | msgspec.UnsetType | None = msgspec.UNSET
    notes: Notes | msgspec.UnsetType | None = msgspec.UNSET


def _clean(values: dict[str, Any], text_fields: tuple[str, ...]) -> dict[str, Any]:
    """The API's light normalisation before the service: trimmed names, a valid e-mail, unique sorted tags."""
    cleaned = dict(values)
    for name in text_fields:
        if isinstance(cleaned.get(name), str):
            cleaned[name] = cleaned[name].strip()
    if "email" in cleaned:
        cleaned["email"] = normalized_email(cleaned["email"])
    if "tags" in cleaned:
        cleaned["tags"] = sorted(set(cleaned["tags"]))
    if "lifecycle_stage" in cleaned and isinstance(cleaned["lifecycle_stage"], Stage):
        cleaned["lifecycle_stage"] = cleaned["lifecycle_stage"].value
    return cleaned


def _secondary_points(record: Person | Organization) -> dict[str, Any]:
    """The record's other e-mails and phones, kept when a partial update sets the primary ones."""
    return {
        "emails": [{"kind": e.kind, "value": e.address} for e in record.emails if not e.is_primary],
        "phones": [{"kind": p.kind, "value": p.number} for p in record.phones if not p.is_primary],
    }


async def _contact(session: AsyncSession, contact_id: int) -> tuple[Person, ContactProfile | None]:
    person = await CONTACTS.get(session, contact_id)
    return person, await contact_profile(session, contact_id)


async def _company(session: AsyncSession, company_id: int) -> tuple[Organization, CompanyProfile | None]:
    org = await COMPANIES.get(session, company_id)
    return org, await company_profile(session, company_id)


async def read_contact(session: AsyncSession, person: Person) -> ContactOut:
    await session.refresh(person)
    return contact_out(person, await contact_profile(session, person.id))


async def read_company(session: AsyncSession, org: Organization) -> CompanyOut:
    await session.refresh(org)
    return company_out(org, await company_profile(session, org.id))


class ContactsApi(Controller):
    path = "/crm/contacts"
    tags = ["crm"]

    @get("/", **list_op("crm.read", "List contacts", "listContacts"))
    async def list_contacts(
        self,
        db_session: AsyncSession,
        q: Query = None,
        tag: TagFilter = None,
        stage: Stage | None = None,
        owner_id: OptionalIdParam = None,
        company_id: OptionalIdParam = None,
        sort: Sort = "last_name",
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[ContactOut]:
        """Contacts (directory people with their CRM profile). ``q`` matches name or e-mail prefixes; ``sort`` is
        ``id``, ``last_name`` or ``created_at`` (prefix ``-`` for descending)."""
        statement = select(Person, ContactProfile).outerjoin(ContactProfile, ContactProfile.person_id == Person.id)
        conditions: list[Any] = []
        if q and q.strip():
            conditions.append(contact_search_clause(q.strip()))
        if tag:
            conditions.append(Person.tags.contains([tag]))
        if conditions:
            statement = statement.where(and_(*conditions))
        rows, next_cursor = await CONTACTS.page(
            db_session,
            statement,
            sort=sort,
            cursor=cursor,
            limit=limit,
            entity_rows=False,
            filters={
                ContactProfile.lifecycle_stage: stage,
                Person.owner_id: owner_id,
                Person.organization_id: company_id,
            },
        )
        return Page(data=[contact_out(person, profile) for person, profile in rows], next_cursor=next_cursor)

    @post("/", **create_op("crm.write", "Create a contact", "createContact"))
    async def create_contact(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        data: ContactCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[ContactOut]:
        """Create a contact (a directory person with a CRM profile). Send ``Idempotency-Key`` to retry safely."""

        async def create() -> ContactOut:
            await check_exists(db_session, Organization, data.company_id, "company_id", "company")
            await check_member(db_session, principal, data.owner_id, "owner_id")
            values = _clean(msgspec.structs.asdict(data), ("first_name", "last_name"))
            values["organization_id"] = values.pop("company_id")
            service = ContactService(db_session, CrmContext.of_principal(principal))
            person = await service.create_contact(as_input(ContactInput, with_points(values)))
            return await read_contact(db_session, person)

        return await idempotent_create(request, db_session, principal, data, create)

    @get("/{contact_id:int}", **read_op("crm.read", "Get a contact", "getContact"))
    async def get_contact(self, db_session: AsyncSession, contact_id: IdParam) -> ContactOut:
        return contact_out(*await _contact(db_session, contact_id))

    @patch("/{contact_id:int}", **update_op("crm.write", "Change a contact", "updateContact"))
    async def update_contact(
        self, db_session: AsyncSession, principal: ApiPrincipal, contact_id: IdParam, data: ContactUpdate
    ) -> ContactOut:
        """Change the fields sent; the others keep their values."""
        person, profile = await _contact(db_session, contact_id)
        sent = _clean(changes(data), ("first_name", "last_name"))
        await check_member(db_session, principal, sent.get("owner_id"), "owner_id")
        if "company_id" in sent:
            await check_exists(db_session, Organization, sent["company_id"], "company_id", "company")
            sent["organization_id"] = sent.pop("company_id")
        current = {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "job_title": person.job_title,
            "organization_id": person.organization_id,
            "owner_id": person.owner_id,
            "tags": list(person.tags or []),
            "notes": person.notes,
            "email": person.email,
            "phone": person.phone,
            **_secondary_points(person),
            "lifecycle_stage": profile.lifecycle_stage if profile else None,
            "source": profile.source if profile else None,
        }
        service = ContactService(db_session, CrmContext.of_principal(principal))
        await service.update_contact(person, as_input(ContactInput, with_points({**current, **sent})))
        return await read_contact(db_session, person)

    @delete("/{contact_id:int}", **delete_op("crm.write", "Delete a contact", "deleteContact", 409))
    async def delete_contact(self, db_session: AsyncSession, principal: ApiPrincipal, contact_id: IdParam) -> None:
        person = await CONTACTS.get(db_session, contact_id)
        with still_used("contact"):
            await ContactService(db_session, CrmContext.of_principal(principal)).delete_contact(person)


class CompaniesApi(Controller):
    path = "/crm/companies"
    tags = ["crm"]

    @get("/", **list_op("crm.read", "List companies", "listCompanies"))
    async def list_companies(
        self,
        db_session: AsyncSession,
        q: Query = None,
        tag: TagFilter = None,
        stage: Stage | None = None,
        owner_id: OptionalIdParam = None,
        sort: Sort = "name",
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[CompanyOut]:
        """Companies (directory organizations with their CRM profile). ``q`` matches a name prefix; ``sort`` is
        ``id``, ``name`` or ``created_at`` (prefix ``-`` for descending)."""
        statement = select(Organization, CompanyProfile).outerjoin(
            CompanyProfile, CompanyProfile.organization_id == Organization.id
        )
        if q and q.strip():
            statement = statement.where(func.lower(Organization.name).like(escape_like(q.strip().lower()) + "%"))
        if tag:
            statement = statement.where(Organization.tags.contains([tag]))
        rows, next_cursor = await COMPANIES.page(
            db_session,
            statement,
            sort=sort,
            cursor=cursor,
            limit=limit,
            entity_rows=False,
            filters={CompanyProfile.lifecycle_stage: stage, Organization.owner_id: owner_id},
        )
        return Page(data=[company_out(org, profile) for org, profile in rows], next_cursor=next_cursor)

    @post("/", **create_op("crm.write", "Create a company", "createCompany"))
    async def create_company(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        data: CompanyCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[CompanyOut]:
        """Create a company (a directory organization with a CRM profile)."""

        async def create() -> CompanyOut:
            await check_member(db_session, principal, data.owner_id, "owner_id")
            values = _clean(msgspec.structs.asdict(data), ("name",))
            service = CompanyService(db_session, CrmContext.of_principal(principal))
            org = await service.create_company(as_input(CompanyInput, with_points(values)))
            return await read_company(db_session, org)

        return await idempotent_create(request, db_session, principal, data, create)

    @get("/{company_id:int}", **read_op("crm.read", "Get a company", "getCompany"))
    async def get_company(self, db_session: AsyncSession, company_id: IdParam) -> CompanyOut:
        return company_out(*await _company(db_session, company_id))

    @patch("/{company_id:int}", **update_op("crm.write", "Change a company", "updateCompany"))
    async def update_company(
        self, db_session: AsyncSession, principal: ApiPrincipal, company_id: IdParam, data: CompanyUpdate
    ) -> CompanyOut:
        """Change the fields sent; the others keep their values."""
        org, profile = await _company(db_session, company_id)
        sent = _clean(changes(data), ("name",))
        await check_member(db_session, principal, sent.get("owner_id"), "owner_id")
        current = {
            "name": org.name,
            "website": org.website,
            "owner_id": org.owner_id,
            "tags": list(org.tags or []),
            "notes": org.notes,
            "email": org.email,
            "phone": org.phone,
            **_secondary_points(org),
            "lifecycle_stage": profile.lifecycle_stage if profile else None,
            "industry": profile.industry if profile else None,
        }
        service = CompanyService(db_session, CrmContext.of_principal(principal))
        await service.update_company(org, as_input(CompanyInput, with_points({**current, **sent})))
        return await read_company(db_session, org)

    @delete("/{company_id:int}", **delete_op("crm.write", "Delete a company", "deleteCompany", 409))
    async def delete_company(self, db_session: AsyncSession, principal: ApiPrincipal, company_id: IdParam) -> None:
        org = await COMPANIES.get(db_session, company_id)
        with still_used("company"):
            await CompanyService(db_session, CrmContext.of_principal(principal)).delete_company(org)
