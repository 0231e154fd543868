"""HR tables (tenant schema)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, DateTime, ForeignKey, Numeric, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nexo.modules.directory.models import Person
from nexo.platform.db.base import TenantBase

KEY = "erp.hr"
LEAVE_STATUSES = ("pending", "approved", "rejected", "cancelled")


class Department(TenantBase):
    __tablename__ = "erp_departments"
    __module_key__ = KEY

    name: Mapped[str] = mapped_column(String(200), unique=True)


class Employee(TenantBase):
    """An employee is a person of the shared directory, optionally also a Nexo user (public user id, no FK)."""

    __tablename__ = "erp_employees"
    __module_key__ = KEY

    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("people.id"), unique=True)
    user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    department_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("erp_departments.id", ondelete="SET NULL"), nullable=True, index=True
    )
    job_title: Mapped[str] = mapped_column(String(200), default="", server_default="")
    hired_on: Mapped[datetime.date | None] = mapped_column(Date, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))

    person: Mapped[Person] = relationship(lazy="selectin")
    department: Mapped[Department | None] = relationship(lazy="selectin")


class LeaveType(TenantBase):
    __tablename__ = "erp_leave_types"
    __module_key__ = KEY
    __table_args__ = (CheckConstraint("days_per_year >= 0", name="allowance_not_negative"),)

    name: Mapped[str] = mapped_column(String(100), unique=True)
    days_per_year: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    paid: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))


class LeaveRequest(TenantBase):
    __tablename__ = "erp_leave_requests"
    __module_key__ = KEY
    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="ends_after_start"),
        CheckConstraint("days > 0", name="days_positive"),
        CheckConstraint(f"status IN {LEAVE_STATUSES!r}", name="known_status"),
    )

    employee_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_employees.id"), index=True)
    leave_type_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("erp_leave_types.id"))
    start_date: Mapped[datetime.date] = mapped_column(Date)
    end_date: Mapped[datetime.date] = mapped_column(Date)
    days: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    status: Mapped[str] = mapped_column(String(20), default="pending", server_default="pending")
    reason: Mapped[str] = mapped_column(String(500), default="", server_default="")
    decided_by_user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    decided_at: Mapped[datetime.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    decision_note: Mapped[str] = mapped_column(String(500), default="", server_default="")

    employee: Mapped[Employee] = relationship(lazy="selectin")
    leave_type: Mapped[LeaveType] = relationship(lazy="selectin")
