"""api rate counters: per-installation API call counters shared by all app processes (UNLOGGED)

Revision ID: 6035c9cb6939
Revises: 4dc0282d4285
Create Date: 2026-11-28 21:56:34.694447
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6035c9cb6939"
down_revision: str | Sequence[str] | None = "4dc0282d4285"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "api_rate_counters",
        sa.Column("installation_id", sa.BigInteger(), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("installation_id", name=op.f("pk_api_rate_counters")),
        schema="public",
        prefixes=["UNLOGGED"],
    )


def downgrade() -> None:
    op.drop_table("api_rate_counters", schema="public")
