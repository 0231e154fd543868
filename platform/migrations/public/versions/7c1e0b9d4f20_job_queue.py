"""job queue tables (procrastinate)

Revision ID: 7c1e0b9d4f20
Revises: 5a70a3d8ef80
Create Date: 2026-11-28 19:20:00
"""

from collections.abc import Sequence

from alembic import op
from procrastinate.schema import SchemaManager

from nexo.platform.db.engine import execute_script

revision: str = "7c1e0b9d4f20"
down_revision: str | Sequence[str] | None = "5a70a3d8ef80"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # procrastinate's schema for the pinned version (see uv.lock); later versions ship migration scripts that a
    # new revision here applies.
    execute_script(op.get_bind(), SchemaManager.get_schema())


def downgrade() -> None:
    op.execute(
        "DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs, "
        "procrastinate_workers CASCADE"
    )
