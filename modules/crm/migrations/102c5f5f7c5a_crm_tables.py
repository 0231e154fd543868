"""crm tables

Revision ID: 102c5f5f7c5a
Revises:
Create Date: 2026-11-28 19:20:28.967015
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

revision: str = "102c5f5f7c5a"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = ("crm",)
depends_on: str | Sequence[str] | None = None  # order across branches comes from the module registry


def upgrade() -> None:
    op.create_table(
        "crm_saved_filters",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("entity", sa.String(length=20), nullable=False),
        sa.Column("params", postgresql.JSONB(astext_type=Text()), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_saved_filters")),
        info={"module": "crm"},
    )
    op.create_table(
        "crm_stages",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("probability BETWEEN 0 AND 100", name=op.f("ck_crm_stages_probability_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_stages")),
        info={"module": "crm"},
    )
    op.create_index(op.f("ix_crm_stages_position"), "crm_stages", ["position"], unique=False)
    op.create_table(
        "crm_campaigns",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("target_tags", postgresql.ARRAY(sa.String(length=60)), server_default="{}", nullable=False),
        sa.Column("saved_filter_id", sa.BigInteger(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("owner_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["saved_filter_id"],
            ["crm_saved_filters.id"],
            name=op.f("fk_crm_campaigns_saved_filter_id_crm_saved_filters"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_campaigns")),
        info={"module": "crm"},
    )
    op.create_index(op.f("ix_crm_campaigns_status"), "crm_campaigns", ["status"], unique=False)
    op.create_table(
        "crm_company_profiles",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("organization_id", sa.BigInteger(), nullable=False),
        sa.Column("lifecycle_stage", sa.String(length=20), nullable=False),
        sa.Column("industry", sa.String(length=100), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_crm_company_profiles_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_company_profiles")),
        info={"module": "crm"},
    )
    op.create_index(
        op.f("ix_crm_company_profiles_lifecycle_stage"), "crm_company_profiles", ["lifecycle_stage"], unique=False
    )
    op.create_index(
        op.f("ix_crm_company_profiles_organization_id"), "crm_company_profiles", ["organization_id"], unique=True
    )
    op.create_table(
        "crm_cases",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.String(length=20), nullable=False),
        sa.Column("assignee_id", sa.BigInteger(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("person_id", sa.BigInteger(), nullable=True),
        sa.Column("organization_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_crm_cases_organization_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_crm_cases_person_id_people"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_cases")),
        info={"module": "crm"},
    )
    op.create_index(op.f("ix_crm_cases_assignee_id"), "crm_cases", ["assignee_id"], unique=False)
    op.create_index(op.f("ix_crm_cases_organization_id"), "crm_cases", ["organization_id"], unique=False)
    op.create_index(op.f("ix_crm_cases_person_id"), "crm_cases", ["person_id"], unique=False)
    op.create_index(op.f("ix_crm_cases_priority"), "crm_cases", ["priority"], unique=False)
    op.create_index(op.f("ix_crm_cases_status"), "crm_cases", ["status"], unique=False)
    op.create_table(
        "crm_contact_profiles",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("lifecycle_stage", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(length=100), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_crm_contact_profiles_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_contact_profiles")),
        info={"module": "crm"},
    )
    op.create_index(
        op.f("ix_crm_contact_profiles_lifecycle_stage"), "crm_contact_profiles", ["lifecycle_stage"], unique=False
    )
    op.create_index(op.f("ix_crm_contact_profiles_person_id"), "crm_contact_profiles", ["person_id"], unique=True)
    op.create_table(
        "crm_opportunities",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("stage_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("expected_close_date", sa.Date(), nullable=True),
        sa.Column("probability", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("close_reason", sa.String(length=300), nullable=True),
        sa.Column("closed_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("owner_id", sa.BigInteger(), nullable=True),
        sa.Column("person_id", sa.BigInteger(), nullable=True),
        sa.Column("organization_id", sa.BigInteger(), nullable=True),
        sa.Column("campaign_id", sa.BigInteger(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint("amount >= 0", name=op.f("ck_crm_opportunities_amount_not_negative")),
        sa.CheckConstraint("probability BETWEEN 0 AND 100", name=op.f("ck_crm_opportunities_probability_range")),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["crm_campaigns.id"],
            name=op.f("fk_crm_opportunities_campaign_id_crm_campaigns"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_crm_opportunities_organization_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_crm_opportunities_person_id_people"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["stage_id"], ["crm_stages.id"], name=op.f("fk_crm_opportunities_stage_id_crm_stages"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_opportunities")),
        info={"module": "crm"},
    )
    op.create_index("ix_crm_opportunities_board", "crm_opportunities", ["stage_id", "position"], unique=False)
    op.create_index(op.f("ix_crm_opportunities_campaign_id"), "crm_opportunities", ["campaign_id"], unique=False)
    op.create_index(
        op.f("ix_crm_opportunities_organization_id"), "crm_opportunities", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_crm_opportunities_owner_id"), "crm_opportunities", ["owner_id"], unique=False)
    op.create_index(op.f("ix_crm_opportunities_person_id"), "crm_opportunities", ["person_id"], unique=False)
    op.create_index(op.f("ix_crm_opportunities_stage_id"), "crm_opportunities", ["stage_id"], unique=False)
    op.create_index(op.f("ix_crm_opportunities_status"), "crm_opportunities", ["status"], unique=False)
    op.create_table(
        "crm_activities",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("done", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("done_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=True),
        sa.Column("assignee_id", sa.BigInteger(), nullable=True),
        sa.Column("author_id", sa.BigInteger(), nullable=True),
        sa.Column("person_id", sa.BigInteger(), nullable=True),
        sa.Column("organization_id", sa.BigInteger(), nullable=True),
        sa.Column("opportunity_id", sa.BigInteger(), nullable=True),
        sa.Column("case_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.CheckConstraint(
            "person_id IS NOT NULL OR organization_id IS NOT NULL OR opportunity_id IS NOT NULL OR case_id IS NOT NULL",
            name=op.f("ck_crm_activities_attached_somewhere"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["crm_cases.id"], name=op.f("fk_crm_activities_case_id_crm_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["crm_opportunities.id"],
            name=op.f("fk_crm_activities_opportunity_id_crm_opportunities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_crm_activities_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_crm_activities_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_activities")),
        info={"module": "crm"},
    )
    op.create_index(op.f("ix_crm_activities_case_id"), "crm_activities", ["case_id"], unique=False)
    op.create_index("ix_crm_activities_my_tasks", "crm_activities", ["assignee_id", "done", "due_date"], unique=False)
    op.create_index(op.f("ix_crm_activities_opportunity_id"), "crm_activities", ["opportunity_id"], unique=False)
    op.create_index(op.f("ix_crm_activities_organization_id"), "crm_activities", ["organization_id"], unique=False)
    op.create_index(op.f("ix_crm_activities_person_id"), "crm_activities", ["person_id"], unique=False)
    op.create_table(
        "crm_case_messages",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("case_id", sa.BigInteger(), nullable=False),
        sa.Column("internal", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=True),
        sa.Column("author_label", sa.String(length=320), nullable=False),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["crm_cases.id"], name=op.f("fk_crm_case_messages_case_id_crm_cases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_case_messages")),
        info={"module": "crm"},
    )
    op.create_index(op.f("ix_crm_case_messages_case_id"), "crm_case_messages", ["case_id"], unique=False)
    op.create_table(
        "crm_leads",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=True),
        sa.Column("last_name", sa.String(length=100), nullable=True),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("company_name", sa.String(length=200), nullable=True),
        sa.Column("source", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("owner_id", sa.BigInteger(), nullable=True),
        sa.Column("campaign_id", sa.BigInteger(), nullable=True),
        sa.Column("person_id", sa.BigInteger(), nullable=True),
        sa.Column("organization_id", sa.BigInteger(), nullable=True),
        sa.Column("opportunity_id", sa.BigInteger(), nullable=True),
        sa.Column("disqualified_reason", sa.String(length=300), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["crm_campaigns.id"],
            name=op.f("fk_crm_leads_campaign_id_crm_campaigns"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["opportunity_id"],
            ["crm_opportunities.id"],
            name=op.f("fk_crm_leads_opportunity_id_crm_opportunities"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_crm_leads_organization_id_organizations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_crm_leads_person_id_people"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crm_leads")),
        info={"module": "crm"},
    )
    op.create_index(op.f("ix_crm_leads_campaign_id"), "crm_leads", ["campaign_id"], unique=False)
    op.create_index(op.f("ix_crm_leads_email"), "crm_leads", ["email"], unique=False)
    op.create_index(op.f("ix_crm_leads_organization_id"), "crm_leads", ["organization_id"], unique=False)
    op.create_index(op.f("ix_crm_leads_owner_id"), "crm_leads", ["owner_id"], unique=False)
    op.create_index(op.f("ix_crm_leads_person_id"), "crm_leads", ["person_id"], unique=False)
    op.create_index(op.f("ix_crm_leads_status"), "crm_leads", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_crm_leads_status"), table_name="crm_leads")
    op.drop_index(op.f("ix_crm_leads_person_id"), table_name="crm_leads")
    op.drop_index(op.f("ix_crm_leads_owner_id"), table_name="crm_leads")
    op.drop_index(op.f("ix_crm_leads_organization_id"), table_name="crm_leads")
    op.drop_index(op.f("ix_crm_leads_email"), table_name="crm_leads")
    op.drop_index(op.f("ix_crm_leads_campaign_id"), table_name="crm_leads")
    op.drop_table("crm_leads")
    op.drop_index(op.f("ix_crm_case_messages_case_id"), table_name="crm_case_messages")
    op.drop_table("crm_case_messages")
    op.drop_index(op.f("ix_crm_activities_person_id"), table_name="crm_activities")
    op.drop_index(op.f("ix_crm_activities_organization_id"), table_name="crm_activities")
    op.drop_index(op.f("ix_crm_activities_opportunity_id"), table_name="crm_activities")
    op.drop_index("ix_crm_activities_my_tasks", table_name="crm_activities")
    op.drop_index(op.f("ix_crm_activities_case_id"), table_name="crm_activities")
    op.drop_table("crm_activities")
    op.drop_index(op.f("ix_crm_opportunities_status"), table_name="crm_opportunities")
    op.drop_index(op.f("ix_crm_opportunities_stage_id"), table_name="crm_opportunities")
    op.drop_index(op.f("ix_crm_opportunities_person_id"), table_name="crm_opportunities")
    op.drop_index(op.f("ix_crm_opportunities_owner_id"), table_name="crm_opportunities")
    op.drop_index(op.f("ix_crm_opportunities_organization_id"), table_name="crm_opportunities")
    op.drop_index(op.f("ix_crm_opportunities_campaign_id"), table_name="crm_opportunities")
    op.drop_index("ix_crm_opportunities_board", table_name="crm_opportunities")
    op.drop_table("crm_opportunities")
    op.drop_index(op.f("ix_crm_contact_profiles_person_id"), table_name="crm_contact_profiles")
    op.drop_index(op.f("ix_crm_contact_profiles_lifecycle_stage"), table_name="crm_contact_profiles")
    op.drop_table("crm_contact_profiles")
    op.drop_index(op.f("ix_crm_cases_status"), table_name="crm_cases")
    op.drop_index(op.f("ix_crm_cases_priority"), table_name="crm_cases")
    op.drop_index(op.f("ix_crm_cases_person_id"), table_name="crm_cases")
    op.drop_index(op.f("ix_crm_cases_organization_id"), table_name="crm_cases")
    op.drop_index(op.f("ix_crm_cases_assignee_id"), table_name="crm_cases")
    op.drop_table("crm_cases")
    op.drop_index(op.f("ix_crm_company_profiles_organization_id"), table_name="crm_company_profiles")
    op.drop_index(op.f("ix_crm_company_profiles_lifecycle_stage"), table_name="crm_company_profiles")
    op.drop_table("crm_company_profiles")
    op.drop_index(op.f("ix_crm_campaigns_status"), table_name="crm_campaigns")
    op.drop_table("crm_campaigns")
    op.drop_index(op.f("ix_crm_stages_position"), table_name="crm_stages")
    op.drop_table("crm_stages")
    op.drop_table("crm_saved_filters")
