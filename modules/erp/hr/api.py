"""HR REST API (``/api/v1/erp/hr/...``): departments, employees (directory people), leave types and leave requests
with approval, through ``HrService``."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get, post
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.erp.context import erp_context
from nexo.modules.erp.hr.models import Department, Employee, LeaveRequest, LeaveType
from nexo.modules.erp.hr.representations import (
    DepartmentOut,
    EmployeeOut,
    LeaveRequestOut,
    LeaveTypeOut,
    employee_out,
    leave_out,
)
from nexo.modules.erp.hr.services import HrService
from nexo.platform.api.base import DEFAULT_LIMIT, Page, idempotent_create
from nexo.platform.api.fields import Text200, Text500
from nexo.platform.api.principal import ApiPrincipal
from nexo.platform.api.resource import (
    REFUSAL_HANDLERS,
    Cursor,
    DbId,
    IdempotencyKey,
    IdParam,
    Limit,
    OptionalIdParam,
    Resource,
    Sort,
    action_op,
    check_choice,
    create_op,
    list_op,
    read_op,
    with_refusals,
)

READ_SCOPE, WRITE_SCOPE = "erp.hr.read", "erp.hr.write"
LEAVE_STATUSES = ("pending", "approved", "rejected", "cancelled")
Days = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[0-9]{1,3}(\.[0-9]{1,2})?$", examples=["25"], description="Days per year as a decimal string."
    ),
]


class DepartmentCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class EmployeeCreate(msgspec.Struct, forbid_unknown_fields=True):
    """Hire a person of the directory."""

    person_id: DbId
    department_id: DbId | None = None
    job_title: Text200 = ""
    hired_on: datetime.date | None = None


class LeaveTypeCreate(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    days_per_year: Days
    paid: bool = True


class LeaveRequestCreate(msgspec.Struct, forbid_unknown_fields=True):
    employee_id: DbId
    leave_type_id: DbId
    start_date: datetime.date
    end_date: datetime.date
    reason: Text500 = ""


class Decision(msgspec.Struct, forbid_unknown_fields=True):
    note: Text500 = ""


DEPARTMENTS = Resource(Department, "department", sortable={"id": Department.id, "name": Department.name})
EMPLOYEES = Resource(Employee, "employee", sortable={"id": Employee.id})
LEAVE_REQUESTS = Resource(LeaveRequest, "leave request", sortable={"id": LeaveRequest.id})


class DepartmentsApi(Controller):
    path = "/erp/hr/departments"
    tags = ["erp.hr"]
    exception_handlers = REFUSAL_HANDLERS

    @get("/", **with_refusals(list_op(READ_SCOPE, "List departments", "listDepartments")))
    async def list_departments(
        self, db_session: AsyncSession, sort: Sort = "name", cursor: Cursor = None, limit: Limit = DEFAULT_LIMIT
    ) -> Page[DepartmentOut]:
        """``sort``: ``id`` or ``name``."""
        rows, next_cursor = await DEPARTMENTS.page(db_session, sort=sort, cursor=cursor, limit=limit)
        return Page(data=[DepartmentOut(d.id, d.name, d.created_at) for d in rows], next_cursor=next_cursor)

    @post("/", **with_refusals(create_op(WRITE_SCOPE, "Create a department", "createDepartment")))
    async def create(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        data: DepartmentCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[DepartmentOut]:
        async def make() -> DepartmentOut:
            department = await HrService(db_session, await erp_context(db_session, principal)).create_department(
                data.name
            )
            await db_session.refresh(department)
            return DepartmentOut(department.id, department.name, department.created_at)

        return await idempotent_create(request, db_session, principal, data, make)

    @get("/{department_id:int}", **with_refusals(read_op(READ_SCOPE, "Get a department", "getDepartment")))
    async def get_department(self, db_session: AsyncSession, department_id: IdParam) -> DepartmentOut:
        d = await DEPARTMENTS.get(db_session, department_id)
        return DepartmentOut(d.id, d.name, d.created_at)


class EmployeesApi(Controller):
    path = "/erp/hr/employees"
    tags = ["erp.hr"]
    exception_handlers = REFUSAL_HANDLERS

    @get("/", **with_refusals(list_op(READ_SCOPE, "List employees", "listEmployees")))
    async def list_employees(
        self,
        db_session: AsyncSession,
        department_id: OptionalIdParam = None,
        active: bool | None = None,
        sort: Sort = "id",
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[EmployeeOut]:
        filters = {Employee.department_id: department_id, Employee.active: active}
        rows, next_cursor = await EMPLOYEES.page(db_session, sort=sort, cursor=cursor, limit=limit, filters=filters)
        return Page(data=[employee_out(e) for e in rows], next_cursor=next_cursor)

    @post("/", **with_refusals(create_op(WRITE_SCOPE, "Hire a person (create an employee)", "createEmployee")))
    async def create(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        data: EmployeeCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[EmployeeOut]:
        async def make() -> EmployeeOut:
            employee = await HrService(db_session, await erp_context(db_session, principal)).hire(
                data.person_id, department_id=data.department_id, job_title=data.job_title, hired_on=data.hired_on
            )
            await db_session.refresh(employee)
            await db_session.refresh(employee, ["person"])
            return employee_out(employee)

        return await idempotent_create(request, db_session, principal, data, make)

    @get("/{employee_id:int}", **with_refusals(read_op(READ_SCOPE, "Get an employee", "getEmployee")))
    async def get_employee(self, db_session: AsyncSession, employee_id: IdParam) -> EmployeeOut:
        return employee_out(await EMPLOYEES.get(db_session, employee_id))


class LeaveApi(Controller):
    path = "/erp/hr"
    tags = ["erp.hr"]
    exception_handlers = REFUSAL_HANDLERS

    @get("/leave-types", **with_refusals(list_op(READ_SCOPE, "List leave types", "listLeaveTypes")))
    async def list_types(self, db_session: AsyncSession) -> list[LeaveTypeOut]:
        rows = await db_session.scalars(select(LeaveType).order_by(LeaveType.name))
        return [LeaveTypeOut(t.id, t.name, t.days_per_year, t.paid) for t in rows]

    @post("/leave-types", **with_refusals(create_op(WRITE_SCOPE, "Create a leave type", "createLeaveType")))
    async def create_type(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        data: LeaveTypeCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[LeaveTypeOut]:
        async def make() -> LeaveTypeOut:
            t = await HrService(db_session, await erp_context(db_session, principal)).create_leave_type(
                data.name, Decimal(data.days_per_year), paid=data.paid
            )
            return LeaveTypeOut(t.id, t.name, t.days_per_year, t.paid)

        return await idempotent_create(request, db_session, principal, data, make)

    @get("/leave-requests", **with_refusals(list_op(READ_SCOPE, "List leave requests", "listLeaveRequests")))
    async def list_requests(
        self,
        db_session: AsyncSession,
        employee_id: OptionalIdParam = None,
        status: str | None = None,
        sort: Sort = "-id",
        cursor: Cursor = None,
        limit: Limit = DEFAULT_LIMIT,
    ) -> Page[LeaveRequestOut]:
        """``status``: pending, approved, rejected, cancelled."""
        check_choice(status, LEAVE_STATUSES)
        filters = {LeaveRequest.employee_id: employee_id, LeaveRequest.status: status}
        rows, next_cursor = await LEAVE_REQUESTS.page(
            db_session, sort=sort, cursor=cursor, limit=limit, filters=filters
        )
        return Page(data=[leave_out(r) for r in rows], next_cursor=next_cursor)

    @post("/leave-requests", **with_refusals(create_op(WRITE_SCOPE, "Request leave", "createLeaveRequest")))
    async def create_request(
        self,
        request: Request[Any, Any, Any],
        db_session: AsyncSession,
        principal: ApiPrincipal,
        data: LeaveRequestCreate,
        idempotency_key: IdempotencyKey = None,
    ) -> Response[LeaveRequestOut]:
        """Counts working days; refused (422) beyond the remaining yearly allowance or over another request."""

        async def make() -> LeaveRequestOut:
            leave = await HrService(db_session, await erp_context(db_session, principal)).request_leave(
                data.employee_id, data.leave_type_id, data.start_date, data.end_date, reason=data.reason
            )
            await db_session.refresh(leave)
            return leave_out(leave)

        return await idempotent_create(request, db_session, principal, data, make)

    @get(
        "/leave-requests/{request_id:int}",
        **with_refusals(read_op(READ_SCOPE, "Get a leave request", "getLeaveRequest")),
    )
    async def get_request(self, db_session: AsyncSession, request_id: IdParam) -> LeaveRequestOut:
        return leave_out(await LEAVE_REQUESTS.get(db_session, request_id))

    @post(
        "/leave-requests/{request_id:int}/approve",
        **with_refusals(action_op(WRITE_SCOPE, "Approve a leave request", "approveLeaveRequest", 422)),
    )
    async def approve(
        self, db_session: AsyncSession, principal: ApiPrincipal, request_id: IdParam, data: Decision | None = None
    ) -> LeaveRequestOut:
        return await self._decide(db_session, principal, request_id, data, approve=True)

    @post(
        "/leave-requests/{request_id:int}/refuse",
        **with_refusals(action_op(WRITE_SCOPE, "Refuse a leave request", "refuseLeaveRequest", 422)),
    )
    async def refuse(
        self, db_session: AsyncSession, principal: ApiPrincipal, request_id: IdParam, data: Decision | None = None
    ) -> LeaveRequestOut:
        return await self._decide(db_session, principal, request_id, data, approve=False)

    @staticmethod
    async def _decide(
        session: AsyncSession, principal: ApiPrincipal, request_id: int, data: Decision | None, *, approve: bool
    ) -> LeaveRequestOut:
        """The decider is the token's user (none for a client-credentials integration)."""
        await LEAVE_REQUESTS.get(session, request_id)
        leave = await HrService(session, await erp_context(session, principal)).decide(
            request_id, approve=approve, user_id=principal.user_id, note=data.note if data else ""
        )
        await session.refresh(leave)
        return leave_out(leave)
