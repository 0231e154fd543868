"""drop unused first-name prefix index

The contacts search matches a first-name prefix through the full-name index ("first last" starts with the first
name), so ``ix_people_first_name_prefix`` no longer serves any query; it only cost every write to ``people``.

Revision ID: d94a4b1c2dc8
Revises: a6260a1a79b4
Create Date: 2026-11-28 22:38:36.714840
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "d94a4b1c2dc8"
down_revision: str | Sequence[str] | None = "a6260a1a79b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_people_first_name_prefix", table_name="people")


def downgrade() -> None:
    op.create_index(
        "ix_people_first_name_prefix",
        "people",
        [sa.literal_column("lower(first_name) varchar_pattern_ops")],
        unique=False,
    )
