"""Leads: capture, then qualify into an opportunity (creating or linking the company and the contact)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from nexo.modules.crm.models import Lead, LeadStatus, LifecycleStage, Opportunity, Stage
from nexo.modules.crm.services.base import CrmService
from nexo.modules.crm.services.contacts import CompanyInput, CompanyService, ContactInput, ContactService
from nexo.modules.crm.services.events import deleted_event, lead_event
from nexo.modules.crm.services.pipeline import OpportunityInput, OpportunityService, PipelineError, StageService
from nexo.modules.directory.models import Organization, Person
from nexo.modules.directory.services import ContactPoints
from nexo.platform.i18n.catalog import gettext, pgettext


@dataclass(frozen=True)
class LeadInput:
    title: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None
    phone: str | None = None
    company_name: str | None = None
    source: str | None = None
    owner_id: int | None = None  # None: the member (or the token's user) capturing it
    campaign_id: int | None = None
    notes: str | None = None


@dataclass(frozen=True)
class QualifyInput:
    """How a lead becomes a deal: link an existing company / contact (``None``: create them from the lead, when it
    names one) and the deal's title, amount and stage (``None``: the lead's title, zero, the first stage)."""

    organization_id: int | None = None
    person_id: int | None = None
    title: str | None = None
    amount: Decimal | None = None
    stage_id: int | None = None


class LeadService(CrmService):
    async def capture(self, values: LeadInput) -> Lead:
        lead = Lead(
            title=values.title,
            first_name=values.first_name,
            last_name=values.last_name,
            email=values.email,
            phone=values.phone,
            company_name=values.company_name,
            source=values.source,
            owner_id=values.owner_id or self.context.user_id,
            campaign_id=values.campaign_id,
            notes=values.notes,
        )
        self.session.add(lead)
        await self.session.flush()
        await lead_event(self.session, "crm.lead.created", lead)
        return lead

    async def delete_lead(self, lead: Lead) -> None:
        """Delete a lead that did not become a deal. A lead qualified into an opportunity is that deal's origin
        (source, campaign, first contact): it is refused while the opportunity exists."""
        if lead.opportunity_id is not None:
            raise PipelineError(
                gettext(
                    "This lead was qualified into an opportunity, which keeps it as its origin: "
                    "delete the opportunity first."
                )
            )
        lead_id = lead.id
        await self.session.delete(lead)
        await self.session.flush()
        await deleted_event(self.session, "crm.lead.deleted", lead_id)

    async def list_leads(self, status: str = "") -> list[Lead]:
        statement = select(Lead).order_by(Lead.id.desc()).limit(500)
        if status:
            statement = statement.where(Lead.status == status)
        return list(await self.session.scalars(statement))

    async def qualify(self, lead: Lead, choice: QualifyInput) -> Opportunity:
        """Turn ``lead`` into an opportunity, with the company and the contact it names."""
        if lead.status in (LeadStatus.QUALIFIED, LeadStatus.DISQUALIFIED):
            raise PipelineError(gettext("This lead is already %(status)s.", status=pgettext("value", lead.status)))
        stages = await StageService(self.session, self.context).stages()
        stage_id = choice.stage_id or stages[0].id
        if await self.session.get(Stage, stage_id) is None:
            raise PipelineError(gettext("Choose a stage."))
        organization_id = await self._company_for(lead, choice.organization_id)
        person_id = await self._contact_for(lead, choice.person_id, organization_id)
        opportunity = await OpportunityService(self.session, self.context).create_opportunity(
            OpportunityInput(
                title=choice.title or lead.title,
                stage_id=stage_id,
                amount=choice.amount or Decimal(0),
                owner_id=lead.owner_id,
                person_id=person_id,
                organization_id=organization_id,
                campaign_id=lead.campaign_id,
                notes=lead.notes,
            )
        )
        lead.status = LeadStatus.QUALIFIED
        lead.person_id, lead.organization_id, lead.opportunity_id = person_id, organization_id, opportunity.id
        await self.session.flush()
        await lead_event(self.session, "crm.lead.qualified", lead)
        return opportunity

    async def _company_for(self, lead: Lead, organization_id: int | None) -> int | None:
        if organization_id is not None and await self.session.get(Organization, organization_id) is None:
            raise PipelineError(gettext("There is no such company."))
        if organization_id is None and lead.company_name:
            company = await CompanyService(self.session, self.context).create_company(
                CompanyInput(name=lead.company_name, owner_id=lead.owner_id, lifecycle_stage=LifecycleStage.PROSPECT)
            )
            return company.id
        return organization_id

    async def _contact_for(self, lead: Lead, person_id: int | None, organization_id: int | None) -> int | None:
        if person_id is not None and await self.session.get(Person, person_id) is None:
            raise PipelineError(gettext("There is no such contact."))
        if person_id is None and (lead.last_name or lead.email):
            person = await ContactService(self.session, self.context).create_contact(
                ContactInput(
                    first_name=lead.first_name or "",
                    last_name=lead.last_name or (lead.email or "").split("@")[0],
                    organization_id=organization_id,
                    owner_id=lead.owner_id,
                    lifecycle_stage=LifecycleStage.PROSPECT,
                    source=lead.source,
                    points=ContactPoints(email=lead.email, phone=lead.phone),
                )
            )
            return person.id
        return person_id

    async def disqualify(self, lead: Lead, reason: str) -> Lead:
        if not reason.strip():
            raise PipelineError(gettext("Say why the lead is disqualified."))
        if lead.status == LeadStatus.QUALIFIED:
            raise PipelineError(gettext("This lead is already qualified."))
        lead.status = LeadStatus.DISQUALIFIED
        lead.disqualified_reason = reason.strip()[:300]
        await self.session.flush()
        await lead_event(self.session, "crm.lead.disqualified", lead)
        return lead
