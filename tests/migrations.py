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
    {reads_data}op.add_column("{table}", sa.Column("{column}", sa.String(length=40), nullable=True))
    op.create_index("ix_{table}_{column}", "{table}", ["{column}"])


def downgrade() -> None:
    op.drop_index("ix_{table}_{column}", table_name="{table}")
    op.drop_column("{table}", "{column}")
'''


# A data migration's typical first line: it reads through the connection, so it cannot be rendered offline.
READS_DATA = (
    'rows = op.get_bind().execute(sa.text("SELECT count(*) FROM {table}")).scalar()\n    assert rows >= 0\n    '
)


@contextmanager
def additive_core_revision(
    folder: Path,
    *,
    revision: str = "c0ffee000001",
    table: str = "audit_log",
    column: str = "probe",
    reads_data: bool = False,
) -> Iterator[str]:
    """Add a core revision on top of the current head (``table`` gains ``column`` and an index) while inside.

    ``reads_data`` makes it read the table through ``op.get_bind()`` first, like a data migration."""
    from nexo.platform.migrations.config import set_extra_tenant_versions
    from nexo.platform.migrations.runner import branch_head

    down = branch_head("core")
    folder.mkdir(parents=True, exist_ok=True)
    reads = READS_DATA.format(table=table) if reads_data else ""
    text = ADDITIVE_REVISION.format(revision=revision, down=down, table=table, column=column, reads_data=reads)
    (folder / f"{revision}_additive.py").write_text(text)
    set_extra_tenant_versions([folder])
    try:
        yield revision
    finally:
        set_extra_tenant_versions([])
