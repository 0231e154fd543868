"""The pipeline board (drag and drop or keyboard buttons), opportunities, stages, and leads."""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.crm import forms
from nexo.modules.crm.models import (
    ActivityKind,
    Campaign,
    Lead,
    LeadStatus,
    Opportunity,
    OpportunityStatus,
    Stage,
    StageKind,
)
from nexo.modules.crm.pages.base import CrmController, member_names, member_options, members_of, see_other
from nexo.modules.crm.services.base import CrmContext
from nexo.modules.crm.services.contacts import CompanyService
from nexo.modules.crm.services.integrations import IntegrationError, quote_provider
from nexo.modules.crm.services.leads import LeadInput, LeadService, QualifyInput
from nexo.modules.crm.services.pipeline import (
    OpportunityInput,
    OpportunityService,
    PipelineError,
    StageInput,
    StageService,
)
from nexo.modules.crm.services.timeline import Subject, timeline
from nexo.platform.i18n.catalog import gettext
from nexo.platform.tenancy.context import TenantContext
from nexo.platform.tenancy.policy import module_off_error
from nexo.platform.web.kit import AnyRequest, FormErrors, MultiFormData, clean_form, form_refusals, get_or_404
from nexo.platform.web.rendering import render


async def board_context(session: AsyncSession, tenant: TenantContext, error: str = "") -> dict[str, Any]:
    crm = CrmContext.of(tenant)
    stages = await StageService(session, crm).stages()
    service = OpportunityService(session, crm)
    return {
        "columns": await service.board(stages),
        "forecast": await service.forecast(),
        "error": error,
        "names": member_names(await members_of(session, tenant)),
        "stages": stages,
    }


async def opportunity_context(
    session: AsyncSession, tenant: TenantContext, opportunity: Opportunity, errors: dict[str, str], data: dict[str, Any]
) -> dict[str, Any]:
    """The opportunity page; with Sales on, its quote (or the form making one once the deal is won)."""
    members = await members_of(session, tenant)
    context = {
        "opportunity": opportunity,
        "members": members,
        "names": member_names(members),
        "timeline": await timeline(session, Subject(opportunity_id=opportunity.id), tenant.modules),
        "activity_kinds": list(ActivityKind),
        "subject_path": f"opportunities/{opportunity.id}",
        "errors": errors,
        "data": data,
        "stages": await StageService(session, CrmContext.of(tenant)).stages(),
        "quotes_on": False,
        "quote": None,
        "quote_products": [],
    }
    provider = quote_provider(tenant.modules)
    if provider is not None:
        context["quotes_on"] = True
        context["quote"] = await provider.existing(session, opportunity.id)
        if context["quote"] is None and opportunity.status == OpportunityStatus.WON:
            context["quote_products"] = await provider.choices(session)
    return context


