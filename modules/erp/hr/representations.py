"""HR as the outside sees it: departments, employees, leave types and requests.

The API answers these structs and the webhook events carry them (``events.py``), so a webhook and a
``GET`` of the same record have the same fields. No ``from __future__ import annotations`` here: the structs keep
the OpenAPI names they were published with (``published_from``), and their annotations must not be resolved in
that other module.
"""

import datetime
from decimal import Decimal

import msgspec

from nexo.modules.erp.hr.models import Employee, LeaveRequest
from nexo.platform.api.resource import published_from


class DepartmentOut(msgspec.Struct):
    id: int
    name: str
    created_at: datetime.datetime


class EmployeeOut(msgspec.Struct):
    id: int
    person_id: int
    first_name: str
    last_name: str
    department_id: int | None
    user_id: int | None
    job_title: str
    hired_on: datetime.date | None
    active: bool
    created_at: datetime.datetime


class LeaveTypeOut(msgspec.Struct):
    id: int
    name: str
    days_per_year: Decimal
    paid: bool


class LeaveRequestOut(msgspec.Struct):
    id: int
    employee_id: int
    leave_type_id: int
    start_date: datetime.date
    end_date: datetime.date
    days: Decimal
    status: str
    reason: str
    decided_by_user_id: int | None
    decided_at: datetime.datetime | None
    decision_note: str
    created_at: datetime.datetime


def employee_out(e: Employee) -> EmployeeOut:
    return EmployeeOut(
        id=e.id,
        person_id=e.person_id,
        first_name=e.person.first_name,
        last_name=e.person.last_name,
        department_id=e.department_id,
        user_id=e.user_id,
        job_title=e.job_title,
        hired_on=e.hired_on,
        active=e.active,
        created_at=e.created_at,
    )


def leave_out(r: LeaveRequest) -> LeaveRequestOut:
    return LeaveRequestOut(
        id=r.id,
        employee_id=r.employee_id,
        leave_type_id=r.leave_type_id,
        start_date=r.start_date,
        end_date=r.end_date,
        days=r.days,
        status=r.status,
        reason=r.reason,
        decided_by_user_id=r.decided_by_user_id,
        decided_at=r.decided_at,
        decision_note=r.decision_note,
        created_at=r.created_at,
    )


published_from("nexo.modules.erp.hr.api", DepartmentOut, EmployeeOut, LeaveTypeOut, LeaveRequestOut)
