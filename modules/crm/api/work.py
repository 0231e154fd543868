"""CRM REST API, the daily work: activities on a contact, company or opportunity (with their done state), support
cases with their messages, and campaigns (read and create).

Input goes through the CRM's own rules (``forms.activity_form`` / ``case_form`` / ``campaign_form``) and every
change through its services, which emit the webhook events. An activity or a support case can be deleted (a case
with its messages and activities); campaigns are not deleted through the API (their leads and deals keep them as
their source).
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, delete, get, patch, post
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.crm import forms
from nexo.modules.crm.api.common import Tags, check_member, form_values
from nexo.modules.crm.models import (
    Activity,
    ActivityKind,
    Campaign,
    CampaignStatus,
    CaseMessage,
    CasePriority,
    CaseStatus,
    Opportunity,
    SavedFilter,
    SupportCase,
)
from nexo.modules.crm.representations import (
    ActivityOut,
    CampaignOut,
    CaseMessageOut,
    CaseOut,
    activity_out,
    campaign_out,
    case_message_out,
    case_out,
)
from nexo.modules.crm.services.activities import ActivityInput, ActivityService
from nexo.modules.crm.services.base import CrmContext
from nexo.modules.crm.services.cases import CampaignInput, CampaignService, CaseInput, CaseService, MessageInput
from nexo.modules.crm.services.members import member_ids
from nexo.modules.crm.services.timeline import Subject
from nexo.modules.directory.models import Organization, Person
from nexo.platform.api.base import DEFAULT_LIMIT, Page, idempotent_create
from nexo.platform.api.principal import ApiPrincipal
from nexo.platform.api.resource import (
    Cursor,
    DbId,
    IdempotencyKey,
    IdParam,
    Limit,
    OptionalIdParam,
    Resource,
    Sort,
    changes,
    check_exists,
    create_op,
    delete_op,
    field_problem,
    list_op,
    read_op,
    update_op,
)

Subject200 = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
LongText = Annotated[str, msgspec.Meta(max_length=20_000)]
MessageBody = Annotated[str, msgspec.Meta(min_length=1, max_length=20_000)]
CampaignName = Annotated[str, msgspec.Meta(min_length=1, max_length=150)]

ACTIVITIES = Resource(Activity, "activity", {"id": Activity.id, "created_at": Activity.created_at})
CASES = Resource(SupportCase, "support case", {"id": SupportCase.id, "created_at": SupportCase.created_at})
MESSAGES = Resource(CaseMessage, "message", {"id": CaseMessage.id})
CAMPAIGNS = Resource(
    Campaign, "campaign", {"id": Campaign.id, "name": Campaign.name, "created_at": Campaign.created_at}
)


class ActivityCreate(msgspec.Struct, forbid_unknown_fields=True):
    """An activity on exactly one of: a contact, a company, an opportunity."""

    subject: Subject200
    kind: ActivityKind = ActivityKind.NOTE
    body: LongText | None = None
    due_date: datetime.date | None = None
    assignee_id: DbId | None = None
    contact_id: DbId | None = None
    company_id: DbId | None = None
    opportunity_id: DbId | None = None


class ActivityUpdate(msgspec.Struct, forbid_unknown_fields=True):
    done: bool


class CaseCreate(msgspec.Struct, forbid_unknown_fields=True):
    """A support case for a contact or a company (at least one)."""

    subject: Subject200
    description: LongText | None = None
    status: CaseStatus = CaseStatus.OPEN
    priority: CasePriority = CasePriority.NORMAL
    assignee_id: DbId | None = None
    due_date: datetime.date | None = None
    contact_id: DbId | None = None
    company_id: DbId | None = None


class CaseUpdate(msgspec.Struct, forbid_unknown_fields=True):
    subject: Subject200 | msgspec.UnsetType = msgspec.UNSET
    description: LongText | msgspec.UnsetType | None = msgspec.UNSET
    status: CaseStatus | msgspec.UnsetType = msgspec.UNSET
    priority: CasePriority | msgspec.UnsetType = msgspec.UNSET
    assignee_id: DbId | msgspec.UnsetType | None = msgspec.UNSET
    due_date: datetime.date | msgspec.UnsetType | None = msgspec.UNSET
    contact_id: DbId | msgspec.UnsetType | None = msgspec.UNSET
    company_id: DbId | msgspec.UnsetType | None = msgspec.UNSET


class MessageCreate(msgspec.Struct, forbid_unknown_fields=True):
    body: MessageBody
    internal: bool = False


class CampaignCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: CampaignName
    status: CampaignStatus = CampaignStatus.PLANNED
    description: Annotated[str, msgspec.Meta(max_length=10_000)] | None = None
    target_tags: Tags = []
    saved_filter_id: DbId | None = None
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None


async def _subject_of(session: AsyncSession, data: ActivityCreate) -> Subject:
    given = {
        name: value
        for name, value in (
            ("contact_id", data.contact_id),
            ("company_id", data.company_id),
            ("opportunity_id", data.opportunity_id),
        )
        if value is not None
    }
    if len(given) != 1:
        raise field_problem("contact_id", "give exactly one of contact_id, company_id, opportunity_id")
    await check_exists(session, Person, data.contact_id, "contact_id", "contact")
    await check_exists(session, Organization, data.company_id, "company_id", "company")
    await check_exists(session, Opportunity, data.opportunity_id, "opportunity_id", "opportunity")
    return Subject(person_id=data.contact_id, organization_id=data.company_id, opportunity_id=data.opportunity_id)


async def _owners(session: AsyncSession, principal: ApiPrincipal, kept: int | None) -> set[int]:
    """Members who can own or be assigned a record, plus the one it already has (who may have left since)."""
    return await member_ids(session, principal.tenant_id) | ({kept} if kept else set())


class ActivitiesApi(Controller):
    path = "/crm/activities"
    tags = ["crm"]

    @get("/", **list_op("crm.read", "List activities", "listActivities"))
    async def list_activities(
        self,
        db_session: AsyncSession,
        kind: ActivityKind | None = None,
        done: bool | None = None,
        contact_id: OptionalIdParam = None,
        company_id: OptionalIdParam = None,
        opportunity_id: OptionalIdParam = None,
        assignee_id: OptionalIdParam = None,
        sort: Sort = "-id",
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[ActivityOut]:
        """Calls, meetings, e-mails, notes and tasks; filter by the record they are on. ``sort``: ``id`` or
        ``created_at`` (``-`` descending)."""
        rows, next_cursor = await ACTIVITIES.page(
            db_session,
            sort=sort,
            cursor=cursor,
            limit=limit,
            filters={
                Activity.kind: kind,
                Activity.done: done,
                Activity.person_id: contact_id,
                Activity.organization_id: company_id,
                Activity.opportunity_id: opportunity_id,
                Activity.assignee_id: assignee_id,
            },
        )
        return Page(data=[activity_out(a) for a in rows], next_cursor=next_cursor)

    @post("/", **create_op("crm.write", "Log an activity", "createActivity"))
    async def create_activity(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        data: ActivityCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[ActivityOut]:
        """Log an activity on a contact, a company or an opportunity (exactly one)."""

        async def create() -> ActivityOut:
            subject = await _subject_of(db_session, data)
            await check_member(db_session, principal, data.assignee_id, "assignee_id")
            values = form_values(
                forms.activity_form, msgspec.structs.asdict(data), owners=await _owners(db_session, principal, None)
            )
            service = ActivityService(db_session, CrmContext.of_principal(principal))
            activity = await service.log(subject, forms.as_input(ActivityInput, values))
            await db_session.refresh(activity)
            return activity_out(activity)

        return await idempotent_create(request, db_session, principal, data, create)

    @get("/{activity_id:int}", **read_op("crm.read", "Get an activity", "getActivity"))
    async def get_activity(self, db_session: AsyncSession, activity_id: IdParam) -> ActivityOut:
        return activity_out(await ACTIVITIES.get(db_session, activity_id))

    @patch("/{activity_id:int}", **update_op("crm.write", "Mark an activity done or not done", "updateActivity"))
    async def update_activity(
        self, db_session: AsyncSession, principal: ApiPrincipal, activity_id: IdParam, data: ActivityUpdate
    ) -> ActivityOut:
        activity = await ACTIVITIES.get(db_session, activity_id)
        await ActivityService(db_session, CrmContext.of_principal(principal)).set_done(activity, data.done)
        await db_session.refresh(activity)
        return activity_out(activity)

    @delete("/{activity_id:int}", **delete_op("crm.write", "Delete an activity", "deleteActivity"))
    async def delete_activity(self, db_session: AsyncSession, principal: ApiPrincipal, activity_id: IdParam) -> None:
        activity = await ACTIVITIES.get(db_session, activity_id)
        await ActivityService(db_session, CrmContext.of_principal(principal)).delete_activity(activity)


class CasesApi(Controller):
    path = "/crm/cases"
    tags = ["crm"]

    @get("/", **list_op("crm.read", "List support cases", "listCases"))
    async def list_cases(
        self,
        db_session: AsyncSession,
        status: CaseStatus | None = None,
        priority: CasePriority | None = None,
        assignee_id: OptionalIdParam = None,
        contact_id: OptionalIdParam = None,
        company_id: OptionalIdParam = None,
        sort: Sort = "-id",
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[CaseOut]:
        """Support cases; ``sort``: ``id`` or ``created_at`` (``-`` descending)."""
        rows, next_cursor = await CASES.page(
            db_session,
            sort=sort,
            cursor=cursor,
            limit=limit,
            filters={
                SupportCase.status: status,
                SupportCase.priority: priority,
                SupportCase.assignee_id: assignee_id,
                SupportCase.person_id: contact_id,
                SupportCase.organization_id: company_id,
            },
        )
        return Page(data=[case_out(c) for c in rows], next_cursor=next_cursor)

    @post("/", **create_op("crm.write", "Open a support case", "createCase"))
    async def create_case(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        data: CaseCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[CaseOut]:
        """Open a case for a contact or a company (at least one of ``contact_id``, ``company_id``)."""

        async def create() -> CaseOut:
            await check_member(db_session, principal, data.assignee_id, "assignee_id")
            values = await self._validated(db_session, principal, msgspec.structs.asdict(data), None)
            support_case = await CaseService(db_session, CrmContext.of_principal(principal)).open_case(values)
            await db_session.refresh(support_case)
            return case_out(support_case)

        return await idempotent_create(request, db_session, principal, data, create)

    @get("/{case_id:int}", **read_op("crm.read", "Get a support case", "getCase"))
    async def get_case(self, db_session: AsyncSession, case_id: IdParam) -> CaseOut:
        return case_out(await CASES.get(db_session, case_id))

    @patch("/{case_id:int}", **update_op("crm.write", "Change a support case", "updateCase"))
    async def update_case(
        self, db_session: AsyncSession, principal: ApiPrincipal, case_id: IdParam, data: CaseUpdate
    ) -> CaseOut:
        """Change the fields sent (status, priority, assignee, ...); the others keep their values."""
        support_case = await CASES.get(db_session, case_id)
        sent = changes(data)
        if "assignee_id" in sent:
            await check_member(db_session, principal, sent["assignee_id"], "assignee_id")
        current = {
            "subject": support_case.subject,
            "description": support_case.description,
            "status": support_case.status,
            "priority": support_case.priority,
            "assignee_id": support_case.assignee_id,
            "due_date": support_case.due_date,
            "contact_id": support_case.person_id,
            "company_id": support_case.organization_id,
        }
        values = await self._validated(db_session, principal, {**current, **sent}, support_case.assignee_id)
        await CaseService(db_session, CrmContext.of_principal(principal)).update_case(support_case, values)
        await db_session.refresh(support_case)
        return case_out(support_case)

    @delete("/{case_id:int}", **delete_op("crm.write", "Delete a support case", "deleteCase"))
    async def delete_case(self, db_session: AsyncSession, principal: ApiPrincipal, case_id: IdParam) -> None:
        """Delete the case with its replies, internal notes and activities."""
        support_case = await CASES.get(db_session, case_id)
        await CaseService(db_session, CrmContext.of_principal(principal)).delete_case(support_case)

    @get("/{case_id:int}/messages", **list_op("crm.read", "List a case's messages", "listCaseMessages", 404))
    async def list_messages(
        self, db_session: AsyncSession, case_id: IdParam, cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
    ) -> Page[CaseMessageOut]:
        """Replies and internal notes of the case, oldest first."""
        await CASES.get(db_session, case_id)
        rows, next_cursor = await MESSAGES.page(
            db_session, sort="id", cursor=cursor, limit=limit, filters={CaseMessage.case_id: case_id}
        )
        return Page(data=[case_message_out(m) for m in rows], next_cursor=next_cursor)

    @post("/{case_id:int}/messages", **create_op("crm.write", "Add a message to a case", "createCaseMessage", 404))
    async def create_message(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        case_id: IdParam,
        data: MessageCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[CaseMessageOut]:
        """A reply (an open case becomes pending: waiting for the customer) or an internal note."""
        support_case = await CASES.get(db_session, case_id)
        if not data.body.strip():
            raise field_problem("body", "write a message")

        async def create() -> CaseMessageOut:
            service = CaseService(db_session, CrmContext.of_principal(principal))
            message = await service.add_message(support_case, MessageInput(data.body.strip(), data.internal))
            await db_session.refresh(message)
            return case_message_out(message)

        return await idempotent_create(request, db_session, principal, data, create)

    @staticmethod
    async def _validated(
        session: AsyncSession, principal: ApiPrincipal, body: dict[str, Any], kept_assignee: int | None
    ) -> CaseInput:
        await check_exists(session, Person, body.get("contact_id"), "contact_id", "contact")
        await check_exists(session, Organization, body.get("company_id"), "company_id", "company")
        body = {**body, "person_id": body.pop("contact_id", None), "organization_id": body.pop("company_id", None)}
        values = form_values(forms.case_form, body, owners=await _owners(session, principal, kept_assignee))
        return forms.as_input(CaseInput, values)


class CampaignsApi(Controller):
    path = "/crm/campaigns"
    tags = ["crm"]

    @get("/", **list_op("crm.read", "List campaigns", "listCampaigns"))
    async def list_campaigns(
        self,
        db_session: AsyncSession,
        status: CampaignStatus | None = None,
        sort: Sort = "-id",
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[CampaignOut]:
        """Campaigns; ``sort``: ``id``, ``name`` or ``created_at`` (``-`` descending)."""
        rows, next_cursor = await CAMPAIGNS.page(
            db_session, sort=sort, cursor=cursor, limit=limit, filters={Campaign.status: status}
        )
        return Page(data=[campaign_out(c) for c in rows], next_cursor=next_cursor)

    @post("/", **create_op("crm.write", "Create a campaign", "createCampaign"))
    async def create_campaign(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        data: CampaignCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[CampaignOut]:
        """Create a campaign targeting contacts by tags or by a saved contact filter."""

        async def create() -> CampaignOut:
            saved = set(await db_session.scalars(select(SavedFilter.id)))
            values = form_values(forms.campaign_form, msgspec.structs.asdict(data), saved_filters=saved)
            service = CampaignService(db_session, CrmContext.of_principal(principal))
            campaign = await service.save_campaign(None, forms.as_input(CampaignInput, values))
            await db_session.refresh(campaign)
            return campaign_out(campaign)

        return await idempotent_create(request, db_session, principal, data, create)

    @get("/{campaign_id:int}", **read_op("crm.read", "Get a campaign", "getCampaign"))
    async def get_campaign(self, db_session: AsyncSession, campaign_id: IdParam) -> CampaignOut:
        return campaign_out(await CAMPAIGNS.get(db_session, campaign_id))
