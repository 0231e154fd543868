"""Which schemas are at head, found in one catalog query.

Each tenant schema's own Alembic version table is the truth. Alongside every change to it, in the same transaction,
its revisions are copied into the schema's comment (``nexo:versions=<rev>,<rev>``), so ``pg_namespace`` alone tells
which tenants are current: ``db upgrade`` skips them without opening a thousand version tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.db.tenancy import check_schema_name
from nexo.platform.migrations.config import TENANT_VERSION_TABLE, public_script, tenant_script

MARK_PREFIX = "nexo:versions="

_MARKS_SQL = text(
    "SELECT n.nspname, obj_description(n.oid, 'pg_namespace') "
    "FROM pg_namespace n JOIN public.tenants t ON t.schema_name = n.nspname"
)


def tenant_heads() -> frozenset[str]:
    return frozenset(tenant_script().get_heads())


def is_current(versions: frozenset[str] | None, heads: frozenset[str] | None = None) -> bool:
    """A tenant is current when each of its branches sits on that branch's head."""
    return bool(versions) and versions <= (heads if heads is not None else tenant_heads())  # type: ignore[operator]


def parse_mark(comment: str | None) -> frozenset[str] | None:
    if not comment or not comment.startswith(MARK_PREFIX):
        return None
    return frozenset(v for v in comment[len(MARK_PREFIX) :].split(",") if v)


def write_version_mark(connection: Connection, schema: str) -> frozenset[str]:
    """Copy ``schema``'s version table into its comment (same transaction as the change)."""
    check_schema_name(schema)
    rows = connection.execute(text(f'SELECT version_num FROM "{schema}".{TENANT_VERSION_TABLE}'))  # noqa: S608 (schema checked by check_schema_name, table name a constant)
    versions = frozenset(r[0] for r in rows)
    mark = MARK_PREFIX + ",".join(sorted(versions))
    connection.execute(text(f"COMMENT ON SCHEMA \"{schema}\" IS '{mark}'"))
    return versions


def read_marks(connection: Connection) -> dict[str, frozenset[str] | None]:
    """Schema -> marked versions (``None`` when unmarked) for every tenant schema, in one catalog query."""
    return {name: parse_mark(comment) for name, comment in connection.execute(_MARKS_SQL)}


@dataclass
class MigrationStatus:
    public_current: bool
    tenants_total: int = 0
    tenants_behind: int = 0
    behind: list[str] = field(default_factory=list)


async def migration_status(session: AsyncSession) -> MigrationStatus:
    public_versions = set(
        (await session.execute(text("SELECT version_num FROM public.alembic_version"))).scalars().all()
    )
    public_current = public_versions == set(public_script().get_heads())
    if not public_current:
        return MigrationStatus(public_current=False)
    connection = await session.connection()
    marks = await connection.run_sync(read_marks)
    heads = tenant_heads()
    behind = sorted(schema for schema, versions in marks.items() if not is_current(versions, heads))
    return MigrationStatus(True, len(marks), len(behind), behind)
