"""Running migrations without env.py: the public tree, one tenant schema, and building a schema at head.

Everything here takes a synchronous SQLAlchemy ``Connection`` (call through ``AsyncConnection.run_sync``) whose
transaction the caller owns, so provisioning and per-tenant upgrades are each one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Connection, MetaData, PrimaryKeyConstraint, String, Table, create_mock_engine, text

from nexo.platform.db.engine import execute_script
from nexo.platform.db.tenancy import bind_connection, check_schema_name
from nexo.platform.migrations.config import (
    CORE_BRANCH,
    PUBLIC_VERSION_TABLE,
    TENANT_VERSION_TABLE,
    on_tenant_tree_change,
    public_config,
    public_metadata,
    public_script,
    tenant_config,
    tenant_metadata,
    tenant_script,
)
from nexo.platform.migrations.status import MARK_PREFIX, write_version_mark


def _run(
    connection: Connection,
    script: ScriptDirectory,
    cfg: Any,
    destination: str,
    metadata: MetaData | list[MetaData],
    **configure: Any,
) -> None:
    def upgrade_fn(rev: Any, context: Any) -> Any:
        return script._upgrade_revs(destination, rev)

    env = EnvironmentContext(cfg, script, fn=upgrade_fn, destination_rev=destination)
    with env:
        env.configure(connection=connection, target_metadata=metadata, **configure)
        with env.begin_transaction():
            env.run_migrations()


def upgrade_public(connection: Connection) -> None:
    _run(
        connection,
        public_script(),
        public_config(),
        "heads",
        public_metadata(),
        version_table=PUBLIC_VERSION_TABLE,
        version_table_schema="public",
    )


def tenant_branches_present(connection: Connection, schema: str) -> set[str]:
    """Branch labels this tenant schema has (from its own version table)."""
    rows = connection.execute(text(f'SELECT version_num FROM "{check_schema_name(schema)}".{TENANT_VERSION_TABLE}'))  # noqa: S608 (schema names checked by check_schema_name; revision ids come from our own scripts)
    return branches_of_revisions(r[0] for r in rows)


def branches_of_revisions(revisions: Iterable[str]) -> set[str]:
    script = tenant_script()
    labels: set[str] = set()
    for revision in revisions:
        for rev in script.iterate_revisions(revision, "base"):
            labels |= set(rev.branch_labels)
    return labels


def in_upgrade_order(branches: Iterable[str]) -> list[str]:
    """Branches ordered so that what a module keys into is migrated first: core, the always-on modules, then the
    rest in the registry's dependency order. Module revisions carry no ``depends_on`` across branches: each branch
    keeps its own row in the tenant's version table, and this order replaces cross-branch dependencies."""
    from nexo.platform.modules.registry import get_registry

    registry = get_registry()
    rank = {CORE_BRANCH: (0, 0)}
    for position, manifest in enumerate(registry):
        rank[manifest.branch] = (1 if manifest.always_on else 2, position)
    return sorted(set(branches), key=lambda b: (rank.get(b, (3, 0)), b))


def upgrade_tenant(connection: Connection, schema: str, branches: Iterable[str] | None = None) -> None:
    """Bring every branch this tenant has (or ``branches``) to its head, in the caller's transaction."""
    check_schema_name(schema)
    bind_connection(connection, schema)
    present = set(branches) if branches is not None else tenant_branches_present(connection, schema)
    for branch in in_upgrade_order(present):
        _run(
            connection,
            tenant_script(),
            tenant_config(),
            f"{branch}@head",
            tenant_metadata(),
            version_table=TENANT_VERSION_TABLE,
            version_table_schema=schema,
        )
    write_version_mark(connection, schema)


def tables_of(module_keys: Iterable[str]) -> list[Table]:
    keys = set(module_keys)
    return [t for t in tenant_metadata().sorted_tables if t.info.get("module", CORE_BRANCH) in keys]


def create_module_tables(
    connection: Connection, schema: str, module_keys: Iterable[str], branches: Iterable[str]
) -> None:
    """Create the tables of ``module_keys`` directly at head in ``schema`` and stamp their branches, in one round
    trip within the caller's transaction (what switching a module on for the first time runs).

    The tables' DDL (with the modules' DDL extras) is compiled once per process and module set, like provisioning's
    (``compiled_module_ddl``); the stamp replaces any row of those branches with its head, as ``alembic stamp``
    would, and the schema's version mark is rewritten from the version table by the same script.
    """
    check_schema_name(schema)
    script = "\n".join(
        [
            f"SELECT set_config('search_path', '{schema}', true);",
            *compiled_module_ddl(tuple(module_keys)),
            *compiled_stamp(tuple(branches)),
            _REMARK_SQL.replace("{schema}", schema),
        ]
    )
    execute_script(connection, script)


# Rewrites the schema comment from its version table (``status.write_version_mark`` in SQL, so it can close a script).
_REMARK_SQL = (
    "DO $nexo$ BEGIN EXECUTE format('COMMENT ON SCHEMA %I IS %L', '{schema}', "  # noqa: S608 (schema names checked by check_schema_name; revision ids come from our own scripts)
    f"'{MARK_PREFIX}' || coalesce((SELECT string_agg(version_num, ',' ORDER BY version_num COLLATE \"C\") "
    f"FROM \"{{schema}}\".{TENANT_VERSION_TABLE}), '')); END $nexo$;"
)


