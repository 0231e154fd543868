"""CRM REST API, the pipeline: stages, leads (capture, qualify, disqualify) and opportunities (create, change,
move between stages, won / lost with a reason).

Input goes through the CRM's own rules (``forms.lead_form`` / ``opportunity_form``) and every change through its
services (``LeadService``, ``OpportunityService``), which emit the webhook events. A refusal of the pipeline
(``PipelineError``, a kernel ``ConflictError``: a lead already qualified, a lost deal without a reason) is a 409
``conflict`` problem, through the API kit's ``REFUSAL_HANDLERS``.

Deletes: a lead that was qualified into an opportunity is refused (409: it is the deal's origin; delete the
opportunity first); an opportunity goes with its activities, and is refused (409) while an ERP quote was made from it
and the sales module is on.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.crm import forms
from nexo.modules.crm.api.common import check_member, form_values
from nexo.modules.crm.models import Campaign, Lead, LeadStatus, Opportunity, OpportunityStatus, Stage
from nexo.modules.crm.representations import (
    LeadOut,
    OpportunityOut,
    Qualified,
    StageOut,
    lead_out,
    opportunity_out,
    stage_out,
)
from nexo.modules.crm.services.base import CrmContext
from nexo.modules.crm.services.leads import LeadInput, LeadService, QualifyInput
from nexo.modules.crm.services.members import member_ids
from nexo.modules.crm.services.pipeline import OpportunityInput, OpportunityService, StageService
from nexo.modules.directory.forms import Email, Name, Notes, OrgName, Phone
from nexo.modules.directory.models import Organization, Person
from nexo.platform.api.base import DEFAULT_LIMIT, Page, idempotent_create
from nexo.platform.api.principal import ApiPrincipal
from nexo.platform.api.resource import (
    REFUSAL_HANDLERS,
    Cursor,
    DbId,
    IdempotencyKey,
    IdParam,
    Limit,
    OptionalIdParam,
    Resource,
    Sort,
    action_op,
    changes,
    check_exists,
    create_op,
    delete_op,
    list_op,
    read_op,
    update_op,
)

Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Short = Annotated[str, msgspec.Meta(max_length=100)]
Reason = Annotated[str, msgspec.Meta(max_length=300)]
Amount = Annotated[str, msgspec.Meta(max_length=20, description="A decimal amount such as '1250.00'.")]
Percent = Annotated[int, msgspec.Meta(ge=0, le=100)]
Position = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]

LEADS = Resource(Lead, "lead", {"id": Lead.id, "created_at": Lead.created_at, "title": Lead.title})
OPPORTUNITIES = Resource(
    Opportunity,
    "opportunity",
    {
        "id": Opportunity.id,
        "created_at": Opportunity.created_at,
        "title": Opportunity.title,
        "amount": Opportunity.amount,
        "position": Opportunity.position,
    },
)


class LeadCreate(msgspec.Struct, forbid_unknown_fields=True):
    title: Title
    first_name: Name | None = None
    last_name: Name | None = None
    email: Email | None = None
    phone: Phone | None = None
    company_name: OrgName | None = None
    source: Short | None = None
    owner_id: DbId | None = None
    campaign_id: DbId | None = None
    notes: Notes | None = None


class Qualify(msgspec.Struct, forbid_unknown_fields=True):
    """Link an existing company / contact, or leave them out to create them from the lead."""

    company_id: DbId | None = None
    contact_id: DbId | None = None
    title: Title | None = None
    amount: Amount | None = None
    stage_id: DbId | None = None


class Disqualify(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason


class OpportunityCreate(msgspec.Struct, forbid_unknown_fields=True):
    title: Title
    stage_id: DbId | None = None
    amount: Amount | None = None
    probability: Percent | None = None
    expected_close_date: datetime.date | None = None
    owner_id: DbId | None = None
    contact_id: DbId | None = None
    company_id: DbId | None = None
    notes: Notes | None = None


class OpportunityUpdate(msgspec.Struct, forbid_unknown_fields=True):
    title: Title | msgspec.UnsetType = msgspec.UNSET
    stage_id: DbId | msgspec.UnsetType = msgspec.UNSET
    amount: Amount | msgspec.UnsetType = msgspec.UNSET
    probability: Percent | msgspec.UnsetType | None = msgspec.UNSET
    expected_close_date: datetime.date | msgspec.UnsetType | None = msgspec.UNSET
    owner_id: DbId | msgspec.UnsetType | None = msgspec.UNSET
    contact_id: DbId | msgspec.UnsetType | None = msgspec.UNSET
    company_id: DbId | msgspec.UnsetType | None = msgspec.UNSET
    notes: Notes | msgspec.UnsetType | None = msgspec.UNSET


class Move(msgspec.Struct, forbid_unknown_fields=True):
    stage_id: DbId
    position: Position | None = None
    reason: Reason | None = None


class Close(msgspec.Struct, forbid_unknown_fields=True):
    reason: Reason | None = None


def _to_model_ids(values: dict[str, Any]) -> dict[str, Any]:
    """The API says ``contact_id`` / ``company_id``; the models say ``person_id`` / ``organization_id``."""
    renamed = dict(values)
    if "contact_id" in renamed:
        renamed["person_id"] = renamed.pop("contact_id")
    if "company_id" in renamed:
        renamed["organization_id"] = renamed.pop("company_id")
    return renamed


async def _check_links(session: AsyncSession, values: dict[str, Any]) -> None:
    await check_exists(session, Person, values.get("contact_id"), "contact_id", "contact")
    await check_exists(session, Organization, values.get("company_id"), "company_id", "company")


def _amount_form(data: dict[str, Any]) -> forms.Cleaned:
    out = forms.Cleaned()
    forms.amount_field(out, data)
    return out


async def _read_opportunity(session: AsyncSession, deal: Opportunity) -> OpportunityOut:
    await session.flush()
    await session.refresh(deal)
    return opportunity_out(deal)


class StagesApi(Controller):
    path = "/crm/stages"
    tags = ["crm"]

    @get("/", **list_op("crm.read", "List pipeline stages", "listStages"))
    async def list_stages(self, db_session: AsyncSession, principal: ApiPrincipal) -> list[StageOut]:
        """The workspace's pipeline stages in board order (``kind``: open, won or lost)."""
        stages = await StageService(db_session, CrmContext.of_principal(principal)).stages()
        return [stage_out(s) for s in stages]


