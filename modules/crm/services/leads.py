"""Leads: capture, then qualify into an opportunity (creating or linking the company and the contact)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import select

from nexo.modules.crm.models import Lead, LeadStatus, LifecycleStage, Opportunity, Stage
from nexo.modules.crm.services.contacts import CompanyService, ContactService
from nexo.modules.crm.services.events import deleted_event, lead_event
from nexo.modules.crm.services.pipeline import OpportunityService, PipelineError, StageService
from nexo.modules.directory.models import Organization, Person


class LeadRepository(SQLAlchemyAsyncRepository[Lead]):
    model_type = Lead


class LeadService(SQLAlchemyAsyncRepositoryService[Lead, LeadRepository]):
    repository_type = LeadRepository

    async def capture(self, values: dict[str, Any], *, owner_id: int | None) -> Lead:
        lead = Lead(**{k: v for k, v in values.items() if k != "owner_id"}, owner_id=values.get("owner_id") or owner_id)
        self.repository.session.add(lead)
        await self.repository.session.flush()
        await lead_event(self.repository.session, "crm.lead.created", lead)
        return lead

    async def delete_lead(self, lead: Lead) -> None:
        """Delete a lead that did not become a deal. A lead qualified into an opportunity is that deal's origin
        (source, campaign, first contact): it is refused while the opportunity exists."""
        if lead.opportunity_id is not None:
            raise PipelineError(
                "This lead was qualified into an opportunity, which keeps it as its origin: "
                "delete the opportunity first."
            )
        lead_id = lead.id
        await self.repository.session.delete(lead)
        await self.repository.session.flush()
        await deleted_event(self.repository.session, "crm.lead.deleted", lead_id)

    async def list_leads(self, status: str = "") -> list[Lead]:
        statement = select(Lead).order_by(Lead.id.desc()).limit(500)
        if status:
            statement = statement.where(Lead.status == status)
        return list(await self.repository.session.scalars(statement))

    async def qualify(self, lead: Lead, choice: dict[str, Any], *, user_id: int | None) -> Opportunity:
        """Turn ``lead`` into an opportunity.

        ``choice``: ``organization_id`` (link an existing company) or ``None`` (create one from the lead's company
        name, if any); ``person_id`` likewise for the contact; ``title``, ``amount``, ``stage_id`` of the deal.
        """
        if lead.status in (LeadStatus.QUALIFIED, LeadStatus.DISQUALIFIED):
            raise PipelineError(f"This lead is already {lead.status}.")
        session = self.repository.session
        stages = await StageService(session=session).stages()
        stage_id = choice.get("stage_id") or stages[0].id
        if await session.get(Stage, stage_id) is None:
            raise PipelineError("Choose a stage.")
        organization_id = choice.get("organization_id")
        if organization_id is not None and await session.get(Organization, organization_id) is None:
            raise PipelineError("There is no such company.")
        if organization_id is None and lead.company_name:
            company = await CompanyService(session=session).create_company(
                {
                    "name": lead.company_name,
                    "owner_id": lead.owner_id,
                    "tags": [],
                    "lifecycle_stage": LifecycleStage.PROSPECT,
                }
            )
            organization_id = company.id
        person_id = choice.get("person_id")
        if person_id is not None and await session.get(Person, person_id) is None:
            raise PipelineError("There is no such contact.")
        if person_id is None and (lead.last_name or lead.email):
            person = await ContactService(session=session).create_contact(
                {
                    "first_name": lead.first_name or "",
                    "last_name": lead.last_name or (lead.email or "").split("@")[0],
                    "email": lead.email,
                    "phone": lead.phone,
                    "organization_id": organization_id,
                    "owner_id": lead.owner_id,
                    "tags": [],
                    "lifecycle_stage": LifecycleStage.PROSPECT,
                    "source": lead.source,
                }
            )
            person_id = person.id
        opportunity = await OpportunityService(session=session).create_opportunity(
            {
                "title": choice.get("title") or lead.title,
                "stage_id": stage_id,
                "amount": choice.get("amount") or Decimal(0),
                "person_id": person_id,
                "organization_id": organization_id,
                "campaign_id": lead.campaign_id,
                "notes": lead.notes,
            },
            owner_id=lead.owner_id or user_id,
        )
        lead.status = LeadStatus.QUALIFIED
        lead.person_id, lead.organization_id, lead.opportunity_id = person_id, organization_id, opportunity.id
        await session.flush()
        await lead_event(session, "crm.lead.qualified", lead)
        return opportunity

    async def disqualify(self, lead: Lead, reason: str) -> Lead:
        if not reason.strip():
            raise PipelineError("Say why the lead is disqualified.")
        if lead.status == LeadStatus.QUALIFIED:
            raise PipelineError("This lead is already qualified.")
        lead.status = LeadStatus.DISQUALIFIED
        lead.disqualified_reason = reason.strip()[:300]
        await self.repository.session.flush()
        await lead_event(self.repository.session, "crm.lead.disqualified", lead)
        return lead
