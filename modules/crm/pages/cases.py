"""Support cases (list, open, detail with replies and internal notes, update) and campaigns."""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.crm import forms
from nexo.modules.crm.models import ActivityKind, Campaign, CampaignStatus, CasePriority, CaseStatus, SupportCase
from nexo.modules.crm.pages.base import CrmController, enum_options, member_names, member_options, members_of, see_other
from nexo.modules.crm.services.base import CrmContext
from nexo.modules.crm.services.cases import CampaignInput, CampaignService, CaseInput, CaseService, MessageInput
from nexo.modules.crm.services.contacts import CompanyService
from nexo.modules.crm.services.listing import CONTACT_SORTS, ListQuery
from nexo.modules.crm.services.timeline import Subject, timeline
from nexo.modules.directory.models import Organization, Person
from nexo.platform.i18n.catalog import gettext
from nexo.platform.tenancy.context import TenantContext
from nexo.platform.web.kit import AnyRequest, MultiFormData, clean_form, get_or_404
from nexo.platform.web.rendering import render

CASE_FIELDS = (
    "subject",
    "description",
    "status",
    "priority",
    "assignee_id",
    "due_date",
    "person_id",
    "organization_id",
)


class CasePages(CrmController):
    path = "/crm/cases"

    async def _form(
        self,
        request: AnyRequest,
        tenant: TenantContext,
        session: AsyncSession,
        *,
        data: dict[str, Any],
        errors: dict[str, str],
        status_code: int = 200,
    ) -> Template:
        context = {
            "data": data,
            "errors": errors,
            "member_options": member_options(await members_of(session, tenant)),
            "status_options": enum_options(CaseStatus),
            "priority_options": enum_options(CasePriority),
            "organizations": await CompanyService(session, CrmContext.of(tenant)).organization_choices(),
        }
        return render(request, "crm/case_form.html", context, status_code=status_code)

    async def _validate(self, session: AsyncSession, tenant: TenantContext, form: dict[str, str]) -> forms.Cleaned:
        cleaned = forms.case_form(form, owners={m.user_id for m in await members_of(session, tenant)})
        for name, model in (("person_id", Person), ("organization_id", Organization)):
            if cleaned.values.get(name) and await session.get(model, cleaned.values[name]) is None:
                cleaned.errors[name] = gettext("Choose an existing customer.")
        return cleaned

    @get("/", name="crm.cases")
    async def list_page(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, status: str = "", mine: bool = False
    ) -> Template:
        status = status if status in {s.value for s in CaseStatus} else ""
        cases = await CaseService(db_session, CrmContext.of(tenant)).list_cases(
            status=status, assignee_id=tenant.user_id if mine else None
        )
        context = {
            "cases": cases,
            "status": status,
            "mine": mine,
            "statuses": list(CaseStatus),
            "names": member_names(await members_of(db_session, tenant)),
        }
        return render(request, "crm/cases.html", context, partial="crm/_cases_table.html")

    @get("/new", name="crm.cases.new")
    async def new(self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession) -> Template:
        data = {"assignee_id": tenant.user_id, "priority": "normal", "status": "open", **dict(request.query_params)}
        return await self._form(request, tenant, db_session, data=data, errors={})

    @post("/new", name="crm.cases.create")
    async def create(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, data: MultiFormData
    ) -> Template | Redirect:
        form = clean_form(data)
        cleaned = await self._validate(db_session, tenant, form)
        if not cleaned.ok:
            return await self._form(request, tenant, db_session, data=form, errors=cleaned.errors, status_code=400)
        values = forms.as_input(CaseInput, cleaned.values)
        support_case = await CaseService(db_session, CrmContext.of(tenant)).open_case(values)
        return see_other(tenant, f"cases/{support_case.id}")

    async def _detail(
        self,
        request: AnyRequest,
        tenant: TenantContext,
        session: AsyncSession,
        support_case: SupportCase,
        errors: dict[str, str],
        data: dict[str, Any],
        status_code: int = 200,
    ) -> Template:
        members = await members_of(session, tenant)
        context = {
            "case": support_case,
            "members": members,
            "names": member_names(members),
            "errors": errors,
            "data": data,
            "timeline": await timeline(session, Subject(case_id=support_case.id)),
            "activity_kinds": list(ActivityKind),
            "subject_path": f"cases/{support_case.id}",
            "member_options": member_options(members),
            "status_options": enum_options(CaseStatus),
            "priority_options": enum_options(CasePriority),
        }
        return render(request, "crm/case_detail.html", context, status_code=status_code)

    @get("/{case_id:int}", name="crm.cases.detail")
    async def detail(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, case_id: int
    ) -> Template:
        support_case = await get_or_404(db_session, SupportCase, case_id, "case")
        return await self._detail(request, tenant, db_session, support_case, {}, {})

    @post("/{case_id:int}", name="crm.cases.update")
    async def update(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, case_id: int, data: MultiFormData
    ) -> Template | Redirect:
        support_case = await get_or_404(db_session, SupportCase, case_id, "case")
        form = clean_form(data)
        merged = {name: str(getattr(support_case, name) or "") for name in CASE_FIELDS} | form
        cleaned = await self._validate(db_session, tenant, merged)
        if not cleaned.ok:
            return await self._detail(request, tenant, db_session, support_case, cleaned.errors, form, 400)
        values = forms.as_input(CaseInput, cleaned.values)
        await CaseService(db_session, CrmContext.of(tenant)).update_case(support_case, values)
        return see_other(tenant, f"cases/{support_case.id}")

    @post("/{case_id:int}/messages", name="crm.cases.message")
    async def message(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, case_id: int, data: MultiFormData
    ) -> Template | Redirect:
        support_case = await get_or_404(db_session, SupportCase, case_id, "case")
        form = clean_form(data)
        body = form.get("body", "")
        if not body or len(body) > 20_000:
            error = gettext("Write the message.") if not body else gettext("Use at most 20,000 characters.")
            return await self._detail(request, tenant, db_session, support_case, {"body": error}, form, 400)
        message = MessageInput(body, internal=form.get("internal") == "true")
        await CaseService(db_session, CrmContext.of(tenant)).add_message(support_case, message)
        return see_other(tenant, f"cases/{support_case.id}")


