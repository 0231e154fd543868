"""erp.hr initial tables

Revision ID: 8d91f33b5008
Revises:
Create Date: 2026-11-28 19:29:06.968973
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op

revision: str = "8d91f33b5008"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("erp_hr",)
depends_on: str | Sequence[str] | None = None  # order across branches comes from the module registry


def upgrade() -> None:
    op.create_table(
        "erp_departments",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_departments")),
        sa.UniqueConstraint("name"),
        info={"module": "erp.hr"},
    )
    op.create_table(
        "erp_leave_types",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("days_per_year", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("paid", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("days_per_year >= 0", name=op.f("ck_erp_leave_types_allowance_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_leave_types")),
        sa.UniqueConstraint("name"),
        info={"module": "erp.hr"},
    )
    op.create_table(
        "erp_employees",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("department_id", sa.BigInteger(), nullable=True),
        sa.Column("job_title", sa.String(length=200), server_default="", nullable=False),
        sa.Column("hired_on", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["erp_departments.id"],
            name=op.f("fk_erp_employees_department_id_erp_departments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["person_id"], ["people.id"], name=op.f("fk_erp_employees_person_id_people")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_employees")),
        sa.UniqueConstraint("person_id"),
        info={"module": "erp.hr"},
    )
    op.create_index(op.f("ix_erp_employees_department_id"), "erp_employees", ["department_id"], unique=False)
    op.create_index(op.f("ix_erp_employees_user_id"), "erp_employees", ["user_id"], unique=False)
    op.create_table(
        "erp_leave_requests",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("employee_id", sa.BigInteger(), nullable=False),
        sa.Column("leave_type_id", sa.BigInteger(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("days", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="pending", nullable=False),
        sa.Column("reason", sa.String(length=500), server_default="", nullable=False),
        sa.Column("decided_by_user_id", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=500), server_default="", nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected', 'cancelled')",
            name=op.f("ck_erp_leave_requests_known_status"),
        ),
        sa.CheckConstraint("days > 0", name=op.f("ck_erp_leave_requests_days_positive")),
        sa.CheckConstraint("end_date >= start_date", name=op.f("ck_erp_leave_requests_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["employee_id"], ["erp_employees.id"], name=op.f("fk_erp_leave_requests_employee_id_erp_employees")
        ),
        sa.ForeignKeyConstraint(
            ["leave_type_id"], ["erp_leave_types.id"], name=op.f("fk_erp_leave_requests_leave_type_id_erp_leave_types")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_erp_leave_requests")),
        info={"module": "erp.hr"},
    )
    op.create_index(op.f("ix_erp_leave_requests_employee_id"), "erp_leave_requests", ["employee_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_erp_leave_requests_employee_id"), table_name="erp_leave_requests")
    op.drop_table("erp_leave_requests")
    op.drop_index(op.f("ix_erp_employees_user_id"), table_name="erp_employees")
    op.drop_index(op.f("ix_erp_employees_department_id"), table_name="erp_employees")
    op.drop_table("erp_employees")
    op.drop_table("erp_leave_types")
    op.drop_table("erp_departments")
