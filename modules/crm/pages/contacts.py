"""Contacts: list (search as you type, filters, sorting, paging), detail with timeline, create, edit, export."""

from __future__ import annotations

from typing import Any

from litestar import Response, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.crm import forms
from nexo.modules.crm.models import ActivityKind, LifecycleStage
from nexo.modules.crm.pages.base import (
    CrmController,
    enum_options,
    list_query,
    member_names,
    member_options,
    members_of,
    see_other,
)
from nexo.modules.crm.services.base import CrmContext
from nexo.modules.crm.services.contacts import CompanyService, ContactInput, ContactService
from nexo.modules.crm.services.export import export_contacts
from nexo.modules.crm.services.listing import CONTACT_SORTS, list_contacts, tags_in_use
from nexo.modules.crm.services.timeline import Subject, timeline
from nexo.modules.directory.models import ADDRESS_KINDS, EMAIL_KINDS, PHONE_KINDS, Organization, Person
from nexo.platform.i18n.catalog import gettext
from nexo.platform.tenancy.context import TenantContext
from nexo.platform.tenancy.policy import ALLOWED_WHEN_READ_ONLY
from nexo.platform.web.downloads import csv_download, requested_csv_format
from nexo.platform.web.kit import AnyRequest, MultiFormData, clean_form, get_or_404
from nexo.platform.web.rendering import is_htmx, render


def csv_response(content: bytes, filename: str) -> Response[bytes]:
    return csv_download(content, filename)


def person_form_data(person: Person, stage: str | None, source: str | None) -> dict[str, Any]:
    """A person as form fields (the primary e-mail and phone first, the others in the typed rows)."""
    data: dict[str, Any] = {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "job_title": person.job_title or "",
        "email": person.email or "",
        "phone": person.phone or "",
        "organization_id": person.organization_id or "",
        "owner_id": person.owner_id or "",
        "tags": ", ".join(person.tags),
        "notes": person.notes or "",
        "lifecycle_stage": stage or LifecycleStage.LEAD,
        "source": source or "",
    }
    data.update(typed_rows_data(person))
    return data


def typed_rows_data(record: Any) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for index, email in enumerate([e for e in record.emails if not e.is_primary][:3], start=1):
        data[f"email_{index}"], data[f"email_{index}_kind"] = email.address, email.kind
    for index, phone in enumerate([p for p in record.phones if not p.is_primary][:3], start=1):
        data[f"phone_{index}"], data[f"phone_{index}_kind"] = phone.number, phone.kind
    for index, address in enumerate(record.addresses[:2], start=1):
        for key in ("kind", "line1", "line2", "postal_code", "city", "region", "country"):
            data[f"address_{index}_{key}"] = getattr(address, key) or ""
    return data


class ContactPages(CrmController):
    path = "/crm/contacts"

    async def _form(
        self,
        request: AnyRequest,
        tenant: TenantContext,
        session: AsyncSession,
        *,
        data: dict[str, Any],
        errors: dict[str, str],
        person: Person | None,
        status_code: int = 200,
    ) -> Template:
        context = {
            "data": data,
            "errors": errors,
            "person": person,
            "stages": list(LifecycleStage),
            "member_options": member_options(await members_of(session, tenant)),
            "stage_options": enum_options(LifecycleStage),
            "organizations": await CompanyService(session, CrmContext.of(tenant)).organization_choices(),
            "email_kinds": EMAIL_KINDS,
            "phone_kinds": PHONE_KINDS,
            "address_kinds": ADDRESS_KINDS,
        }
        return render(request, "crm/contact_form.html", context, status_code=status_code)

    async def _validate(self, session: AsyncSession, tenant: TenantContext, data: dict[str, str]) -> forms.Cleaned:
        members = {m.user_id for m in await members_of(session, tenant)}
        cleaned = forms.contact_form(data, owners=members)
        organization_id = cleaned.values.get("organization_id")
        if organization_id and await session.get(Organization, organization_id) is None:
            cleaned.errors["organization_id"] = gettext("Choose a company from the list.")
        return cleaned

    @get("/", name="crm.contacts")
    async def list_page(self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession) -> Template:
        query = list_query(request, tenant, CONTACT_SORTS)
        context: dict[str, Any] = {"page": await list_contacts(db_session, query), "query": query}
        if not is_htmx(request):  # the filter form is only part of the full page
            context |= {"stages": list(LifecycleStage), "tags": await tags_in_use(db_session, Person)}
        return render(request, "crm/contacts.html", context, partial="crm/_contacts_table.html")

    @get("/export.csv", name="crm.contacts.export", opt=ALLOWED_WHEN_READ_ONLY)
    async def export(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, format: str | None = None
    ) -> Response[bytes]:
        fmt = requested_csv_format(format)
        query = list_query(request, tenant, CONTACT_SORTS)
        return csv_response(await export_contacts(db_session, query, fmt), "contacts.csv")

    @get("/new", name="crm.contacts.new")
    async def new(self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession) -> Template:
        data = {
            "owner_id": tenant.user_id,
            "lifecycle_stage": LifecycleStage.LEAD,
            "organization_id": request.query_params.get("organization_id", ""),
        }
        return await self._form(request, tenant, db_session, data=data, errors={}, person=None)

    @post("/new", name="crm.contacts.create")
    async def create(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, data: MultiFormData
    ) -> Template | Redirect:
        form = clean_form(data)
        cleaned = await self._validate(db_session, tenant, form)
        if not cleaned.ok:
            return await self._form(
                request, tenant, db_session, data=form, errors=cleaned.errors, person=None, status_code=400
            )
        service = ContactService(db_session, CrmContext.of(tenant))
        person = await service.create_contact(forms.as_input(ContactInput, forms.with_points(cleaned.values)))
        return see_other(tenant, f"contacts/{person.id}")

    @get("/{person_id:int}", name="crm.contacts.detail")
    async def detail(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, person_id: int
    ) -> Template:
        person = await get_or_404(db_session, Person, person_id, "contact")
        profile = await ContactService(db_session, CrmContext.of(tenant)).profile_of(person.id)
        context = {
            "person": person,
            "profile": profile,
            "members": await members_of(db_session, tenant),
            "names": member_names(await members_of(db_session, tenant)),
            "timeline": await timeline(db_session, Subject(person_id=person.id), tenant.modules),
            "activity_kinds": list(ActivityKind),
            "subject_path": f"contacts/{person.id}",
            "errors": {},
            "data": {},
        }
        return render(request, "crm/contact_detail.html", context)

    @get("/{person_id:int}/edit", name="crm.contacts.edit")
    async def edit(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, person_id: int
    ) -> Template:
        person = await get_or_404(db_session, Person, person_id, "contact")
        profile = await ContactService(db_session, CrmContext.of(tenant)).profile_of(person.id)
        stage, source = (profile.lifecycle_stage, profile.source) if profile else (None, None)
        data = person_form_data(person, stage, source)
        return await self._form(request, tenant, db_session, data=data, errors={}, person=person)

    @post("/{person_id:int}/edit", name="crm.contacts.update")
    async def update(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, person_id: int, data: MultiFormData
    ) -> Template | Redirect:
        person = await get_or_404(db_session, Person, person_id, "contact")
        form = clean_form(data)
        cleaned = await self._validate(db_session, tenant, form)
        if not cleaned.ok:
            return await self._form(
                request, tenant, db_session, data=form, errors=cleaned.errors, person=person, status_code=400
            )
        service = ContactService(db_session, CrmContext.of(tenant))
        await service.update_contact(person, forms.as_input(ContactInput, forms.with_points(cleaned.values)))
        return see_other(tenant, f"contacts/{person.id}")
