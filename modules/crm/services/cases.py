"""Support cases and their replies / internal notes; campaigns with their target list and results."""

from __future__ import annotations

from typing import Any

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import case, func, select

from nexo.modules.crm.models import (
    Campaign,
    CaseMessage,
    CasePriority,
    CaseStatus,
    Lead,
    Opportunity,
    SavedFilter,
    SupportCase,
)
from nexo.modules.crm.services.events import campaign_event, case_event, case_message_event, deleted_event
from nexo.modules.crm.services.listing import CONTACT_SORTS, ListQuery, contacts_statement
from nexo.modules.directory.models import Person

PRIORITY_ORDER = {p.value: i for i, p in enumerate(reversed(list(CasePriority)))}  # urgent first


class CaseRepository(SQLAlchemyAsyncRepository[SupportCase]):
    model_type = SupportCase


class CaseService(SQLAlchemyAsyncRepositoryService[SupportCase, CaseRepository]):
    repository_type = CaseRepository

    async def open_case(self, values: dict[str, Any]) -> SupportCase:
        support_case = SupportCase(**values)
        self.repository.session.add(support_case)
        await self.repository.session.flush()
        await case_event(self.repository.session, "crm.case.created", support_case)
        return support_case

    async def update_case(self, support_case: SupportCase, values: dict[str, Any]) -> SupportCase:
        for name, value in values.items():
            setattr(support_case, name, value)
        await self.repository.session.flush()
        await case_event(self.repository.session, "crm.case.updated", support_case)
        return support_case

    async def add_message(
        self, support_case: SupportCase, body: str, *, internal: bool, author_id: int | None, author_label: str
    ) -> CaseMessage:
        message = CaseMessage(
            case_id=support_case.id, body=body, internal=internal, author_id=author_id, author_label=author_label
        )
        self.repository.session.add(message)
        if not internal and support_case.status == CaseStatus.OPEN:
            support_case.status = CaseStatus.PENDING  # answered: waiting for the customer
        await self.repository.session.flush()
        await case_message_event(self.repository.session, message)
        return message

    async def delete_case(self, support_case: SupportCase) -> None:
        """Delete the case with its replies, internal notes and activities."""
        case_id = support_case.id
        await self.repository.session.delete(support_case)
        await self.repository.session.flush()
        await deleted_event(self.repository.session, "crm.case.deleted", case_id)

    async def list_cases(self, *, status: str = "", assignee_id: int | None = None) -> list[SupportCase]:
        priority = case(*[(SupportCase.priority == k, v) for k, v in PRIORITY_ORDER.items()], else_=9)
        statement = select(SupportCase).order_by(priority, SupportCase.due_date.asc().nulls_last(), SupportCase.id)
        if status:
            statement = statement.where(SupportCase.status == status)
        else:
            statement = statement.where(SupportCase.status.in_([CaseStatus.OPEN, CaseStatus.PENDING]))
        if assignee_id is not None:
            statement = statement.where(SupportCase.assignee_id == assignee_id)
        return list(await self.repository.session.scalars(statement.limit(500)))


class CampaignRepository(SQLAlchemyAsyncRepository[Campaign]):
    model_type = Campaign


class CampaignService(SQLAlchemyAsyncRepositoryService[Campaign, CampaignRepository]):
    repository_type = CampaignRepository

    async def save_campaign(
        self, campaign: Campaign | None, values: dict[str, Any], *, owner_id: int | None
    ) -> Campaign:
        created = campaign is None
        if campaign is None:
            campaign = Campaign(owner_id=owner_id)
            self.repository.session.add(campaign)
        for name, value in values.items():
            setattr(campaign, name, value)
        await self.repository.session.flush()
        event_type = "crm.campaign.created" if created else "crm.campaign.updated"
        await campaign_event(self.repository.session, event_type, campaign)
        return campaign

    def target_statement(self, campaign: Campaign, saved: SavedFilter | None) -> Any:
        """The contacts a campaign targets: those with any of its tags, or matching its saved filter."""
        if saved is not None:
            return contacts_statement(ListQuery.from_params(saved.params, CONTACT_SORTS))
        if campaign.target_tags:
            return contacts_statement(ListQuery()).where(Person.tags.overlap(campaign.target_tags))
        return None

    async def targets(self, campaign: Campaign, limit: int = 100) -> tuple[list[Person], int]:
        session = self.repository.session
        saved = await session.get(SavedFilter, campaign.saved_filter_id) if campaign.saved_filter_id else None
        statement = self.target_statement(campaign, saved)
        if statement is None:
            return [], 0
        total = await session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
        rows = await session.execute(statement.order_by(Person.last_name, Person.id).limit(limit))
        return [row[0] for row in rows], int(total or 0)

    async def results(self, campaign: Campaign) -> tuple[list[Lead], list[Opportunity]]:
        session = self.repository.session
        leads = await session.scalars(select(Lead).where(Lead.campaign_id == campaign.id).order_by(Lead.id))
        deals = await session.scalars(
            select(Opportunity).where(Opportunity.campaign_id == campaign.id).order_by(Opportunity.id)
        )
        return list(leads), list(deals)

    async def save_filter(self, name: str, params: dict[str, str], *, owner_id: int) -> SavedFilter:
        saved = SavedFilter(name=name[:100], params=params, owner_id=owner_id)
        self.repository.session.add(saved)
        await self.repository.session.flush()
        return saved

    async def saved_filters(self) -> list[SavedFilter]:
        return list(await self.repository.session.scalars(select(SavedFilter).order_by(SavedFilter.name)))