@lru_cache(maxsize=64)
def compiled_stamp(branches: tuple[str, ...]) -> tuple[str, ...]:
    """Statements that set ``branches`` to their heads in a bound schema's version table (no other branch moves:
    tenant branches carry no ``depends_on``)."""
    if not branches:
        return ()
    script = tenant_script()
    own = sorted(
        {rev.revision for rev in script.walk_revisions() if set(rev.branch_labels) & set(branches)}
        | {r.revision for b in branches for r in script.iterate_revisions(f"{b}@head", "base")}
    )
    listed = ", ".join(f"'{revision}'" for revision in own)
    heads = ", ".join(f"('{branch_head(branch)}')" for branch in sorted(branches))
    return (
        f"DELETE FROM {TENANT_VERSION_TABLE} WHERE version_num IN ({listed});",  # noqa: S608 (schema names checked by check_schema_name; revision ids come from our own scripts)
        f"INSERT INTO {TENANT_VERSION_TABLE} (version_num) VALUES {heads};",  # noqa: S608 (schema names checked by check_schema_name; revision ids come from our own scripts)
    )


def stamp_branches(connection: Connection, schema: str, branches: Iterable[str]) -> None:
    context = MigrationContext.configure(
        connection, opts={"version_table": TENANT_VERSION_TABLE, "version_table_schema": schema}
    )
    script = tenant_script()
    for branch in branches:
        context.stamp(script, f"{branch}@head")
    write_version_mark(connection, schema)


def build_tenant_schema(connection: Connection, schema: str, module_keys: Iterable[str]) -> None:
    """Create ``schema`` with the core tables and those of ``module_keys``, stamped at head, in one round trip.

    This is what provisioning runs: much faster than replaying every migration, and proven equal to it by
    ``tests/integration/tenants/test_schema_parity.py``. The DDL of the tables (unqualified, resolved through the
    transaction's ``search_path``) and the version-table stamp are compiled once per process and module set; each
    tenant adds only its schema name, and the whole script runs in the caller's transaction.
    """
    check_schema_name(schema)
    statements, mark = compiled_tenant_ddl(tuple(module_keys))
    script = "\n".join(
        [
            f'CREATE SCHEMA "{schema}";',
            f"SELECT set_config('search_path', '{schema}', true);",
            *statements,
            f"COMMENT ON SCHEMA \"{schema}\" IS '{mark}';",
        ]
    )
    execute_script(connection, script)


@lru_cache(maxsize=64)
def compiled_tenant_ddl(module_keys: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    """The statements that fill a bound, empty schema (types, tables, indexes, the stamped version table) and the
    version mark for its comment (see ``nexo.platform.migrations.status``)."""
    from nexo.platform.modules.registry import get_registry

    registry = get_registry()
    keys = [CORE_BRANCH, *module_keys]
    branches = [CORE_BRANCH] + [registry.get(k).branch for k in module_keys]
    statements = list(compiled_module_ddl(tuple(keys)))
    version_table = MetaData()
    Table(
        TENANT_VERSION_TABLE,
        version_table,
        Column("version_num", String(32), nullable=False),
        PrimaryKeyConstraint("version_num", name=f"{TENANT_VERSION_TABLE}_pkc"),
    ).create(bind=_compiling_engine(statements))
    heads = sorted(branch_head(b) for b in branches)
    values = ", ".join(f"('{head}')" for head in heads)
    statements.append(f"INSERT INTO {TENANT_VERSION_TABLE} (version_num) VALUES {values};")  # noqa: S608 (schema names checked by check_schema_name; revision ids come from our own scripts)
    return tuple(statements), MARK_PREFIX + ",".join(heads)


@lru_cache(maxsize=64)
def compiled_module_ddl(module_keys: tuple[str, ...]) -> tuple[str, ...]:
    """The statements creating the tables of ``module_keys`` in a bound schema: types, tables, indexes and the DDL
    extras attached to them (triggers, seed rows), exactly what ``metadata.create_all`` would run."""
    statements: list[str] = []
    tenant_metadata().create_all(bind=_compiling_engine(statements), tables=tables_of(module_keys), checkfirst=False)
    return tuple(statements)


def _compiling_engine(statements: list[str]) -> Any:
    """A mock engine appending each DDL element it is given, compiled, to ``statements``."""

    def collect(ddl: Any, *multiparams: Any, **params: Any) -> None:
        statements.append(f"{str(ddl.compile(dialect=mock.dialect)).strip()};")

    # asyncpg's dialect: the script goes to asyncpg as is, so nothing may be %-escaped for a format paramstyle.
    mock = create_mock_engine("postgresql+asyncpg://", collect)
    return mock


def branch_head(branch: str) -> str:
    head = tenant_script().get_revision(f"{branch}@head")
    assert head is not None
    return head.revision


def replay_tenant_schema(connection: Connection, schema: str, module_keys: Iterable[str]) -> None:
    """Create ``schema`` by replaying every migration of the core branch and of ``module_keys`` (tests, benchmarks)."""
    from nexo.platform.modules.registry import get_registry

    check_schema_name(schema)
    registry = get_registry()
    connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    keys = {m.key for m in registry.always_on()} | set(module_keys)
    upgrade_tenant(connection, schema, [CORE_BRANCH] + [registry.get(k).branch for k in keys])


for _cache in (compiled_stamp, compiled_tenant_ddl, compiled_module_ddl):
    on_tenant_tree_change(_cache.cache_clear)
