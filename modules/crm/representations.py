"""What partners see of CRM records: the REST API answers with these structs and the ``crm.*`` (and, for contacts
and companies, ``directory.*``) webhook events carry them as ``data``, so a record looks the same through both.

No ``from __future__ import annotations`` here: the structs' annotations are evaluated at import, so they resolve
wherever ``published_from`` says the structs live (their OpenAPI names are a published contract).
"""

import datetime
from decimal import Decimal

import msgspec

from nexo.modules.crm.models import (
    Activity,
    Campaign,
    CaseMessage,
    CompanyProfile,
    ContactProfile,
    Lead,
    LifecycleStage,
    Opportunity,
    Stage,
    SupportCase,
)
from nexo.modules.directory.models import Organization, Person
from nexo.platform.api.resource import published_from

FIRST_PUBLISHED = "nexo.modules.crm.services.events"  # the OpenAPI names of the record structs (see published_from)


class ContactOut(msgspec.Struct):
    id: int
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    job_title: str | None
    company_id: int | None
    owner_id: int | None
    tags: list[str]
    lifecycle_stage: LifecycleStage | None
    source: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class CompanyOut(msgspec.Struct):
    id: int
    name: str
    email: str | None
    phone: str | None
    website: str | None
    owner_id: int | None
    tags: list[str]
    lifecycle_stage: LifecycleStage | None
    industry: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class LeadOut(msgspec.Struct):
    id: int
    title: str
    first_name: str | None
    last_name: str | None
    email: str | None
    phone: str | None
    company_name: str | None
    source: str | None
    status: str
    notes: str | None
    owner_id: int | None
    campaign_id: int | None
    contact_id: int | None
    company_id: int | None
    opportunity_id: int | None
    disqualified_reason: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class OpportunityOut(msgspec.Struct):
    id: int
    title: str
    stage_id: int
    stage_name: str
    position: int
    amount: Decimal
    probability: int
    status: str
    close_reason: str | None
    closed_at: datetime.datetime | None
    expected_close_date: datetime.date | None
    owner_id: int | None
    contact_id: int | None
    company_id: int | None
    campaign_id: int | None
    notes: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class ActivityOut(msgspec.Struct):
    id: int
    kind: str
    subject: str
    body: str | None
    due_date: datetime.date | None
    done: bool
    done_at: datetime.datetime | None
    assignee_id: int | None
    author_id: int | None
    contact_id: int | None
    company_id: int | None
    opportunity_id: int | None
    case_id: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class CaseOut(msgspec.Struct):
    id: int
    subject: str
    description: str | None
    status: str
    priority: str
    assignee_id: int | None
    due_date: datetime.date | None
    contact_id: int | None
    company_id: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class CaseMessageOut(msgspec.Struct):
    id: int
    case_id: int
    body: str
    internal: bool
    author_id: int | None
    author_label: str
    created_at: datetime.datetime


class CampaignOut(msgspec.Struct):
    id: int
    name: str
    status: str
    description: str | None
    target_tags: list[str]
    starts_on: datetime.date | None
    ends_on: datetime.date | None
    owner_id: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


def contact_out(person: Person, profile: ContactProfile | None) -> ContactOut:
    return ContactOut(
        id=person.id,
        first_name=person.first_name,
        last_name=person.last_name,
        email=person.email,
        phone=person.phone,
        job_title=person.job_title,
        company_id=person.organization_id,
        owner_id=person.owner_id,
        tags=list(person.tags or []),
        lifecycle_stage=LifecycleStage(profile.lifecycle_stage) if profile else None,
        source=profile.source if profile else None,
        created_at=person.created_at,
        updated_at=person.updated_at,
    )


def company_out(org: Organization, profile: CompanyProfile | None) -> CompanyOut:
    return CompanyOut(
        id=org.id,
        name=org.name,
        email=org.email,
        phone=org.phone,
        website=org.website,
        owner_id=org.owner_id,
        tags=list(org.tags or []),
        lifecycle_stage=LifecycleStage(profile.lifecycle_stage) if profile else None,
        industry=profile.industry if profile else None,
        created_at=org.created_at,
        updated_at=org.updated_at,
    )


