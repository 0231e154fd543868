"""Activities (calls, meetings, e-mails, notes, tasks) and the "my tasks" view."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from sqlalchemy import case, nulls_last, select

from nexo.modules.crm.models import Activity, ActivityKind
from nexo.modules.crm.services.base import CrmService
from nexo.modules.crm.services.events import activity_event, deleted_event
from nexo.modules.crm.services.timeline import Subject
from nexo.platform.db.base import utcnow


@dataclass(frozen=True)
class ActivityInput:
    kind: str
    subject: str
    body: str | None = None
    due_date: datetime.date | None = None
    assignee_id: int | None = None  # None: a task goes to its author


class ActivityService(CrmService):
    async def log(self, subject: Subject, values: ActivityInput) -> Activity:
        """Add an activity to ``subject``'s timeline, written by the context's user."""
        author_id = self.context.user_id
        activity = Activity(
            kind=values.kind,
            subject=values.subject,
            body=values.body,
            due_date=values.due_date,
            assignee_id=values.assignee_id or (author_id if values.kind == ActivityKind.TASK else None),
            author_id=author_id,
            person_id=subject.person_id,
            organization_id=subject.organization_id,
            opportunity_id=subject.opportunity_id,
            case_id=subject.case_id,
        )
        self.session.add(activity)
        await self.session.flush()
        await activity_event(self.session, "crm.activity.created", activity)
        return activity

    async def set_done(self, activity: Activity, done: bool) -> Activity:
        was_done = activity.done
        activity.done = done
        activity.done_at = utcnow() if done else None
        await self.session.flush()
        if done and not was_done:
            await activity_event(self.session, "crm.activity.completed", activity)
        return activity

    async def delete_activity(self, activity: Activity) -> None:
        activity_id = activity.id
        await self.session.delete(activity)
        await self.session.flush()
        await deleted_event(self.session, "crm.activity.deleted", activity_id)

    async def my_tasks(self, user_id: int, *, today: datetime.date, include_done: bool = False) -> list[Activity]:
        """Tasks assigned to ``user_id``: overdue first (oldest due first), then by due date, undated last."""
        overdue_first = case((Activity.due_date < today, 0), else_=1)
        statement = select(Activity).where(Activity.kind == ActivityKind.TASK, Activity.assignee_id == user_id)
        if not include_done:
            statement = statement.where(Activity.done.is_(False))
        statement = statement.order_by(
            Activity.done, overdue_first, nulls_last(Activity.due_date.asc()), Activity.id
        ).limit(500)
        return list(await self.session.scalars(statement))
