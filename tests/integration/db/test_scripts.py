"""How scripts reach the server: one query on plain PostgreSQL, one statement per query on Citus (which forwards a
DDL command's raw query string to a worker). Both ways build the same tenant schema."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from nexo.platform.db.engine import create_engine, execute_script, is_citus, send_scripts_per_statement
from nexo.platform.migrations.config import CORE_BRANCH
from nexo.platform.migrations.runner import build_tenant_schema
from nexo.platform.modules.registry import get_registry
from nexo.platform.settings import Settings
from nexo.tenants.provisioning import default_module_keys
from nexo.tests.integration.tenants.test_schema_parity import describe_schema

# current_query() is the text of the query message being run: the whole script when it came in one query.
PROBE = "CREATE TEMP TABLE script_probe (q text) ON COMMIT DROP; INSERT INTO script_probe SELECT current_query();"


def _probe(connection: Connection) -> str:
    execute_script(connection, PROBE)
    return str(connection.execute(text("SELECT q FROM script_probe")).scalar_one())


@pytest.fixture
async def per_statement_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """A second engine on the test database that sends scripts one statement per query, whatever the server."""
    engine = create_engine(settings, pool_size=1, max_overflow=0)
    send_scripts_per_statement(engine)
    yield engine
    await engine.dispose()


async def test_the_server_decides_how_scripts_are_sent(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        citus = await connection.run_sync(is_citus)
        seen = await connection.run_sync(_probe)
    if citus:
        assert seen == "INSERT INTO script_probe SELECT current_query()"
    else:
        assert seen == PROBE


async def test_forced_per_statement_sends_each_statement_alone(per_statement_engine: AsyncEngine) -> None:
    async with per_statement_engine.begin() as connection:
        assert await connection.run_sync(_probe) == "INSERT INTO script_probe SELECT current_query()"


async def test_both_ways_build_the_same_schema_with_every_module(
    engine: AsyncEngine, per_statement_engine: AsyncEngine
) -> None:
    keys = default_module_keys([m.key for m in get_registry() if m.key != CORE_BRANCH])
    schemas = {"one": "tenant_900101", "split": "tenant_900102"}
    try:
        async with engine.begin() as connection:
            await connection.run_sync(build_tenant_schema, schemas["one"], keys)
        async with per_statement_engine.begin() as connection:
            await connection.run_sync(build_tenant_schema, schemas["split"], keys)
        async with engine.connect() as connection:
            one = await connection.run_sync(describe_schema, schemas["one"])
            split = await connection.run_sync(describe_schema, schemas["split"])
    finally:
        async with engine.begin() as connection:
            for schema in schemas.values():
                await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    assert one["tables"], "nothing was built"
    assert "erp_journal_lines" in one["tables"]
    assert one == split


@pytest.mark.parametrize("way", ["server", "per_statement"])
async def test_a_script_first_in_a_transaction_rolls_back_with_it(
    engine: AsyncEngine, per_statement_engine: AsyncEngine, way: str
) -> None:
    """The driver gets the script directly, so the caller's BEGIN must reach the server before it."""
    chosen = engine if way == "server" else per_statement_engine
    async with chosen.connect() as connection:
        await connection.begin()
        await connection.run_sync(execute_script, "CREATE TABLE public.script_rolled_back (x int); SELECT 1;")
        await connection.rollback()
        left = await connection.scalar(text("SELECT to_regclass('public.script_rolled_back') IS NOT NULL"))
    assert left is False
