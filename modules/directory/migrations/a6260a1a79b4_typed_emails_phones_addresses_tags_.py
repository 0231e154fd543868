"""typed emails phones addresses, tags, owner, search indexes

Revision ID: a6260a1a79b4
Revises: 47a7eee52e6d
Create Date: 2026-11-28 19:19:50.775820
"""

from collections.abc import Sequence

import advanced_alchemy.types
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "a6260a1a79b4"
down_revision: str | Sequence[str] | None = "47a7eee52e6d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "directory_addresses",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("line1", sa.String(length=200), nullable=False),
        sa.Column("line2", sa.String(length=200), nullable=True),
        sa.Column("postal_code", sa.String(length=20), nullable=True),
        sa.Column("city", sa.String(length=100), nullable=True),
        sa.Column("region", sa.String(length=100), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("person_id", sa.BigInteger(), nullable=True),
        sa.Column("organization_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_directory_addresses_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_directory_addresses_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_addresses")),
        info={"module": "directory"},
    )
    op.create_index(
        op.f("ix_directory_addresses_organization_id"), "directory_addresses", ["organization_id"], unique=False
    )
    op.create_index(op.f("ix_directory_addresses_person_id"), "directory_addresses", ["person_id"], unique=False)
    op.create_table(
        "directory_emails",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("is_primary", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=True),
        sa.Column("organization_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_directory_emails_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_directory_emails_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_emails")),
        info={"module": "directory"},
    )
    op.create_index(op.f("ix_directory_emails_address"), "directory_emails", ["address"], unique=False)
    op.create_index(op.f("ix_directory_emails_organization_id"), "directory_emails", ["organization_id"], unique=False)
    op.create_index(op.f("ix_directory_emails_person_id"), "directory_emails", ["person_id"], unique=False)
    op.create_table(
        "directory_phones",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=50), nullable=False),
        sa.Column("normalized", sa.String(length=50), nullable=False),
        sa.Column("is_primary", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=True),
        sa.Column("organization_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.Column("updated_at", advanced_alchemy.types.datetime.DateTimeUTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_directory_phones_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_directory_phones_person_id_people"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_phones")),
        info={"module": "directory"},
    )
    op.create_index(op.f("ix_directory_phones_normalized"), "directory_phones", ["normalized"], unique=False)
    op.create_index(op.f("ix_directory_phones_organization_id"), "directory_phones", ["organization_id"], unique=False)
    op.create_index(op.f("ix_directory_phones_person_id"), "directory_phones", ["person_id"], unique=False)
    op.add_column("organizations", sa.Column("owner_id", sa.BigInteger(), nullable=True))
    op.add_column(
        "organizations", sa.Column("tags", postgresql.ARRAY(sa.String(length=60)), server_default="{}", nullable=False)
    )
    op.create_index(
        "ix_organizations_name_prefix",
        "organizations",
        [sa.literal_column("lower(name) varchar_pattern_ops")],
        unique=False,
    )
    op.create_index(op.f("ix_organizations_owner_id"), "organizations", ["owner_id"], unique=False)
    op.create_index("ix_organizations_tags", "organizations", ["tags"], unique=False, postgresql_using="gin")
    op.add_column("people", sa.Column("job_title", sa.String(length=150), nullable=True))
    op.add_column("people", sa.Column("owner_id", sa.BigInteger(), nullable=True))
    op.add_column(
        "people", sa.Column("tags", postgresql.ARRAY(sa.String(length=60)), server_default="{}", nullable=False)
    )
    op.create_index(
        "ix_people_email_prefix", "people", [sa.literal_column("lower(email) varchar_pattern_ops")], unique=False
    )
    op.create_index(
        "ix_people_first_name_prefix",
        "people",
        [sa.literal_column("lower(first_name) varchar_pattern_ops")],
        unique=False,
    )
    op.create_index(
        "ix_people_full_name_prefix",
        "people",
        [sa.literal_column("(lower(first_name) || ' ' || lower(last_name)) text_pattern_ops")],
        unique=False,
    )
    op.create_index(
        "ix_people_last_name_prefix",
        "people",
        [sa.literal_column("lower(last_name) varchar_pattern_ops")],
        unique=False,
    )
    op.create_index(op.f("ix_people_owner_id"), "people", ["owner_id"], unique=False)
    op.create_index("ix_people_sort_name", "people", ["last_name", "first_name", "id"], unique=False)
    op.create_index("ix_people_tags", "people", ["tags"], unique=False, postgresql_using="gin")


def downgrade() -> None:
    op.drop_index("ix_people_tags", table_name="people", postgresql_using="gin")
    op.drop_index("ix_people_sort_name", table_name="people")
    op.drop_index(op.f("ix_people_owner_id"), table_name="people")
    op.drop_index("ix_people_last_name_prefix", table_name="people")
    op.drop_index("ix_people_full_name_prefix", table_name="people")
    op.drop_index("ix_people_first_name_prefix", table_name="people")
    op.drop_index("ix_people_email_prefix", table_name="people")
    op.drop_column("people", "tags")
    op.drop_column("people", "owner_id")
    op.drop_column("people", "job_title")
    op.drop_index("ix_organizations_tags", table_name="organizations", postgresql_using="gin")
    op.drop_index(op.f("ix_organizations_owner_id"), table_name="organizations")
    op.drop_index("ix_organizations_name_prefix", table_name="organizations")
    op.drop_column("organizations", "tags")
    op.drop_column("organizations", "owner_id")
    op.drop_index(op.f("ix_directory_phones_person_id"), table_name="directory_phones")
    op.drop_index(op.f("ix_directory_phones_organization_id"), table_name="directory_phones")
    op.drop_index(op.f("ix_directory_phones_normalized"), table_name="directory_phones")
    op.drop_table("directory_phones")
    op.drop_index(op.f("ix_directory_emails_person_id"), table_name="directory_emails")
    op.drop_index(op.f("ix_directory_emails_organization_id"), table_name="directory_emails")
    op.drop_index(op.f("ix_directory_emails_address"), table_name="directory_emails")
    op.drop_table("directory_emails")
    op.drop_index(op.f("ix_directory_addresses_person_id"), table_name="directory_addresses")
    op.drop_index(op.f("ix_directory_addresses_organization_id"), table_name="directory_addresses")
    op.drop_table("directory_addresses")
