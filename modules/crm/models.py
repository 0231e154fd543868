"""CRM tables (tenant schema, module ``crm``).

Contacts and companies ARE directory rows (``people`` / ``organizations``); the CRM keeps only its own data here,
keyed by ``person_id`` / ``organization_id`` (foreign keys inside the same tenant schema only). User ids
(``owner_id``, ``assignee_id``, ``author_id``) point at public users without a foreign key: no key crosses schemas.

Timeline: every activity, case and opportunity attached to a person or organization shows on its timeline;
merging two records moves all of them to the survivor (see ``nexo.modules.crm.services.duplicates``).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    false,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nexo.modules.directory.models import Organization, Person
from nexo.platform.db.base import TenantBase

MODULE = "crm"


class LifecycleStage(StrEnum):
    """Where a contact or company stands with us (the "stage" filter of the contacts and companies lists)."""

    SUBSCRIBER = "subscriber"
    LEAD = "lead"
    PROSPECT = "prospect"
    CUSTOMER = "customer"
    FORMER = "former"


class StageKind(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class LeadStatus(StrEnum):
    NEW = "new"
    CONTACTED = "contacted"
    QUALIFIED = "qualified"
    DISQUALIFIED = "disqualified"


class OpportunityStatus(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class ActivityKind(StrEnum):
    CALL = "call"
    MEETING = "meeting"
    EMAIL = "email"
    NOTE = "note"
    TASK = "task"


class CaseStatus(StrEnum):
    OPEN = "open"
    PENDING = "pending"
    RESOLVED = "resolved"
    CLOSED = "closed"


class CasePriority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class CampaignStatus(StrEnum):
    PLANNED = "planned"
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


def _person_fk(ondelete: str = "SET NULL") -> Any:
    return mapped_column(BigInteger, ForeignKey(Person.id, ondelete=ondelete), nullable=True, index=True)


def _organization_fk(ondelete: str = "SET NULL") -> Any:
    return mapped_column(BigInteger, ForeignKey(Organization.id, ondelete=ondelete), nullable=True, index=True)


class ContactProfile(TenantBase):
    """CRM data of a person (one row per person the CRM has touched)."""

    __tablename__ = "crm_contact_profiles"
    __module_key__ = MODULE

    person_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey(Person.id, ondelete="CASCADE"), unique=True, index=True
    )
    lifecycle_stage: Mapped[str] = mapped_column(String(20), default=LifecycleStage.LEAD, index=True)
    source: Mapped[str | None] = mapped_column(String(100), nullable=True)


class CompanyProfile(TenantBase):
    """CRM data of an organization."""

    __tablename__ = "crm_company_profiles"
    __module_key__ = MODULE

    organization_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey(Organization.id, ondelete="CASCADE"), unique=True, index=True
    )
    lifecycle_stage: Mapped[str] = mapped_column(String(20), default=LifecycleStage.LEAD, index=True)
    industry: Mapped[str | None] = mapped_column(String(100), nullable=True)


class Stage(TenantBase):
    """A column of the tenant's own pipeline board."""

    __tablename__ = "crm_stages"
    __module_key__ = MODULE
    __table_args__ = (CheckConstraint("probability BETWEEN 0 AND 100", name="probability_range"),)

    name: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(Integer, default=0, index=True)
    probability: Mapped[int] = mapped_column(Integer, default=10)  # default for opportunities entering it
    kind: Mapped[str] = mapped_column(String(10), default=StageKind.OPEN)


class Campaign(TenantBase):
    """A marketing campaign: a target list from tags or a saved filter, and what it produced."""

    __tablename__ = "crm_campaigns"
    __module_key__ = MODULE

    name: Mapped[str] = mapped_column(String(150))
    status: Mapped[str] = mapped_column(String(20), default=CampaignStatus.PLANNED, index=True)
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    target_tags: Mapped[list[str]] = mapped_column(ARRAY(String(60)), default=list, server_default="{}")
    saved_filter_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("crm_saved_filters.id", ondelete="SET NULL"), nullable=True
    )
    starts_on: Mapped[datetime.date | None] = mapped_column(Date, nullable=True)
    ends_on: Mapped[datetime.date | None] = mapped_column(Date, nullable=True)
    owner_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class SavedFilter(TenantBase):
    """A named contacts-list filter (query string parameters), reusable as a campaign's target list."""

    __tablename__ = "crm_saved_filters"
    __module_key__ = MODULE

    name: Mapped[str] = mapped_column(String(100))
    entity: Mapped[str] = mapped_column(String(20), default="contacts")
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    owner_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class Lead(TenantBase):
    """Someone who showed interest, not yet qualified. Qualifying creates (or links) a company and a contact and
    opens an opportunity."""

    __tablename__ = "crm_leads"
    __module_key__ = MODULE

    title: Mapped[str] = mapped_column(String(200))
    first_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    last_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    email: Mapped[str | None] = mapped_column(String(320), nullable=True, index=True)
    phone: Mapped[str | None] = mapped_column(String(50), nullable=True)
    company_name: Mapped[str | None] = mapped_column(String(200), nullable=True)
    source: Mapped[str | None] = mapped_column(String(100), nullable=True)
    status: Mapped[str] = mapped_column(String(20), default=LeadStatus.NEW, index=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    owner_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    campaign_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey(Campaign.id, ondelete="SET NULL"), nullable=True, index=True
    )
    person_id: Mapped[int | None] = _person_fk()
    organization_id: Mapped[int | None] = _organization_fk()
    opportunity_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("crm_opportunities.id", ondelete="SET NULL"), nullable=True
    )
    disqualified_reason: Mapped[str | None] = mapped_column(String(300), nullable=True)

    @property
    def contact_name(self) -> str:
        return f"{self.first_name or ''} {self.last_name or ''}".strip()