class LeadsApi(Controller):
    path = "/crm/leads"
    tags = ["crm"]
    exception_handlers = REFUSAL_HANDLERS

    @get("/", **list_op("crm.read", "List leads", "listLeads"))
    async def list_leads(
        self,
        db_session: AsyncSession,
        status: LeadStatus | None = None,
        owner_id: OptionalIdParam = None,
        campaign_id: OptionalIdParam = None,
        sort: Sort = "-id",
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[LeadOut]:
        """Leads, newest first by default; ``sort`` is ``id``, ``title`` or ``created_at`` (``-`` descending)."""
        rows, next_cursor = await LEADS.page(
            db_session,
            sort=sort,
            cursor=cursor,
            limit=limit,
            filters={Lead.status: status, Lead.owner_id: owner_id, Lead.campaign_id: campaign_id},
        )
        return Page(data=[lead_out(lead) for lead in rows], next_cursor=next_cursor)

    @post("/", **create_op("crm.write", "Capture a lead", "createLead"))
    async def create_lead(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        data: LeadCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[LeadOut]:
        """Capture a lead (it needs a last name, an e-mail or a company so it can be reached)."""

        async def create() -> LeadOut:
            campaigns = set(await db_session.scalars(select(Campaign.id)))
            owners = await member_ids(db_session, principal.tenant_id)
            values = form_values(forms.lead_form, msgspec.structs.asdict(data), owners=owners, campaigns=campaigns)
            service = LeadService(db_session, CrmContext.of_principal(principal))
            lead = await service.capture(forms.as_input(LeadInput, values))
            await db_session.refresh(lead)
            return lead_out(lead)

        return await idempotent_create(request, db_session, principal, data, create)

    @get("/{lead_id:int}", **read_op("crm.read", "Get a lead", "getLead"))
    async def get_lead(self, db_session: AsyncSession, lead_id: IdParam) -> LeadOut:
        return lead_out(await LEADS.get(db_session, lead_id))

    @post("/{lead_id:int}/qualify", **action_op("crm.write", "Qualify a lead into an opportunity", "qualifyLead"))
    async def qualify_lead(
        self, db_session: AsyncSession, principal: ApiPrincipal, lead_id: IdParam, data: Qualify
    ) -> Qualified:
        """Turn the lead into an opportunity, linking the given company / contact or creating them from the lead.
        Answers 409 when the lead is already qualified or disqualified."""
        lead = await LEADS.get(db_session, lead_id)
        body = msgspec.structs.asdict(data)
        await _check_links(db_session, body)
        await check_exists(db_session, Stage, data.stage_id, "stage_id", "stage")
        amount = form_values(_amount_form, {"amount": data.amount})["amount"]
        choice = _to_model_ids({**body, "amount": amount})
        service = LeadService(db_session, CrmContext.of_principal(principal))
        deal = await service.qualify(lead, forms.as_input(QualifyInput, choice))
        await db_session.refresh(lead)
        return Qualified(lead=lead_out(lead), opportunity=await _read_opportunity(db_session, deal))

    @post("/{lead_id:int}/disqualify", **action_op("crm.write", "Disqualify a lead", "disqualifyLead"))
    async def disqualify_lead(
        self, db_session: AsyncSession, principal: ApiPrincipal, lead_id: IdParam, data: Disqualify
    ) -> LeadOut:
        """Disqualify the lead with a reason (409 when it is already qualified)."""
        lead = await LEADS.get(db_session, lead_id)
        await LeadService(db_session, CrmContext.of_principal(principal)).disqualify(lead, data.reason)
        await db_session.refresh(lead)
        return lead_out(lead)

    @delete("/{lead_id:int}", **delete_op("crm.write", "Delete a lead", "deleteLead", 409))
    async def delete_lead(self, db_session: AsyncSession, principal: ApiPrincipal, lead_id: IdParam) -> None:
        """Delete a lead; 409 while it is qualified into an opportunity (delete the opportunity first)."""
        lead = await LEADS.get(db_session, lead_id)
        await LeadService(db_session, CrmContext.of_principal(principal)).delete_lead(lead)


class OpportunitiesApi(Controller):
    path = "/crm/opportunities"
    tags = ["crm"]
    exception_handlers = REFUSAL_HANDLERS

    @get("/", **list_op("crm.read", "List opportunities", "listOpportunities"))
    async def list_opportunities(
        self,
        db_session: AsyncSession,
        status: OpportunityStatus | None = None,
        stage_id: OptionalIdParam = None,
        owner_id: OptionalIdParam = None,
        company_id: OptionalIdParam = None,
        contact_id: OptionalIdParam = None,
        sort: Sort = "-id",
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[OpportunityOut]:
        """Opportunities (deals); ``sort`` is ``id``, ``title``, ``amount``, ``position`` or ``created_at``."""
        rows, next_cursor = await OPPORTUNITIES.page(
            db_session,
            sort=sort,
            cursor=cursor,
            limit=limit,
            filters={
                Opportunity.status: status,
                Opportunity.stage_id: stage_id,
                Opportunity.owner_id: owner_id,
                Opportunity.organization_id: company_id,
                Opportunity.person_id: contact_id,
            },
        )
        return Page(data=[opportunity_out(deal) for deal in rows], next_cursor=next_cursor)

    @post("/", **create_op("crm.write", "Create an opportunity", "createOpportunity"))
    async def create_opportunity(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        data: OpportunityCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[OpportunityOut]:
        """Create a deal in ``stage_id`` (default: the first stage); its probability defaults to the stage's."""

        async def create() -> OpportunityOut:
            body = msgspec.structs.asdict(data)
            await _check_links(db_session, body)
            crm = CrmContext.of_principal(principal)
            stages = await StageService(db_session, crm).stages()
            body["stage_id"] = body["stage_id"] or stages[0].id
            values = await self._validated(db_session, principal, body, stages, new_owner=True)
            deal = await OpportunityService(db_session, crm).create_opportunity(values)
            return await _read_opportunity(db_session, deal)

        return await idempotent_create(request, db_session, principal, data, create)

    @get("/{opportunity_id:int}", **read_op("crm.read", "Get an opportunity", "getOpportunity"))
    async def get_opportunity(self, db_session: AsyncSession, opportunity_id: IdParam) -> OpportunityOut:
        return opportunity_out(await OPPORTUNITIES.get(db_session, opportunity_id))

    @patch("/{opportunity_id:int}", **update_op("crm.write", "Change an opportunity", "updateOpportunity", 409))
    async def update_opportunity(
        self, db_session: AsyncSession, principal: ApiPrincipal, opportunity_id: IdParam, data: OpportunityUpdate
    ) -> OpportunityOut:
        """Change the fields sent. A new ``stage_id`` moves the deal (into a lost stage only with a reason: use
        ``/lost``)."""
        deal = await OPPORTUNITIES.get(db_session, opportunity_id)
        sent = changes(data)
        await _check_links(db_session, sent)
        current = {
            "title": deal.title,
            "stage_id": deal.stage_id,
            "amount": deal.amount,
            "probability": deal.probability,
            "expected_close_date": deal.expected_close_date,
            "owner_id": deal.owner_id,
            "contact_id": deal.person_id,
            "company_id": deal.organization_id,
            "notes": deal.notes,
        }
        stages = await StageService(db_session, CrmContext.of_principal(principal)).stages()
        values = await self._validated(db_session, principal, {**current, **sent}, stages, new_owner="owner_id" in sent)
        await OpportunityService(db_session, CrmContext.of_principal(principal)).update_opportunity(deal, values)
        return await _read_opportunity(db_session, deal)

    @post("/{opportunity_id:int}/move", **action_op("crm.write", "Move an opportunity", "moveOpportunity"))
    async def move_opportunity(
        self, db_session: AsyncSession, principal: ApiPrincipal, opportunity_id: IdParam, data: Move
    ) -> OpportunityOut:
        """Put the deal in ``stage_id`` at ``position`` (default: the end). Into a won stage it is won; into a lost
        stage it is lost and needs a ``reason``; back into an open stage it is reopened."""
        deal = await OPPORTUNITIES.get(db_session, opportunity_id)
        await check_exists(db_session, Stage, data.stage_id, "stage_id", "stage")
        service = OpportunityService(db_session, CrmContext.of_principal(principal))
        await service.move(deal, data.stage_id, data.position, reason=data.reason)
        return await _read_opportunity(db_session, deal)

    @post("/{opportunity_id:int}/won", **action_op("crm.write", "Mark an opportunity won", "winOpportunity"))
    async def win_opportunity(
        self, db_session: AsyncSession, principal: ApiPrincipal, opportunity_id: IdParam, data: Close
    ) -> OpportunityOut:
        return await self._close(db_session, principal, opportunity_id, won=True, reason=data.reason or "")

    @post("/{opportunity_id:int}/lost", **action_op("crm.write", "Mark an opportunity lost", "loseOpportunity"))
    async def lose_opportunity(
        self, db_session: AsyncSession, principal: ApiPrincipal, opportunity_id: IdParam, data: Close
    ) -> OpportunityOut:
        """Close the deal as lost; a ``reason`` is required (409 without one)."""
        return await self._close(db_session, principal, opportunity_id, won=False, reason=data.reason or "")

    @delete("/{opportunity_id:int}", **delete_op("crm.write", "Delete an opportunity", "deleteOpportunity", 409))
    async def delete_opportunity(
        self, db_session: AsyncSession, principal: ApiPrincipal, opportunity_id: IdParam
    ) -> None:
        """Delete the deal with its activities; 409 while an ERP quote was made from it."""
        deal = await OPPORTUNITIES.get(db_session, opportunity_id)
        await OpportunityService(db_session, CrmContext.of_principal(principal)).delete_opportunity(deal)

    async def _close(
        self, session: AsyncSession, principal: ApiPrincipal, opportunity_id: int, *, won: bool, reason: str
    ) -> OpportunityOut:
        deal = await OPPORTUNITIES.get(session, opportunity_id)
        crm = CrmContext.of_principal(principal)
        stages = await StageService(session, crm).stages()
        await OpportunityService(session, crm).close(deal, won=won, reason=reason, stages=stages)
        return await _read_opportunity(session, deal)

    @staticmethod
    async def _validated(
        session: AsyncSession, principal: ApiPrincipal, body: dict[str, Any], stages: list[Stage], *, new_owner: bool
    ) -> OpportunityInput:
        """The CRM's opportunity rules; a newly set owner must be a member (a kept one may have left since)."""
        owner = body.get("owner_id")
        if new_owner:
            await check_member(session, principal, owner, "owner_id")
        owners = await member_ids(session, principal.tenant_id) | ({owner} if owner else set())
        values = form_values(forms.opportunity_form, _to_model_ids(body), stages={s.id for s in stages}, owners=owners)
        return forms.as_input(OpportunityInput, values)
