"""Activities on any contact, company, opportunity or case; marking tasks done; "my tasks"."""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.crm import forms
from nexo.modules.crm.models import Activity, ActivityKind, Opportunity, SupportCase
from nexo.modules.crm.pages.base import CrmController, member_names, members_of, see_other, today_for
from nexo.modules.crm.services.activities import ActivityInput, ActivityService
from nexo.modules.crm.services.base import CrmContext
from nexo.modules.crm.services.timeline import Subject
from nexo.modules.directory.models import Organization, Person
from nexo.platform.tenancy.context import TenantContext
from nexo.platform.web.kit import AnyRequest, MultiFormData, clean_form, get_or_404
from nexo.platform.web.rendering import render

SUBJECTS: dict[str, tuple[type[object], str, str]] = {
    "contacts": (Person, "person_id", "contact"),
    "companies": (Organization, "organization_id", "company"),
    "opportunities": (Opportunity, "opportunity_id", "opportunity"),
    "cases": (SupportCase, "case_id", "case"),
}


def subject_path(activity: Activity) -> str:
    for path, (_, attribute, _) in SUBJECTS.items():
        record_id = getattr(activity, attribute)
        if record_id is not None:
            return f"{path}/{record_id}"
    return "tasks"


class ActivityPages(CrmController):
    path = "/crm"

    async def _log(
        self,
        request: AnyRequest,
        tenant: TenantContext,
        session: AsyncSession,
        kind: str,
        record_id: int,
        data: dict[str, Any],
    ) -> Template | Redirect:
        model, attribute, label = SUBJECTS[kind]
        await get_or_404(session, model, record_id, label)
        form = clean_form(data)
        members = await members_of(session, tenant)
        cleaned = forms.activity_form(form, owners={m.user_id for m in members})
        if not cleaned.ok:
            context = {
                "data": form,
                "errors": cleaned.errors,
                "members": members,
                "activity_kinds": list(ActivityKind),
                "subject_path": f"{kind}/{record_id}",
                "label": label,
            }
            return render(request, "crm/activity_form.html", context, status_code=400)
        subject = Subject(**{attribute: record_id})
        values = forms.as_input(ActivityInput, cleaned.values)
        await ActivityService(session, CrmContext.of(tenant)).log(subject, values)
        return see_other(tenant, f"{kind}/{record_id}")

    @post("/contacts/{record_id:int}/activities", name="crm.activities.contact")
    async def on_contact(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, record_id: int, data: MultiFormData
    ) -> Template | Redirect:
        return await self._log(request, tenant, db_session, "contacts", record_id, data)

    @post("/companies/{record_id:int}/activities", name="crm.activities.company")
    async def on_company(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, record_id: int, data: MultiFormData
    ) -> Template | Redirect:
        return await self._log(request, tenant, db_session, "companies", record_id, data)

    @post("/opportunities/{record_id:int}/activities", name="crm.activities.opportunity")
    async def on_opportunity(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, record_id: int, data: MultiFormData
    ) -> Template | Redirect:
        return await self._log(request, tenant, db_session, "opportunities", record_id, data)

    @post("/cases/{record_id:int}/activities", name="crm.activities.case")
    async def on_case(
        self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession, record_id: int, data: MultiFormData
    ) -> Template | Redirect:
        return await self._log(request, tenant, db_session, "cases", record_id, data)

    @post("/activities/{activity_id:int}/done", name="crm.activities.done")
    async def done(
        self, tenant: TenantContext, db_session: AsyncSession, activity_id: int, data: MultiFormData
    ) -> Redirect:
        activity = await get_or_404(db_session, Activity, activity_id, "activity")
        done = str(data.get("done", "true")) != "false"
        await ActivityService(db_session, CrmContext.of(tenant)).set_done(activity, done)
        back = str(data.get("next", ""))
        return see_other(tenant, "tasks" if back == "tasks" else subject_path(activity))

    @get("/tasks", name="crm.tasks")
    async def my_tasks(self, request: AnyRequest, tenant: TenantContext, db_session: AsyncSession) -> Template:
        today = today_for(tenant)
        tasks = await ActivityService(db_session, CrmContext.of(tenant)).my_tasks(tenant.user_id, today=today)
        context = {
            "tasks": tasks,
            "today": today,
            "names": member_names(await members_of(db_session, tenant)),
            "subject_path": subject_path,
        }
        return render(request, "crm/tasks.html", context)