def lead_out(lead: Lead) -> LeadOut:
    return LeadOut(
        id=lead.id,
        title=lead.title,
        first_name=lead.first_name,
        last_name=lead.last_name,
        email=lead.email,
        phone=lead.phone,
        company_name=lead.company_name,
        source=lead.source,
        status=str(lead.status),
        notes=lead.notes,
        owner_id=lead.owner_id,
        campaign_id=lead.campaign_id,
        contact_id=lead.person_id,
        company_id=lead.organization_id,
        opportunity_id=lead.opportunity_id,
        disqualified_reason=lead.disqualified_reason,
        created_at=lead.created_at,
        updated_at=lead.updated_at,
    )


def opportunity_out(deal: Opportunity) -> OpportunityOut:
    return OpportunityOut(
        id=deal.id,
        title=deal.title,
        stage_id=deal.stage_id,
        stage_name=deal.stage.name,
        position=deal.position,
        amount=deal.amount,
        probability=deal.probability,
        status=str(deal.status),
        close_reason=deal.close_reason,
        closed_at=deal.closed_at,
        expected_close_date=deal.expected_close_date,
        owner_id=deal.owner_id,
        contact_id=deal.person_id,
        company_id=deal.organization_id,
        campaign_id=deal.campaign_id,
        notes=deal.notes,
        created_at=deal.created_at,
        updated_at=deal.updated_at,
    )


def activity_out(activity: Activity) -> ActivityOut:
    return ActivityOut(
        id=activity.id,
        kind=str(activity.kind),
        subject=activity.subject,
        body=activity.body,
        due_date=activity.due_date,
        done=activity.done,
        done_at=activity.done_at,
        assignee_id=activity.assignee_id,
        author_id=activity.author_id,
        contact_id=activity.person_id,
        company_id=activity.organization_id,
        opportunity_id=activity.opportunity_id,
        case_id=activity.case_id,
        created_at=activity.created_at,
        updated_at=activity.updated_at,
    )


def case_out(support_case: SupportCase) -> CaseOut:
    return CaseOut(
        id=support_case.id,
        subject=support_case.subject,
        description=support_case.description,
        status=str(support_case.status),
        priority=str(support_case.priority),
        assignee_id=support_case.assignee_id,
        due_date=support_case.due_date,
        contact_id=support_case.person_id,
        company_id=support_case.organization_id,
        created_at=support_case.created_at,
        updated_at=support_case.updated_at,
    )


def case_message_out(message: CaseMessage) -> CaseMessageOut:
    return CaseMessageOut(
        id=message.id,
        case_id=message.case_id,
        body=message.body,
        internal=message.internal,
        author_id=message.author_id,
        author_label=message.author_label,
        created_at=message.created_at,
    )


def campaign_out(campaign: Campaign) -> CampaignOut:
    return CampaignOut(
        id=campaign.id,
        name=campaign.name,
        status=str(campaign.status),
        description=campaign.description,
        target_tags=list(campaign.target_tags or []),
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        owner_id=campaign.owner_id,
        created_at=campaign.created_at,
        updated_at=campaign.updated_at,
    )


class StageOut(msgspec.Struct):
    id: int
    name: str
    position: int
    probability: int
    kind: str


class Qualified(msgspec.Struct):
    lead: LeadOut
    opportunity: OpportunityOut


def stage_out(stage: Stage) -> StageOut:
    return StageOut(
        id=stage.id, name=stage.name, position=stage.position, probability=stage.probability, kind=str(stage.kind)
    )


published_from(
    FIRST_PUBLISHED, ContactOut, CompanyOut, LeadOut, OpportunityOut, ActivityOut, CaseOut, CaseMessageOut, CampaignOut
)

published_from("nexo.modules.crm.api_pipeline", StageOut, Qualified)