class PipelinePages(CrmController):
    path = "/crm"

    async def _board(
        self,
        request: AnyRequest,
        tenant: TenantContext,
        session: AsyncSession,
        *,
        error: str = "",
        status_code: int = 200,
    ) -> Template:
        context = await board_context(session, tenant, error)
        return render(request, "crm/pipeline.html", context, partial="crm/_board.html", status_code=status_code)

    @get("/pipeline", name="crm.pipeline")
    async def board(self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession) -> Template:
        return await self._board(request, tenant, db_session)

    @post("/opportunities/{opportunity_id:int}/move", name="crm.opportunities.move")
    async def move(
        self,
        request: AnyRequest,
        tenant: TenantContext,
        db_session: AsyncSession,
        opportunity_id: int,
        data: MultiFormData,
    ) -> Template:
        """Drag and drop (``stage_id`` + ``position``) or the keyboard buttons (``direction`` -1 / +1)."""
        opportunity = await get_or_404(db_session, Opportunity, opportunity_id, "opportunity")
        form = clean_form(data)
        service = OpportunityService(db_session, CrmContext.of(tenant))
        try:
            if form.get("direction") in ("-1", "1"):
                stages = await StageService(db_session, CrmContext.of(tenant)).stages()
                await service.step(opportunity, int(form["direction"]), stages)
            elif form.get("stage_id", "").isdigit():
                position = int(form["position"]) if form.get("position", "").isdigit() else None
                await service.move(opportunity, int(form["stage_id"]), position, reason=form.get("reason") or None)
            else:
                raise PipelineError(gettext("Choose where to move the card."))
        except PipelineError as exc:
            return await self._board(request, tenant, db_session, error=str(exc), status_code=400)
        return await self._board(request, tenant, db_session)

    @get("/opportunities/new", name="crm.opportunities.new")
    async def new(self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession) -> Template:
        data = {"owner_id": tenant.user_id, **dict(request.query_params)}
        return await self._form(request, tenant, db_session, data=data, errors={}, opportunity=None)

    async def _form(
        self,
        request: AnyRequest,
        tenant: TenantContext,
        session: AsyncSession,
        *,
        data: dict[str, Any],
        errors: dict[str, str],
        opportunity: Opportunity | None,
        status_code: int = 200,
    ) -> Template:
        stages = await StageService(session, CrmContext.of(tenant)).stages()
        context = {
            "data": data,
            "errors": errors,
            "opportunity": opportunity,
            "stage_options": [(s.id, s.name) for s in stages],
            "member_options": member_options(await members_of(session, tenant)),
            "organizations": await CompanyService(session, CrmContext.of(tenant)).organization_choices(),
        }
        return render(request, "crm/opportunity_form.html", context, status_code=status_code)

    async def _validate(self, session: AsyncSession, tenant: TenantContext, form: dict[str, str]) -> forms.Cleaned:
        stages = {s.id for s in await StageService(session, CrmContext.of(tenant)).stages()}
        cleaned = forms.opportunity_form(
            form, stages=stages, owners={m.user_id for m in await members_of(session, tenant)}
        )
        from nexo.modules.directory.models import Organization, Person

        for name, model in (("person_id", Person), ("organization_id", Organization)):
            if cleaned.values.get(name) and await session.get(model, cleaned.values[name]) is None:
                cleaned.errors[name] = gettext("Choose an entry from the list.")
        return cleaned

    @post("/opportunities/new", name="crm.opportunities.create")
    async def create(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, data: MultiFormData
    ) -> Template | Redirect:
        form = clean_form(data)
        cleaned = await self._validate(db_session, tenant, form)
        if not cleaned.ok:
            return await self._form(
                request, tenant, db_session, data=form, errors=cleaned.errors, opportunity=None, status_code=400
            )
        service = OpportunityService(db_session, CrmContext.of(tenant))
        opportunity = await service.create_opportunity(forms.as_input(OpportunityInput, cleaned.values))
        return see_other(tenant, f"opportunities/{opportunity.id}")

    @get("/opportunities/{opportunity_id:int}", name="crm.opportunities.detail")
    async def detail(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, opportunity_id: int
    ) -> Template:
        opportunity = await get_or_404(db_session, Opportunity, opportunity_id, "opportunity")
        context = await opportunity_context(db_session, tenant, opportunity, {}, {})
        return render(request, "crm/opportunity_detail.html", context)

    @get("/opportunities/{opportunity_id:int}/edit", name="crm.opportunities.edit")
    async def edit(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, opportunity_id: int
    ) -> Template:
        o = await get_or_404(db_session, Opportunity, opportunity_id, "opportunity")
        data = {
            "title": o.title,
            "stage_id": o.stage_id,
            "amount": o.amount,
            "probability": o.probability,
            "expected_close_date": o.expected_close_date or "",
            "owner_id": o.owner_id or "",
            "person_id": o.person_id or "",
            "organization_id": o.organization_id or "",
            "notes": o.notes or "",
        }
        return await self._form(request, tenant, db_session, data=data, errors={}, opportunity=o)

    @post("/opportunities/{opportunity_id:int}/edit", name="crm.opportunities.update")
    async def update(
        self,
        request: AnyRequest,
        tenant: TenantContext,
        db_session: AsyncSession,
        opportunity_id: int,
        data: MultiFormData,
    ) -> Template | Redirect:
        opportunity = await get_or_404(db_session, Opportunity, opportunity_id, "opportunity")
        form = clean_form(data)
        cleaned = await self._validate(db_session, tenant, form)
        if not cleaned.ok:
            return await self._form(
                request, tenant, db_session, data=form, errors=cleaned.errors, opportunity=opportunity, status_code=400
            )
        errors = FormErrors()
        with form_refusals(errors, default="stage_id"):
            values = forms.as_input(OpportunityInput, cleaned.values)
            await OpportunityService(db_session, CrmContext.of(tenant)).update_opportunity(opportunity, values)
        if errors:
            return await self._form(
                request, tenant, db_session, data=form, errors=errors, opportunity=opportunity, status_code=400
            )
        return see_other(tenant, f"opportunities/{opportunity.id}")

    @post("/opportunities/{opportunity_id:int}/close", name="crm.opportunities.close")
    async def close(
        self,
        request: AnyRequest,
        tenant: TenantContext,
        db_session: AsyncSession,
        opportunity_id: int,
        data: MultiFormData,
    ) -> Template | Redirect:
        opportunity = await get_or_404(db_session, Opportunity, opportunity_id, "opportunity")
        form = clean_form(data)
        stages = await StageService(db_session, CrmContext.of(tenant)).stages()
        errors = FormErrors()
        with form_refusals(errors, default="reason"):
            await OpportunityService(db_session, CrmContext.of(tenant)).close(
                opportunity, won=form.get("outcome") == "won", reason=form.get("reason", "")[:300], stages=stages
            )
        if errors:
            context = await opportunity_context(db_session, tenant, opportunity, errors, form)
            return render(request, "crm/opportunity_detail.html", context, status_code=400)
        return see_other(tenant, f"opportunities/{opportunity.id}")

    @post("/opportunities/{opportunity_id:int}/quote", name="crm.opportunities.quote")
    async def quote(
        self,
        request: AnyRequest,
        tenant: TenantContext,
        db_session: AsyncSession,
        opportunity_id: int,
        data: MultiFormData,
    ) -> Template | Redirect:
        """A won deal becomes a quote in one step (needs Sales); a second click goes to the quote it already has."""
        opportunity = await get_or_404(db_session, Opportunity, opportunity_id, "opportunity")
        provider = quote_provider(tenant.modules)
        if provider is None:
            raise module_off_error("erp.sales")
        form = clean_form(data)
        try:
            quote = await provider.create(db_session, tenant, opportunity, form)
        except IntegrationError as exc:
            context = await opportunity_context(db_session, tenant, opportunity, {exc.field: exc.message}, form)
            return render(request, "crm/opportunity_detail.html", context, status_code=400)
        return Redirect(f"/w/{tenant.slug}/{quote.path}", status_code=303)

    # Stages: the tenant's own pipeline columns.
    @get("/stages", name="crm.stages")
    async def stages(self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession) -> Template:
        stages = await StageService(db_session, CrmContext.of(tenant)).stages()
        return render(
            request, "crm/stages.html", {"stages": stages, "errors": {}, "data": {}, "kinds": list(StageKind)}
        )

    @post("/stages", name="crm.stages.save")
    async def save_stage(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, data: MultiFormData
    ) -> Template | Redirect:
        form = clean_form(data)
        service = StageService(db_session, CrmContext.of(tenant))
        stage = None
        if form.get("stage_id", "").isdigit():
            stage = await get_or_404(db_session, Stage, int(form["stage_id"]), "stage")
        try:
            if form.get("action") == "delete" and stage is not None:
                await service.delete_stage(stage)
            elif form.get("action") in ("left", "right") and stage is not None:
                await service.move_stage(stage, -1 if form["action"] == "left" else 1)
            else:
                cleaned = forms.Cleaned()
                forms.required_text(cleaned, form, "name", "stage name", 80)
                forms.percent_field(cleaned, form, "probability", default=10)
                forms.choice(cleaned, form, "kind", StageKind, StageKind.OPEN)
                if not cleaned.ok:
                    raise PipelineError("; ".join(cleaned.errors.values()))
                await service.save_stage(stage, forms.as_input(StageInput, cleaned.values))
        except PipelineError as exc:
            stages = await service.stages()
            context = {"stages": stages, "errors": {"stage": str(exc)}, "data": form, "kinds": list(StageKind)}
            return render(request, "crm/stages.html", context, status_code=400)
        return see_other(tenant, "stages")


