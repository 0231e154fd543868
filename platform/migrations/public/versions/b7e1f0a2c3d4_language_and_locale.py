"""language and locale: a user's own language, a workspace's default language and formatting locale

``users.language`` is NULL until the person chooses (or signs up, from ``Accept-Language``): members who never
chose read their workspace's ``tenants.language``. ``tenants.locale`` (``es-ES``…) drives dates, numbers and money.

Revision ID: b7e1f0a2c3d4
Revises: 6035c9cb6939
Create Date: 2026-12-06 03:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7e1f0a2c3d4"
down_revision: str | Sequence[str] | None = "6035c9cb6939"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("language", sa.String(length=8), nullable=True), schema="public")
    op.add_column(
        "tenants", sa.Column("language", sa.String(length=8), server_default="en", nullable=False), schema="public"
    )
    op.add_column(
        "tenants", sa.Column("locale", sa.String(length=16), server_default="en-US", nullable=False), schema="public"
    )


def downgrade() -> None:
    op.drop_column("tenants", "locale", schema="public")
    op.drop_column("tenants", "language", schema="public")
    op.drop_column("users", "language", schema="public")
