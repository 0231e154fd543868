"""merge the admin, partner and billing public revisions into one head

Revision ID: e41b7c2d9a05
Revises: 1a3efdf8650a, 683a9db983bb, 879cd48d6430
Create Date: 2026-11-28 21:00:00
"""

from collections.abc import Sequence

revision: str = "e41b7c2d9a05"
down_revision: str | Sequence[str] | None = ("1a3efdf8650a", "683a9db983bb", "879cd48d6430")
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Nothing to change: the three revisions touch different tables."""


def downgrade() -> None:
    """Nothing to change."""
