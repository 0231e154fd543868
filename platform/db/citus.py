"""Operating Nexo on a Citus coordinator: which tenant schemas are distributed schemas and where they live, and
distributing the ones that are not (a deployment moved from a single PostgreSQL server keeps its tenant schemas as
plain local schemas on the coordinator until each is distributed with ``citus_schema_distribute``).

Used by ``nexo citus check`` and ``nexo citus distribute``; infra/citus/README.md is the operator's guide.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from nexo.platform.db.tenancy import check_schema_name

TENANT_SCHEMAS = text(
    "SELECT nspname FROM pg_namespace WHERE nspname ~ '^tenant_[0-9]+$' ORDER BY length(nspname), nspname"
)
CITUS_STATE = text(
    "SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'citus'), "
    "current_setting('citus.enable_schema_based_sharding', true), "
    "current_setting('citus.override_table_visibility', true)"
)
# Where each distributed tenant schema lives (a schema is one co-location group: all its shards on one node).
PLACEMENTS = text(
    "SELECT s.schema_name::text, min(h.nodename || ':' || h.nodeport) FROM citus_schemas s "
    "JOIN pg_dist_partition p ON p.colocationid = s.colocation_id "
    "JOIN citus_shards h ON h.table_name = p.logicalrelid GROUP BY 1"
)
# Tables of a tenant schema outside its schema's co-location group (left behind by a partial distribution).
STRAYS = text(
    "SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "JOIN citus_schemas s ON s.schema_name = n.oid "
    "LEFT JOIN pg_dist_partition p ON p.logicalrelid = c.oid AND p.colocationid = s.colocation_id "
    "WHERE c.relkind IN ('r', 'p') AND p.logicalrelid IS NULL ORDER BY 1"
)
# Foreign keys from or into a tenant schema that cross a schema boundary (Citus cannot place them; Nexo has none).
CROSSING_KEYS = text(
    "SELECT k.conrelid::regclass::text || ' -> ' || k.confrelid::regclass::text FROM pg_constraint k "
    "JOIN pg_class a ON a.oid = k.conrelid JOIN pg_class b ON b.oid = k.confrelid "
    "JOIN pg_namespace na ON na.oid = a.relnamespace JOIN pg_namespace nb ON nb.oid = b.relnamespace "
    "WHERE k.contype = 'f' AND na.oid <> nb.oid "
    "AND (na.nspname ~ '^tenant_[0-9]+$' OR nb.nspname ~ '^tenant_[0-9]+$') ORDER BY 1"
)


@dataclass
class CitusReport:
    """What ``nexo citus check`` prints: ``ok`` when every tenant schema is a distributed schema."""

    citus: bool
    schema_sharding: bool
    shard_hiding: bool = False  # citus.override_table_visibility on here: slow type introspection on connect
    placements: dict[str, str] = field(default_factory=dict)  # distributed tenant schema -> node
    local: list[str] = field(default_factory=list)  # tenant schemas not distributed yet
    strays: list[str] = field(default_factory=list)
    crossing_keys: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        found: list[str] = []
        if not self.citus:
            found.append("the database has no citus extension (CREATE EXTENSION citus)")
        if self.citus and not self.schema_sharding:
            found.append("citus.enable_schema_based_sharding is off: new tenant schemas would stay on the coordinator")
        if self.local:
            found.append(f"{len(self.local)} tenant schema(s) not distributed (nexo citus distribute)")
        found += [f"table outside its schema's co-location group: {name}" for name in self.strays]
        found += [f"foreign key across schemas: {key}" for key in self.crossing_keys]
        return found

    @property
    def warnings(self) -> list[str]:
        if self.shard_hiding:
            return [
                "citus.override_table_visibility is on at the coordinator: every new connection's type introspection "
                "scans pg_class through Citus's shard filter (slow with many tenants); set it off there"
            ]
        return []

    @property
    def ok(self) -> bool:
        return not self.problems


async def citus_report(engine: AsyncEngine) -> CitusReport:
    async with engine.connect() as connection:
        citus, sharding, hiding = (await connection.execute(CITUS_STATE)).one()
        report = CitusReport(citus=bool(citus), schema_sharding=sharding == "on", shard_hiding=hiding == "on")
        schemas = list((await connection.execute(TENANT_SCHEMAS)).scalars())
        if not report.citus:
            report.local = schemas
            return report
        report.placements = {str(s): str(node) for s, node in await connection.execute(PLACEMENTS)}
        report.local = [s for s in schemas if s not in report.placements]
        report.strays = list((await connection.execute(STRAYS)).scalars())
        report.crossing_keys = list((await connection.execute(CROSSING_KEYS)).scalars())
    return report


async def distribute_schema(engine: AsyncEngine, schema: str) -> None:
    """Make ``schema`` (a local tenant schema on the coordinator) a distributed schema, in its own transaction.

    ``citus_schema_distribute`` refuses tables with triggers unless ``citus.enable_unsafe_triggers`` is on: it is
    set for this transaction only. The journal balance trigger is safe on a distributed schema (all of a tenant's
    tables are co-located on one node; the check reads only its own schema)."""
    async with engine.begin() as connection:
        await connection.execute(text("SELECT set_config('citus.enable_unsafe_triggers', 'on', true)"))
        await connection.execute(
            text("SELECT citus_schema_distribute(CAST(:schema AS regnamespace))"), {"schema": check_schema_name(schema)}
        )