class Opportunity(TenantBase):
    """A deal on the pipeline board."""

    __tablename__ = "crm_opportunities"
    __module_key__ = MODULE
    __table_args__ = (
        CheckConstraint("probability BETWEEN 0 AND 100", name="probability_range"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        Index("ix_crm_opportunities_board", "stage_id", "position"),
    )

    title: Mapped[str] = mapped_column(String(200))
    stage_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(Stage.id, ondelete="RESTRICT"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    expected_close_date: Mapped[datetime.date | None] = mapped_column(Date, nullable=True)
    probability: Mapped[int] = mapped_column(Integer, default=10)
    status: Mapped[str] = mapped_column(String(10), default=OpportunityStatus.OPEN, index=True)
    close_reason: Mapped[str | None] = mapped_column(String(300), nullable=True)
    closed_at: Mapped[datetime.datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    owner_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    person_id: Mapped[int | None] = _person_fk()
    organization_id: Mapped[int | None] = _organization_fk()
    campaign_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey(Campaign.id, ondelete="SET NULL"), nullable=True, index=True
    )
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)

    stage: Mapped[Stage] = relationship(lazy="joined")
    person: Mapped[Person | None] = relationship(lazy="selectin")
    organization: Mapped[Organization | None] = relationship(lazy="selectin")

    @property
    def weighted_amount(self) -> Decimal:
        return (self.amount * self.probability / Decimal(100)).quantize(Decimal("0.01"))


class SupportCase(TenantBase):
    """A customer's support request; replies and internal notes show on its timeline."""

    __tablename__ = "crm_cases"
    __module_key__ = MODULE

    subject: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.OPEN, index=True)
    priority: Mapped[str] = mapped_column(String(20), default=CasePriority.NORMAL, index=True)
    assignee_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    due_date: Mapped[datetime.date | None] = mapped_column(Date, nullable=True)
    person_id: Mapped[int | None] = _person_fk()
    organization_id: Mapped[int | None] = _organization_fk()

    person: Mapped[Person | None] = relationship(lazy="selectin")
    organization: Mapped[Organization | None] = relationship(lazy="selectin")
    messages: Mapped[list[CaseMessage]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="CaseMessage.id"
    )


class CaseMessage(TenantBase):
    """A reply to the customer or an internal note on a support case."""

    __tablename__ = "crm_case_messages"
    __module_key__ = MODULE

    case_id: Mapped[int] = mapped_column(BigInteger, ForeignKey(SupportCase.id, ondelete="CASCADE"), index=True)
    internal: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    author_label: Mapped[str] = mapped_column(String(320), default="")


class Activity(TenantBase):
    """A call, meeting, e-mail, note or task on a contact, company, opportunity or case: the timeline's entries."""

    __tablename__ = "crm_activities"
    __module_key__ = MODULE
    __table_args__ = (
        Index("ix_crm_activities_my_tasks", "assignee_id", "done", "due_date"),
        CheckConstraint(
            "person_id IS NOT NULL OR organization_id IS NOT NULL OR opportunity_id IS NOT NULL OR case_id IS NOT NULL",
            name="attached_somewhere",
        ),
    )

    kind: Mapped[str] = mapped_column(String(20), default=ActivityKind.NOTE)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    due_date: Mapped[datetime.date | None] = mapped_column(Date, nullable=True)
    done: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    done_at: Mapped[datetime.datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    assignee_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    author_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    person_id: Mapped[int | None] = _person_fk("CASCADE")
    organization_id: Mapped[int | None] = _organization_fk("CASCADE")
    opportunity_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey(Opportunity.id, ondelete="CASCADE"), nullable=True, index=True
    )
    case_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey(SupportCase.id, ondelete="CASCADE"), nullable=True, index=True
    )

    person: Mapped[Person | None] = relationship(lazy="selectin")
    organization: Mapped[Organization | None] = relationship(lazy="selectin")
    opportunity: Mapped[Opportunity | None] = relationship(lazy="selectin")

    def is_overdue(self, today: datetime.date) -> bool:
        return not self.done and self.due_date is not None and self.due_date < today


__all__ = [
    "Activity",
    "ActivityKind",
    "Campaign",
    "CampaignStatus",
    "CaseMessage",
    "CasePriority",
    "CaseStatus",
    "CompanyProfile",
    "ContactProfile",
    "Lead",
    "LeadStatus",
    "LifecycleStage",
    "Opportunity",
    "OpportunityStatus",
    "SavedFilter",
    "Stage",
    "StageKind",
    "SupportCase",
]
