"""Activities (calls, meetings, e-mails, notes, tasks) and the "my tasks" view."""

from __future__ import annotations

import datetime
from typing import Any

from advanced_alchemy.repository import SQLAlchemyAsyncRepository
from advanced_alchemy.service import SQLAlchemyAsyncRepositoryService
from sqlalchemy import case, nulls_last, select

from nexo.modules.crm.models import Activity, ActivityKind
from nexo.modules.crm.services.events import activity_event, deleted_event
from nexo.modules.crm.services.timeline import Subject
from nexo.platform.db.base import utcnow


class ActivityRepository(SQLAlchemyAsyncRepository[Activity]):
    model_type = Activity


class ActivityService(SQLAlchemyAsyncRepositoryService[Activity, ActivityRepository]):
    repository_type = ActivityRepository

    async def log(self, subject: Subject, values: dict[str, Any], *, author_id: int | None) -> Activity:
        """Add an activity to ``subject``'s timeline (``values`` from ``schemas.activity_form``)."""
        activity = Activity(
            kind=values["kind"],
            subject=values["subject"],
            body=values.get("body"),
            due_date=values.get("due_date"),
            assignee_id=values.get("assignee_id") or (author_id if values["kind"] == ActivityKind.TASK else None),
            author_id=author_id,
            person_id=subject.person_id,
            organization_id=subject.organization_id,
            opportunity_id=subject.opportunity_id,
            case_id=subject.case_id,
        )
        self.repository.session.add(activity)
        await self.repository.session.flush()
        await activity_event(self.repository.session, "crm.activity.created", activity)
        return activity

    async def set_done(self, activity: Activity, done: bool) -> Activity:
        was_done = activity.done
        activity.done = done
        activity.done_at = utcnow() if done else None
        await self.repository.session.flush()
        if done and not was_done:
            await activity_event(self.repository.session, "crm.activity.completed", activity)
        return activity

    async def delete_activity(self, activity: Activity) -> None:
        activity_id = activity.id
        await self.repository.session.delete(activity)
        await self.repository.session.flush()
        await deleted_event(self.repository.session, "crm.activity.deleted", activity_id)

    async def my_tasks(self, user_id: int, *, today: datetime.date, include_done: bool = False) -> list[Activity]:
        """Tasks assigned to ``user_id``: overdue first (oldest due first), then by due date, undated last."""
        overdue_first = case((Activity.due_date < today, 0), else_=1)
        statement = select(Activity).where(Activity.kind == ActivityKind.TASK, Activity.assignee_id == user_id)
        if not include_done:
            statement = statement.where(Activity.done.is_(False))
        statement = statement.order_by(
            Activity.done, overdue_first, nulls_last(Activity.due_date.asc()), Activity.id
        ).limit(500)
        return list(await self.repository.session.scalars(statement))