class CampaignPages(CrmController):
    path = "/crm/campaigns"

    async def _form(
        self,
        request: AnyRequest,
        service: CampaignService,
        *,
        data: dict[str, Any],
        errors: dict[str, str],
        campaign: Campaign | None,
        status_code: int = 200,
    ) -> Template:
        filters = await service.saved_filters()
        context = {
            "data": data,
            "errors": errors,
            "campaign": campaign,
            "status_options": enum_options(CampaignStatus),
            "filter_options": [(f.id, f.name) for f in filters],
        }
        return render(request, "crm/campaign_form.html", context, status_code=status_code)

    async def _validate(self, service: CampaignService, form: dict[str, str]) -> forms.Cleaned:
        filters = {f.id for f in await service.saved_filters()}
        return forms.campaign_form(form, saved_filters=filters)

    @get("/", name="crm.campaigns")
    async def list_page(self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession) -> Template:
        campaigns = await CampaignService(db_session, CrmContext.of(tenant)).campaigns()
        return render(request, "crm/campaigns.html", {"campaigns": campaigns})

    @get("/new", name="crm.campaigns.new")
    async def new(self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession) -> Template:
        service = CampaignService(db_session, CrmContext.of(tenant))
        return await self._form(request, service, data={"status": "planned"}, errors={}, campaign=None)

    @post("/new", name="crm.campaigns.create")
    async def create(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, data: MultiFormData
    ) -> Template | Redirect:
        form = clean_form(data)
        service = CampaignService(db_session, CrmContext.of(tenant))
        cleaned = await self._validate(service, form)
        if not cleaned.ok:
            return await self._form(request, service, data=form, errors=cleaned.errors, campaign=None, status_code=400)
        campaign = await service.save_campaign(None, forms.as_input(CampaignInput, cleaned.values))
        return see_other(tenant, f"campaigns/{campaign.id}")

    @get("/{campaign_id:int}", name="crm.campaigns.detail")
    async def detail(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, campaign_id: int
    ) -> Template:
        campaign = await get_or_404(db_session, Campaign, campaign_id, "campaign")
        service = CampaignService(db_session, CrmContext.of(tenant))
        targets, total = await service.targets(campaign)
        leads, deals = await service.results(campaign)
        context = {"campaign": campaign, "targets": targets, "target_total": total, "leads": leads, "deals": deals}
        return render(request, "crm/campaign_detail.html", context)

    @get("/{campaign_id:int}/edit", name="crm.campaigns.edit")
    async def edit(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, campaign_id: int
    ) -> Template:
        c = await get_or_404(db_session, Campaign, campaign_id, "campaign")
        data = {
            "name": c.name,
            "status": c.status,
            "description": c.description or "",
            "target_tags": ", ".join(c.target_tags),
            "saved_filter_id": c.saved_filter_id or "",
            "starts_on": c.starts_on or "",
            "ends_on": c.ends_on or "",
        }
        return await self._form(
            request, CampaignService(db_session, CrmContext.of(tenant)), data=data, errors={}, campaign=c
        )

    @post("/{campaign_id:int}/edit", name="crm.campaigns.update")
    async def update(
        self,
        request: AnyRequest,
        tenant: TenantContext,
        db_session: AsyncSession,
        campaign_id: int,
        data: MultiFormData,
    ) -> Template | Redirect:
        campaign = await get_or_404(db_session, Campaign, campaign_id, "campaign")
        form = clean_form(data)
        service = CampaignService(db_session, CrmContext.of(tenant))
        cleaned = await self._validate(service, form)
        if not cleaned.ok:
            return await self._form(
                request, service, data=form, errors=cleaned.errors, campaign=campaign, status_code=400
            )
        await service.save_campaign(campaign, forms.as_input(CampaignInput, cleaned.values))
        return see_other(tenant, f"campaigns/{campaign.id}")

    @post("/filters", name="crm.campaigns.save_filter")
    async def save_filter(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, data: MultiFormData
    ) -> Template | Redirect:
        """Save the contacts list's current filter (search, tag, owner, stage) as a reusable target list."""
        form = clean_form(data)
        name = form.get("name", "")
        query = ListQuery.from_params(form, CONTACT_SORTS)
        service = CampaignService(db_session, CrmContext.of(tenant))
        if not name or len(name) > 100:
            return await self._form(
                request,
                service,
                data={"status": "planned"},
                errors={"saved_filter_id": gettext("Name the saved filter (up to 100 characters).")},
                campaign=None,
                status_code=400,
            )
        params = {k: v for k, v in query.params().items() if k in ("q", "tag", "owner", "stage")}
        await service.save_filter(name, params)
        return see_other(tenant, "campaigns/new")