class LeadPages(CrmController):
    path = "/crm/leads"

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
        campaigns = list(await session.execute(select(Campaign.id, Campaign.name).order_by(Campaign.name)))
        context = {
            "data": data,
            "errors": errors,
            "member_options": member_options(await members_of(session, tenant)),
            "campaign_options": [(c[0], c[1]) for c in campaigns],
        }
        return render(request, "crm/lead_form.html", context, status_code=status_code)

    @get("/", name="crm.leads")
    async def list_page(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, status: str = ""
    ) -> Template:
        status = status if status in {s.value for s in LeadStatus} else ""
        leads = await LeadService(db_session, CrmContext.of(tenant)).list_leads(status)
        context = {
            "leads": leads,
            "status": status,
            "statuses": list(LeadStatus),
            "names": member_names(await members_of(db_session, tenant)),
        }
        return render(request, "crm/leads.html", context, partial="crm/_leads_table.html")

    @get("/new", name="crm.leads.new")
    async def new(self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession) -> Template:
        return await self._form(request, tenant, db_session, data={"owner_id": tenant.user_id}, errors={})

    @post("/new", name="crm.leads.create")
    async def create(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, data: MultiFormData
    ) -> Template | Redirect:
        form = clean_form(data)
        campaigns = set(await db_session.scalars(select(Campaign.id)))
        owners = {m.user_id for m in await members_of(db_session, tenant)}
        cleaned = forms.lead_form(form, owners=owners, campaigns=campaigns)
        if not cleaned.ok:
            return await self._form(request, tenant, db_session, data=form, errors=cleaned.errors, status_code=400)
        lead = await LeadService(db_session, CrmContext.of(tenant)).capture(forms.as_input(LeadInput, cleaned.values))
        return see_other(tenant, f"leads/{lead.id}")

    @get("/{lead_id:int}", name="crm.leads.detail")
    async def detail(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, lead_id: int
    ) -> Template:
        lead = await get_or_404(db_session, Lead, lead_id, "lead")
        return render(request, "crm/lead_detail.html", await self._detail_context(db_session, tenant, lead, {}, {}))

    async def _detail_context(
        self, session: AsyncSession, tenant: TenantContext, lead: Lead, errors: dict[str, str], data: dict[str, Any]
    ) -> dict[str, Any]:
        stages = await StageService(session, CrmContext.of(tenant)).stages()
        return {
            "lead": lead,
            "errors": errors,
            "data": data,
            "stage_options": [(s.id, s.name) for s in stages],
            "organizations": await CompanyService(session, CrmContext.of(tenant)).organization_choices(),
            "names": member_names(await members_of(session, tenant)),
        }

    @post("/{lead_id:int}/qualify", name="crm.leads.qualify")
    async def qualify(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, lead_id: int, data: MultiFormData
    ) -> Template | Redirect:
        lead = await get_or_404(db_session, Lead, lead_id, "lead")
        form = clean_form(data)
        cleaned = forms.Cleaned()
        forms.optional_id(cleaned, form, "organization_id")
        forms.optional_id(cleaned, form, "person_id")
        forms.optional_id(cleaned, form, "stage_id")
        forms.amount_field(cleaned, form)
        forms.optional_text(cleaned, form, "title", 200)
        if cleaned.ok:
            errors = FormErrors()
            with form_refusals(errors, default="qualify"):
                service = LeadService(db_session, CrmContext.of(tenant))
                opportunity = await service.qualify(lead, forms.as_input(QualifyInput, cleaned.values))
                return see_other(tenant, f"opportunities/{opportunity.id}")
            cleaned.errors.update(errors)
        lead = await get_or_404(db_session, Lead, lead_id, "lead")
        context = await self._detail_context(db_session, tenant, lead, cleaned.errors, form)
        return render(request, "crm/lead_detail.html", context, status_code=400)

    @post("/{lead_id:int}/disqualify", name="crm.leads.disqualify")
    async def disqualify(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, lead_id: int, data: MultiFormData
    ) -> Template | Redirect:
        lead = await get_or_404(db_session, Lead, lead_id, "lead")
        form = clean_form(data)
        errors = FormErrors()
        with form_refusals(errors, default="reason"):
            await LeadService(db_session, CrmContext.of(tenant)).disqualify(lead, form.get("reason", ""))
        if errors:
            lead = await get_or_404(db_session, Lead, lead_id, "lead")
            context = await self._detail_context(db_session, tenant, lead, errors, form)
            return render(request, "crm/lead_detail.html", context, status_code=400)
        return see_other(tenant, f"leads/{lead.id}")
