"""Support cases and their replies / internal notes; campaigns with their target list and results."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select

from nexo.modules.crm.models import (
    Campaign,
    CampaignStatus,
    CaseMessage,
    CasePriority,
    CaseStatus,
    Lead,
    Opportunity,
    SavedFilter,
    SupportCase,
)
from nexo.modules.crm.services.base import CrmService
from nexo.modules.crm.services.events import campaign_event, case_event, case_message_event, deleted_event
from nexo.modules.crm.services.listing import CONTACT_SORTS, ListQuery, contacts_statement
from nexo.modules.directory.models import Person

PRIORITY_ORDER = {p.value: i for i, p in enumerate(reversed(list(CasePriority)))}  # urgent first


@dataclass(frozen=True)
class CaseInput:
    """A support case for a contact or a company (the form and the API require one of them)."""

    subject: str
    description: str | None = None
    status: str = CaseStatus.OPEN
    priority: str = CasePriority.NORMAL
    assignee_id: int | None = None
    due_date: datetime.date | None = None
    person_id: int | None = None
    organization_id: int | None = None


@dataclass(frozen=True)
class MessageInput:
    """A reply to the customer, or an internal note (``internal``); its author is the context's user."""

    body: str
    internal: bool = False


@dataclass(frozen=True)
class CampaignInput:
    name: str
    status: str = CampaignStatus.PLANNED
    description: str | None = None
    target_tags: list[str] = field(default_factory=list)
    saved_filter_id: int | None = None
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None


class CaseService(CrmService):
    async def open_case(self, values: CaseInput) -> SupportCase:
        support_case = _set_case(SupportCase(), values)
        self.session.add(support_case)
        await self.session.flush()
        await case_event(self.session, "crm.case.created", support_case)
        return support_case

    async def update_case(self, support_case: SupportCase, values: CaseInput) -> SupportCase:
        _set_case(support_case, values)
        await self.session.flush()
        await case_event(self.session, "crm.case.updated", support_case)
        return support_case

    async def add_message(self, support_case: SupportCase, values: MessageInput) -> CaseMessage:
        message = CaseMessage(
            case_id=support_case.id,
            body=values.body,
            internal=values.internal,
            author_id=self.context.user_id,
            author_label=self.context.user_label,
        )
        self.session.add(message)
        if not values.internal and support_case.status == CaseStatus.OPEN:
            support_case.status = CaseStatus.PENDING  # answered: waiting for the customer
        await self.session.flush()
        await case_message_event(self.session, message)
        return message

    async def delete_case(self, support_case: SupportCase) -> None:
        """Delete the case with its replies, internal notes and activities."""
        case_id = support_case.id
        await self.session.delete(support_case)
        await self.session.flush()
        await deleted_event(self.session, "crm.case.deleted", case_id)

    async def list_cases(self, *, status: str = "", assignee_id: int | None = None) -> list[SupportCase]:
        priority = case(*[(SupportCase.priority == k, v) for k, v in PRIORITY_ORDER.items()], else_=9)
        statement = select(SupportCase).order_by(priority, SupportCase.due_date.asc().nulls_last(), SupportCase.id)
        if status:
            statement = statement.where(SupportCase.status == status)
        else:
            statement = statement.where(SupportCase.status.in_([CaseStatus.OPEN, CaseStatus.PENDING]))
        if assignee_id is not None:
            statement = statement.where(SupportCase.assignee_id == assignee_id)
        return list(await self.session.scalars(statement.limit(500)))


class CampaignService(CrmService):
    async def campaigns(self) -> list[Campaign]:
        """Every campaign, newest first."""
        return list(await self.session.scalars(select(Campaign).order_by(Campaign.id.desc())))

    async def save_campaign(self, campaign: Campaign | None, values: CampaignInput) -> Campaign:
        """Create (``campaign`` ``None``, owned by the context's user) or change a campaign."""
        created = campaign is None
        if campaign is None:
            campaign = Campaign(owner_id=self.context.user_id)
            self.session.add(campaign)
        campaign.name, campaign.status, campaign.description = values.name, values.status, values.description
        campaign.target_tags, campaign.saved_filter_id = list(values.target_tags), values.saved_filter_id
        campaign.starts_on, campaign.ends_on = values.starts_on, values.ends_on
        await self.session.flush()
        event_type = "crm.campaign.created" if created else "crm.campaign.updated"
        await campaign_event(self.session, event_type, campaign)
        return campaign

    def target_statement(self, campaign: Campaign, saved: SavedFilter | None) -> Any:
        """The contacts a campaign targets: those with any of its tags, or matching its saved filter."""
        if saved is not None:
            return contacts_statement(ListQuery.from_params(saved.params, CONTACT_SORTS))
        if campaign.target_tags:
            return contacts_statement(ListQuery()).where(Person.tags.overlap(campaign.target_tags))
        return None

    async def targets(self, campaign: Campaign, limit: int = 100) -> tuple[list[Person], int]:
        session = self.session
        saved = await session.get(SavedFilter, campaign.saved_filter_id) if campaign.saved_filter_id else None
        statement = self.target_statement(campaign, saved)
        if statement is None:
            return [], 0
        total = await session.scalar(select(func.count()).select_from(statement.order_by(None).subquery()))
        rows = await session.execute(statement.order_by(Person.last_name, Person.id).limit(limit))
        return [row[0] for row in rows], int(total or 0)

    async def results(self, campaign: Campaign) -> tuple[list[Lead], list[Opportunity]]:
        session = self.session
        leads = await session.scalars(select(Lead).where(Lead.campaign_id == campaign.id).order_by(Lead.id))
        deals = await session.scalars(
            select(Opportunity).where(Opportunity.campaign_id == campaign.id).order_by(Opportunity.id)
        )
        return list(leads), list(deals)

    async def save_filter(self, name: str, params: dict[str, str]) -> SavedFilter:
        saved = SavedFilter(name=name[:100], params=params, owner_id=self.context.user_id)
        self.session.add(saved)
        await self.session.flush()
        return saved

    async def saved_filters(self) -> list[SavedFilter]:
        return list(await self.session.scalars(select(SavedFilter).order_by(SavedFilter.name)))


def _set_case(support_case: SupportCase, values: CaseInput) -> SupportCase:
    support_case.subject, support_case.description = values.subject, values.description
    support_case.status, support_case.priority = values.status, values.priority
    support_case.assignee_id, support_case.due_date = values.assignee_id, values.due_date
    support_case.person_id, support_case.organization_id = values.person_id, values.organization_id
    return support_case
