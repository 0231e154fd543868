"""HR: employees are directory people; leave requests are approved or rejected and balances follow; per tenant."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.directory.models import Person
from nexo.modules.erp.hr.models import LeaveRequest
from nexo.modules.erp.hr.services import HrService, working_days
from nexo.platform.refusals import RefusalError
from nexo.tests.days import days
from nexo.tests.integration.erp.helpers import SEEDING


async def test_leave_request_approval_and_balance(session_a: AsyncSession, session_b: AsyncSession) -> None:
    person = Person(first_name="Ada", last_name="Lovelace")
    session_a.add(person)
    await session_a.flush()
    hr = HrService(session_a, SEEDING)
    department = await hr.create_department("Engineering")
    employee = await hr.hire(person.id, department_id=department.id, user_id=42, job_title="Engineer")
    with pytest.raises(RefusalError, match="already an employee"):
        await hr.hire(person.id)
    vacation = await hr.create_leave_type("Vacation", Decimal(10))

    monday = days(17)
    assert working_days(monday, monday + datetime.timedelta(days=6)) == 5
    first = await hr.request_leave(employee.id, vacation.id, monday, monday + datetime.timedelta(days=6))
    assert first.days == 5 and first.status == "pending"
    balance = await hr.balance(employee.id, vacation.id, 2026)
    assert (balance.taken, balance.pending, balance.remaining) == (0, 5, 5)
    with pytest.raises(RefusalError, match="overlap"):
        await hr.request_leave(employee.id, vacation.id, monday, monday)
    with pytest.raises(RefusalError, match="Someone else"):
        await hr.decide(first.id, approve=True, user_id=42)
    await hr.decide(first.id, approve=True, user_id=7, note="Enjoy")
    with pytest.raises(RefusalError, match="already approved"):
        await hr.decide(first.id, approve=False, user_id=7)
    with pytest.raises(RefusalError, match="Only 5 days"):
        await hr.request_leave(employee.id, vacation.id, days(24), days(34))
    second = await hr.request_leave(employee.id, vacation.id, days(24), days(25))
    await hr.decide(second.id, approve=False, user_id=7)
    balance = await hr.balance(employee.id, vacation.id, 2026)
    assert (balance.taken, balance.pending, balance.remaining) == (5, 0, 5)
    await session_a.commit()
    assert await session_b.scalar(select(func.count()).select_from(LeaveRequest)) == 0
