"""Companies: list, detail with people and timeline, create, edit, export."""

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
from nexo.modules.crm.pages.contacts import csv_response, typed_rows_data
from nexo.modules.crm.services.base import CrmContext
from nexo.modules.crm.services.contacts import CompanyInput, CompanyService
from nexo.modules.crm.services.export import export_companies
from nexo.modules.crm.services.integrations import balance_provider
from nexo.modules.crm.services.listing import COMPANY_SORTS, list_companies, tags_in_use
from nexo.modules.crm.services.timeline import Subject, timeline
from nexo.modules.directory.models import ADDRESS_KINDS, EMAIL_KINDS, PHONE_KINDS, Organization
from nexo.platform.tenancy.context import TenantContext
from nexo.platform.tenancy.policy import ALLOWED_WHEN_READ_ONLY
from nexo.platform.web.downloads import requested_csv_format
from nexo.platform.web.kit import AnyRequest, MultiFormData, clean_form, get_or_404
from nexo.platform.web.rendering import is_htmx, render


def organization_form_data(organization: Organization, stage: str | None, industry: str | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": organization.name,
        "email": organization.email or "",
        "phone": organization.phone or "",
        "website": organization.website or "",
        "owner_id": organization.owner_id or "",
        "tags": ", ".join(organization.tags),
        "notes": organization.notes or "",
        "lifecycle_stage": stage or LifecycleStage.LEAD,
        "industry": industry or "",
    }
    data.update(typed_rows_data(organization))
    return data


class CompanyPages(CrmController):
    path = "/crm/companies"

    async def _form(
        self,
        request: AnyRequest,
        tenant: TenantContext,
        session: AsyncSession,
        *,
        data: dict[str, Any],
        errors: dict[str, str],
        organization: Organization | None,
        status_code: int = 200,
    ) -> Template:
        context = {
            "data": data,
            "errors": errors,
            "organization": organization,
            "member_options": member_options(await members_of(session, tenant)),
            "stage_options": enum_options(LifecycleStage),
            "email_kinds": EMAIL_KINDS,
            "phone_kinds": PHONE_KINDS,
            "address_kinds": ADDRESS_KINDS,
        }
        return render_form(request, context, status_code)

    @get("/", name="crm.companies")
    async def list_page(self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession) -> Template:
        query = list_query(request, tenant, COMPANY_SORTS)
        context: dict[str, Any] = {"page": await list_companies(db_session, query), "query": query}
        if not is_htmx(request):
            context |= {"stages": list(LifecycleStage), "tags": await tags_in_use(db_session, Organization)}
        return render(request, "crm/companies.html", context, partial="crm/_companies_table.html")

    @get("/export.csv", name="crm.companies.export", opt=ALLOWED_WHEN_READ_ONLY)
    async def export(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, format: str | None = None
    ) -> Response[bytes]:
        fmt = requested_csv_format(format)
        query = list_query(request, tenant, COMPANY_SORTS)
        return csv_response(await export_companies(db_session, query, fmt), "companies.csv")

    @get("/new", name="crm.companies.new")
    async def new(self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession) -> Template:
        data = {"owner_id": tenant.user_id, "lifecycle_stage": LifecycleStage.LEAD}
        return await self._form(request, tenant, db_session, data=data, errors={}, organization=None)

    @post("/new", name="crm.companies.create")
    async def create(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, data: MultiFormData
    ) -> Template | Redirect:
        form = clean_form(data)
        cleaned = forms.company_form(form, owners={m.user_id for m in await members_of(db_session, tenant)})
        if not cleaned.ok:
            return await self._form(
                request, tenant, db_session, data=form, errors=cleaned.errors, organization=None, status_code=400
            )
        service = CompanyService(db_session, CrmContext.of(tenant))
        organization = await service.create_company(forms.as_input(CompanyInput, forms.with_points(cleaned.values)))
        return see_other(tenant, f"companies/{organization.id}")

    @get("/{organization_id:int}", name="crm.companies.detail")
    async def detail(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, organization_id: int
    ) -> Template:
        organization = await get_or_404(db_session, Organization, organization_id, "company")
        service = CompanyService(db_session, CrmContext.of(tenant))
        members = await members_of(db_session, tenant)
        context: dict[str, Any] = {
            "organization": organization,
            "profile": await service.profile_of(organization.id),
            "people": await service.people_of(organization.id),
            "members": members,
            "names": member_names(members),
            "timeline": await timeline(db_session, Subject(organization_id=organization.id), tenant.modules),
            "activity_kinds": list(ActivityKind),
            "subject_path": f"companies/{organization.id}",
            "errors": {},
            "data": {},
            "open_balance": None,
        }
        provider = balance_provider(tenant.modules)  # with Accounting on: what the customer still owes
        if provider is not None:
            context["open_balance"] = await provider.balance(db_session, organization.id, tenant.currency)
        return render(request, "crm/company_detail.html", context)

    @get("/{organization_id:int}/edit", name="crm.companies.edit")
    async def edit(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, organization_id: int
    ) -> Template:
        organization = await get_or_404(db_session, Organization, organization_id, "company")
        profile = await CompanyService(db_session, CrmContext.of(tenant)).profile_of(organization.id)
        data = organization_form_data(
            organization, profile.lifecycle_stage if profile else None, profile.industry if profile else None
        )
        return await self._form(request, tenant, db_session, data=data, errors={}, organization=organization)

    @post("/{organization_id:int}/edit", name="crm.companies.update")
    async def update(
        self,
        request: AnyRequest,
        tenant: TenantContext,
        db_session: AsyncSession,
        organization_id: int,
        data: MultiFormData,
    ) -> Template | Redirect:
        organization = await get_or_404(db_session, Organization, organization_id, "company")
        form = clean_form(data)
        cleaned = forms.company_form(form, owners={m.user_id for m in await members_of(db_session, tenant)})
        if not cleaned.ok:
            return await self._form(
                request,
                tenant,
                db_session,
                data=form,
                errors=cleaned.errors,
                organization=organization,
                status_code=400,
            )
        service = CompanyService(db_session, CrmContext.of(tenant))
        await service.update_company(organization, forms.as_input(CompanyInput, forms.with_points(cleaned.values)))
        return see_other(tenant, f"companies/{organization.id}")


def render_form(request: AnyRequest, context: dict[str, Any], status_code: int) -> Template:
    return render(request, "crm/company_form.html", context, status_code=status_code)
