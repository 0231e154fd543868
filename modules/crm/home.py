"""The CRM's cards on the workspace home: the pipeline by stage with its expected revenue, my tasks due today or
overdue, open support cases, and the latest activity. Each figure links into the list behind it."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.crm.models import (
    Activity,
    CaseStatus,
    Opportunity,
    OpportunityStatus,
    Stage,
    StageKind,
    SupportCase,
)
from nexo.platform.i18n.catalog import gettext, pgettext
from nexo.platform.modules.home import Card, Chart, Figure, HomeContext, Series

RECENT = 6


async def cards(session: AsyncSession, context: HomeContext) -> list[Card]:
    return [
        await _pipeline(session, context),
        await _my_tasks(session, context),
        await _cases(session, context),
        await _recent(session, context),
    ]


async def _pipeline(session: AsyncSession, context: HomeContext) -> Card:
    """Open deals per stage: amount and probability-weighted amount (the expected revenue)."""
    rows = (
        await session.execute(
            select(
                Stage.name,
                func.count(Opportunity.id),
                func.coalesce(func.sum(Opportunity.amount), 0),
                func.coalesce(func.sum(Opportunity.amount * Opportunity.probability / 100), 0),
            )
            .outerjoin(Opportunity, (Opportunity.stage_id == Stage.id) & (Opportunity.status == OpportunityStatus.OPEN))
            .where(Stage.kind == StageKind.OPEN)
            .group_by(Stage.id, Stage.name, Stage.position)
            .order_by(Stage.position, Stage.id)
        )
    ).all()
    stages = [(name, int(count), Decimal(total), Decimal(expected)) for name, count, total, expected in rows]
    deals = sum(count for _, count, _, _ in stages)
    total = sum((amount for *_, amount, _ in stages), Decimal(0))
    expected = sum((weighted for *_, weighted in stages), Decimal(0))
    pipeline = context.url("crm/pipeline")
    chart = None
    if deals:
        chart = Chart(
            kind="bar",
            labels=tuple(name for name, *_ in stages),
            series=(
                Series(gettext("Amount"), tuple(float(amount) for *_, amount, _ in stages)),
                Series(gettext("Expected"), tuple(float(weighted) for *_, weighted in stages)),
            ),
            description=gettext("Open deals by stage: amount and expected revenue"),
        )
    return Card(
        key="crm-pipeline",
        title=gettext("Pipeline"),
        order=10,
        figures=(
            Figure(gettext("Open deals"), str(deals), pipeline),
            Figure(gettext("In the pipeline"), context.money(total), pipeline),
            Figure(gettext("Expected revenue"), context.money(expected), pipeline),
        ),
        chart=chart,
        empty="" if deals else gettext("No open deals. Add an opportunity to start your pipeline."),
        links=(Figure(gettext("Add an opportunity"), "", context.url("crm/opportunities/new")),),
    )


async def _my_tasks(session: AsyncSession, context: HomeContext) -> Card:
    """The signed-in member's open tasks that are overdue or due today (the list links to My tasks)."""
    mine = (Activity.assignee_id == context.user_id) & Activity.done.is_(False) & Activity.due_date.is_not(None)
    overdue = await session.scalar(select(func.count()).where(mine, Activity.due_date < context.today))
    today = await session.scalar(select(func.count()).where(mine, Activity.due_date == context.today))
    due = await session.scalars(
        select(Activity).where(mine, Activity.due_date <= context.today).order_by(Activity.due_date, Activity.id)
    )
    tasks = context.url("crm/tasks")
    items = tuple(
        Figure(task.subject, str(task.due_date), _subject_url(context, task), alert=task.is_overdue(context.today))
        for task in list(due)[:RECENT]
    )
    return Card(
        key="crm-tasks",
        title=gettext("My tasks"),
        order=20,
        figures=(
            Figure(gettext("Overdue"), str(overdue or 0), tasks, alert=bool(overdue)),
            Figure(gettext("Due today"), str(today or 0), tasks),
        ),
        items=items,
        empty="" if items else gettext("Nothing due today. Plan your next call or meeting from a contact's page."),
        links=(Figure(gettext("All my tasks"), "", tasks),),
    )


async def _cases(session: AsyncSession, context: HomeContext) -> Card:
    open_statuses = (CaseStatus.OPEN, CaseStatus.PENDING)
    is_open = SupportCase.status.in_(open_statuses)
    total = await session.scalar(select(func.count()).where(is_open))
    mine = await session.scalar(select(func.count()).where(is_open, SupportCase.assignee_id == context.user_id))
    overdue = await session.scalar(
        select(func.count()).where(is_open, SupportCase.due_date.is_not(None), SupportCase.due_date < context.today)
    )
    cases = context.url("crm/cases")
    return Card(
        key="crm-cases",
        title=gettext("Support cases"),
        order=30,
        figures=(
            Figure(gettext("Open"), str(total or 0), cases),
            Figure(gettext("Assigned to me"), str(mine or 0), cases + "?mine=true"),
            Figure(gettext("Past their due date"), str(overdue or 0), cases, alert=bool(overdue)),
        ),
    )


async def _recent(session: AsyncSession, context: HomeContext) -> Card:
    latest = await session.scalars(
        select(Activity)
        .where(or_(Activity.due_date.is_(None), Activity.done.is_(True)))
        .order_by(Activity.created_at.desc(), Activity.id.desc())
        .limit(RECENT)
    )
    items = tuple(
        Figure(
            f"{pgettext('value', activity.kind)}: {activity.subject}",
            activity.created_at.strftime("%Y-%m-%d"),
            _subject_url(context, activity),
        )
        for activity in latest
    )
    return Card(
        key="crm-recent",
        title=gettext("Recent activity"),
        order=90,
        items=items,
        empty="" if items else gettext("No activity yet. Log calls, meetings and notes on a contact's timeline."),
    )


def _subject_url(context: HomeContext, activity: Activity) -> str:
    for path, record_id in (
        ("crm/contacts", activity.person_id),
        ("crm/companies", activity.organization_id),
        ("crm/opportunities", activity.opportunity_id),
        ("crm/cases", activity.case_id),
    ):
        if record_id is not None:
            return context.url(f"{path}/{record_id}")
    return context.url("crm/tasks")
