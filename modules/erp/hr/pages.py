"""HR pages: employees and leave requests with approval (admins decide)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.erp.context import ErpContext
from nexo.modules.erp.hr.forms import approves
from nexo.modules.erp.hr.models import Employee, LeaveRequest
from nexo.modules.erp.hr.services import HrService
from nexo.platform.refusals import RefusalError
from nexo.platform.tenancy.context import Role, TenantContext, require_role
from nexo.platform.web.rendering import render


class HrPages(Controller):
    path = "/erp/hr"
    opt: dict[str, object] = {}  # the core tags it with the module key (a class attribute must exist)

    @get("/employees", name="erp.hr.employees")
    async def employees(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession
    ) -> Template:
        employees = list(await db_session.scalars(select(Employee).order_by(Employee.id)))
        return render(request, "erp/employees.html", {"employees": employees})

    async def _leave(self, session: AsyncSession, error: str = "") -> dict[str, Any]:
        requests = list(await session.scalars(select(LeaveRequest).order_by(LeaveRequest.start_date.desc()).limit(200)))
        return {"requests": requests, "error": error}

    @get("/leave", name="erp.hr.leave")
    async def leave(self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession) -> Template:
        return render(request, "erp/leave.html", await self._leave(db_session), partial="erp/_leave.html")

    @post("/leave/{request_id:int}/{decision:str}", name="erp.hr.decide", opt=require_role(Role.ADMIN))
    async def decide(
        self,
        request: Request[Any, Any, Any],
        tenant: TenantContext,
        db_session: AsyncSession,
        request_id: int,
        decision: str,
    ) -> Template:
        error = ""
        try:
            async with db_session.begin_nested():
                await HrService(db_session, ErpContext.of(tenant)).decide(
                    request_id, approve=approves(decision), user_id=tenant.user_id
                )
        except RefusalError as exc:
            error = exc.message
        context = await self._leave(db_session, error)
        return render(request, "erp/leave.html", context, partial="erp/_leave.html", status_code=400 if error else 200)
