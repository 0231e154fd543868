"""HR rules: employees are directory people; leave requests are approved or rejected, and balances follow."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.directory.models import Person
from nexo.modules.erp.context import ErpContext
from nexo.modules.erp.hr import events
from nexo.modules.erp.hr.models import Department, Employee, LeaveRequest, LeaveType
from nexo.platform.refusals import BusinessRuleError, InvalidStateError, UnknownReferenceError


def working_days(start: datetime.date, end: datetime.date) -> Decimal:
    """Monday to Friday between ``start`` and ``end`` inclusive."""
    days = sum(1 for n in range((end - start).days + 1) if (start + datetime.timedelta(days=n)).weekday() < 5)
    return Decimal(days)


@dataclass(frozen=True)
class LeaveBalance:
    leave_type: LeaveType
    allowance: Decimal
    taken: Decimal  # approved
    pending: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.allowance - self.taken - self.pending


class HrService:
    def __init__(self, session: AsyncSession, context: ErpContext) -> None:
        self.session = session
        self.context = context

    async def create_department(self, name: str) -> Department:
        name = name.strip()
        if not name or len(name) > 200:
            raise BusinessRuleError("Enter a department name of at most 200 characters.", "name")
        if await self.session.scalar(select(Department.id).where(Department.name == name)):
            raise BusinessRuleError(f"There is already a department called {name}.", "name")
        department = Department(name=name)
        self.session.add(department)
        await self.session.flush()
        return department

    async def hire(
        self,
        person_id: int,
        *,
        department_id: int | None = None,
        user_id: int | None = None,
        job_title: str = "",
        hired_on: datetime.date | None = None,
    ) -> Employee:
        if await self.session.get(Person, person_id) is None:
            raise UnknownReferenceError("No such person in the directory of this workspace.", "person_id")
        if await self.session.scalar(select(Employee.id).where(Employee.person_id == person_id)):
            raise BusinessRuleError("This person is already an employee.", "person_id")
        if department_id is not None and await self.session.get(Department, department_id) is None:
            raise UnknownReferenceError("No such department in this workspace.", "department_id")
        employee = Employee(
            person_id=person_id,
            department_id=department_id,
            user_id=user_id,
            job_title=job_title[:200],
            hired_on=hired_on,
            active=True,
        )
        self.session.add(employee)
        await self.session.flush()
        return employee

    async def create_leave_type(self, name: str, days_per_year: Decimal, *, paid: bool = True) -> LeaveType:
        if not name.strip():
            raise BusinessRuleError("Enter the name of the leave type.", "name")
        if days_per_year < 0:
            raise BusinessRuleError("The yearly allowance cannot be negative.", "days_per_year")
        if await self.session.scalar(select(LeaveType.id).where(LeaveType.name == name.strip())):
            raise BusinessRuleError(f"There is already a leave type called {name.strip()}.", "name")
        leave_type = LeaveType(name=name.strip(), days_per_year=days_per_year, paid=paid)
        self.session.add(leave_type)
        await self.session.flush()
        return leave_type

    async def balance(self, employee_id: int, leave_type_id: int, year: int) -> LeaveBalance:
        leave_type = await self.session.get(LeaveType, leave_type_id)
        if leave_type is None:
            raise UnknownReferenceError("No such leave type in this workspace.", "leave_type_id")
        rows = dict(
            (
                await self.session.execute(
                    select(LeaveRequest.status, func.coalesce(func.sum(LeaveRequest.days), 0))
                    .where(
                        LeaveRequest.employee_id == employee_id,
                        LeaveRequest.leave_type_id == leave_type_id,
                        func.extract("year", LeaveRequest.start_date) == year,
                        LeaveRequest.status.in_(("approved", "pending")),
                    )
                    .group_by(LeaveRequest.status)
                )
            )
            .tuples()
            .all()
        )
        return LeaveBalance(
            leave_type, leave_type.days_per_year, Decimal(rows.get("approved", 0)), Decimal(rows.get("pending", 0))
        )

    async def request_leave(
        self, employee_id: int, leave_type_id: int, start: datetime.date, end: datetime.date, *, reason: str = ""
    ) -> LeaveRequest:
        employee = await self.session.get(Employee, employee_id, with_for_update=True)  # serializes requests
        if employee is None or not employee.active:
            raise UnknownReferenceError("No such employee in this workspace.", "employee_id")
        if end < start:
            raise BusinessRuleError("The leave must end on or after its first day.", "end_date")
        if start.year != end.year:
            raise BusinessRuleError("Split leave that spans two years into one request per year.", "end_date")
        days = working_days(start, end)
        if days == 0:
            raise BusinessRuleError("These dates contain no working day.", "start_date")
        overlapping = await self.session.scalar(
            select(LeaveRequest.id).where(
                LeaveRequest.employee_id == employee_id,
                LeaveRequest.status.in_(("approved", "pending")),
                LeaveRequest.start_date <= end,
                LeaveRequest.end_date >= start,
            )
        )
        if overlapping:
            raise BusinessRuleError("These dates overlap another leave request.", "start_date")
        balance = await self.balance(employee_id, leave_type_id, start.year)
        if days > balance.remaining:
            raise BusinessRuleError(
                f"Only {balance.remaining.normalize():f} days of {balance.leave_type.name} left this year; "
                f"this request needs {days.normalize():f}.",
                "end_date",
            )
        request = LeaveRequest(
            employee_id=employee_id,
            leave_type_id=leave_type_id,
            start_date=start,
            end_date=end,
            days=days,
            status="pending",
            reason=reason[:500],
        )
        self.session.add(request)
        await self.session.flush()
        await events.leave_request_event(self.session, "erp.leave_request.created", request)
        return request

    async def decide(self, request_id: int, *, approve: bool, user_id: int | None, note: str = "") -> LeaveRequest:
        request = await self.session.get(LeaveRequest, request_id, with_for_update=True)
        if request is None:
            raise UnknownReferenceError("No such leave request in this workspace.", "request_id")
        if request.status != "pending":
            raise InvalidStateError(f"This request was already {request.status}.", "status")
        employee = await self.session.get(Employee, request.employee_id)
        if employee is not None and user_id is not None and employee.user_id == user_id:
            raise InvalidStateError("Someone else must decide on your own leave.", "status")
        request.status = "approved" if approve else "rejected"
        request.decided_by_user_id = user_id
        request.decided_at = datetime.datetime.now(datetime.UTC)
        request.decision_note = note[:500]
        await self.session.flush()
        await events.leave_request_event(self.session, "erp.leave_request.decided", request)
        return request
