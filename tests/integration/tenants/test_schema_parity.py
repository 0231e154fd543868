"""A tenant schema built by provisioning (compiled DDL + stamp) equals one built by replaying every migration."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, inspect, text
from sqlalchemy.ext.asyncio import AsyncEngine

from nexo.platform.migrations.config import CORE_BRANCH
from nexo.platform.migrations.runner import build_tenant_schema, create_module_tables, replay_tenant_schema
from nexo.platform.modules.registry import get_registry
from nexo.tenants.provisioning import default_module_keys


def describe_schema(connection: Connection, schema: str) -> dict[str, Any]:
    """Everything reflection sees in ``schema``, with the schema's own name replaced so two schemas compare."""
    inspector = inspect(connection)

    def clean(value: Any) -> Any:
        return str(value).replace(schema, "<schema>") if value is not None else None

    tables: dict[str, Any] = {}
    for table in sorted(inspector.get_table_names(schema=schema)):
        columns = [
            {
                "name": c["name"],
                "type": str(c["type"]),
                "nullable": c["nullable"],
                "default": clean(c.get("default")),
                "identity": clean(c.get("identity")),
                "comment": c.get("comment"),
            }
            for c in inspector.get_columns(table, schema=schema)
        ]
        pk = inspector.get_pk_constraint(table, schema=schema)
        tables[table] = {
            # Column order is not compared: a migration appends added columns, a built table follows the model.
            "columns": sorted(columns, key=lambda c: c["name"]),
            "primary_key": (pk.get("name"), pk.get("constrained_columns")),
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table, schema=schema)
            ),
            "unique": sorted(
                (u["name"], tuple(u["column_names"])) for u in inspector.get_unique_constraints(table, schema=schema)
            ),
            "foreign_keys": sorted(
                (
                    f["name"],
                    tuple(f["constrained_columns"]),
                    clean(f["referred_schema"]),
                    f["referred_table"],
                    tuple(f["referred_columns"]),
                    tuple(sorted((f.get("options") or {}).items())),
                )
                for f in inspector.get_foreign_keys(table, schema=schema)
            ),
            "checks": sorted(
                (c["name"], clean(c["sqltext"])) for c in inspector.get_check_constraints(table, schema=schema)
            ),
        }
    enums = sorted((e["name"], tuple(e["labels"])) for e in inspector.get_enums(schema=schema))  # type: ignore[attr-defined]
    versions = sorted(connection.execute(text(f'SELECT version_num FROM "{schema}".alembic_version')).scalars())  # noqa: S608 (schema name from our own fixture)
    comment = connection.execute(
        text("SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = :s"), {"s": schema}
    ).scalar()
    return {
        "tables": tables,
        "enums": enums,
        "versions": versions,
        "comment": comment,
        "triggers": sorted(clean(row) for row in connection.execute(TRIGGERS, {"s": schema})),
        "functions": sorted(clean(row) for row in connection.execute(FUNCTIONS, {"s": schema})),
    }


# Triggers and functions (the database-side checks), as PostgreSQL prints them back.
TRIGGERS = text(
    "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = :s AND NOT t.tgisinternal"
)
FUNCTIONS = text(
    "SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
    "WHERE n.nspname = :s"
)


async def _shapes(
    engine: AsyncEngine, built: str, replayed: str, module_keys: list[str], later: list[str] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build ``built`` by provisioning with ``module_keys`` (then switch the ``later`` modules on), replay every
    migration of all of them into ``replayed``, and describe both (the schemas are dropped afterwards)."""
    later = later or []
    try:
        async with engine.begin() as connection:
            await connection.run_sync(build_tenant_schema, built, module_keys)
        if later:
            branches = [get_registry().get(k).branch for k in later]
            async with engine.begin() as connection:
                await connection.run_sync(create_module_tables, built, later, branches)
        async with engine.begin() as connection:
            await connection.run_sync(replay_tenant_schema, replayed, [*module_keys, *later])
        async with engine.connect() as connection:
            built_shape = await connection.run_sync(describe_schema, built)
            replayed_shape = await connection.run_sync(describe_schema, replayed)
    finally:
        async with engine.begin() as connection:
            for schema in (built, replayed):
                await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    return built_shape, replayed_shape


async def _compare(engine: AsyncEngine, built: str, replayed: str, module_keys: list[str]) -> None:
    built_shape, replayed_shape = await _shapes(engine, built, replayed, module_keys)
    assert built_shape["tables"], "nothing was built"
    assert "alembic_version" in built_shape["tables"]
    assert built_shape == replayed_shape


async def test_provisioned_default_schema_equals_replayed_migrations(engine: AsyncEngine) -> None:
    await _compare(engine, "tenant_900001", "tenant_900002", default_module_keys())


async def test_provisioned_schema_with_every_module_equals_replayed_migrations(engine: AsyncEngine) -> None:
    every_module = [m.key for m in get_registry() if m.key != CORE_BRANCH]
    keys = default_module_keys(every_module)
    await _compare(engine, "tenant_900003", "tenant_900004", keys)


async def test_the_two_schemas_compared_are_different_tenants(engine: AsyncEngine) -> None:
    """The comparison is per schema: a table missing from one of them is noticed."""
    async with engine.begin() as connection:
        await connection.run_sync(build_tenant_schema, "tenant_900005", default_module_keys())
        await connection.run_sync(build_tenant_schema, "tenant_900006", default_module_keys())
        await connection.execute(text('DROP TABLE "tenant_900006".audit_log'))
        first = await connection.run_sync(describe_schema, "tenant_900005")
        second = await connection.run_sync(describe_schema, "tenant_900006")
        await connection.rollback()
    assert first != second and set(first["tables"]) - set(second["tables"]) == {"audit_log"}


async def test_modules_switched_on_later_equal_replayed_migrations(engine: AsyncEngine) -> None:
    """Switching modules on builds their tables from the compiled DDL and stamps their branches: the schema must
    then equal one replayed with those modules from the start."""
    every_module = default_module_keys([m.key for m in get_registry() if m.key != CORE_BRANCH])
    later = [k for k in every_module if k not in default_module_keys()]
    assert "crm" in later
    built_shape, replayed_shape = await _shapes(engine, "tenant_900007", "tenant_900008", default_module_keys(), later)
    assert {"crm_stages", "crm_opportunities"} <= set(built_shape["tables"])
    assert built_shape == replayed_shape
