"""Throw-away tenant revisions written to a temporary version folder (tests and benchmarks; never the repo's tree)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ADDITIVE_REVISION = '''"""one additive change: a column and an index"""

import sqlalchemy as sa
from alembic import op

revision = "{revision}"
down_revision = "{down}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("{table}", sa.Column("{column}", sa.String(length=40), nullable=True))
    op.create_index("ix_{table}_{column}", "{table}", ["{column}"])


def downgrade() -> None:
    op.drop_index("ix_{table}_{column}", table_name="{table}")
    op.drop_column("{table}", "{column}")
'''


@contextmanager
def additive_core_revision(
    folder: Path, *, revision: str = "c0ffee000001", table: str = "audit_log", column: str = "probe"
) -> Iterator[str]:
    """Add a core revision on top of the current head (``table`` gains ``column`` and an index) while inside."""
    from nexo.platform.migrations.config import branch_heads, set_extra_tenant_versions

    down = branch_heads()["core"]
    folder.mkdir(parents=True, exist_ok=True)
    text = ADDITIVE_REVISION.format(revision=revision, down=down, table=table, column=column)
    (folder / f"{revision}_additive.py").write_text(text)
    set_extra_tenant_versions([folder])
    try:
        yield revision
    finally:
        set_extra_tenant_versions([])
