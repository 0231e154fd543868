"""Citus-only checks: tenant schemas are distributed schemas spread over the workers, every tenant table is a shard
of its own schema's group, no foreign key leaves a tenant schema, and a live tenant moved to another worker keeps
its pages and API."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from nexo.platform.migrations.config import tenant_metadata
from nexo.platform.modules.registry import get_registry
from nexo.tests.factories import WebClient, Workspace, make_workspace
from nexo.tests.integration.api.conftest import TokenFactory, token_for

__all__ = ["token_for"]

EVERY_MODULE = tuple(m.key for m in get_registry() if not m.always_on)

PLACEMENT = text(
    "SELECT DISTINCT n.nspname, s.nodename, s.nodeport FROM citus_shards s "
    "JOIN pg_class c ON c.oid = s.table_name JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = ANY(:schemas)"
)


async def _placement(engine: AsyncEngine, schemas: list[str]) -> dict[str, set[tuple[str, int]]]:
    async with engine.connect() as connection:
        rows = (await connection.execute(PLACEMENT, {"schemas": schemas})).all()
    nodes: dict[str, set[tuple[str, int]]] = {schema: set() for schema in schemas}
    for schema, host, port in rows:
        nodes[schema].add((host, port))
    return nodes


async def _workers(engine: AsyncEngine) -> set[tuple[str, int]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            text("SELECT nodename, nodeport FROM pg_dist_node WHERE noderole = 'primary' AND groupid <> 0")
        )
        return {(host, port) for host, port in rows}


async def test_tenant_schemas_are_distributed_schemas_spread_over_the_workers(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    more = [await make_workspace(sessions) for _ in range(2)]
    schemas = [ws.schema for ws in (tenant_a, tenant_b, *more)]
    async with engine.connect() as connection:
        distributed = set((await connection.execute(text("SELECT schema_name::text FROM citus_schemas"))).scalars())
    assert set(schemas) <= distributed
    placement = await _placement(engine, schemas)
    assert all(len(nodes) == 1 for nodes in placement.values()), placement  # a schema lives whole on one node
    used = set().union(*placement.values())
    assert used == await _workers(engine), f"four tenants should use both workers: {placement}"


TABLES = text(
    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = :s AND c.relkind IN ('r', 'p')"
)
# The schema's tables that are single-shard tables in the schema's own co-location group.
GROUPED = text(
    "SELECT c.relname FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid "
    "JOIN pg_namespace n ON n.oid = c.relnamespace JOIN citus_schemas s ON s.schema_name = n.oid "
    "WHERE n.nspname = :s AND p.colocationid = s.colocation_id AND p.partkey IS NULL"
)
OUTSIDE = text(
    "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('r', 'p') AND c.relname = ANY(:names) AND n.nspname !~ '^tenant_[0-9]+$'"
)


async def test_every_tenant_table_is_in_its_own_distributed_schema(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    full = await make_workspace(sessions, modules=EVERY_MODULE)
    other = await make_workspace(sessions)
    tenant_tables = {table.name for table in tenant_metadata().sorted_tables} - {"alembic_version"}
    async with engine.connect() as connection:
        for ws in (full, other):
            tables = set((await connection.execute(TABLES, {"s": ws.schema})).scalars())
            grouped = set((await connection.execute(GROUPED, {"s": ws.schema})).scalars())
            assert tables and tables == grouped, ws.schema
        full_tables = set((await connection.execute(TABLES, {"s": full.schema})).scalars())
        outside = (await connection.execute(OUTSIDE, {"names": sorted(tenant_tables)})).all()
    assert tenant_tables <= full_tables
    assert outside == [], "tenant tables outside a tenant schema"


async def test_no_foreign_key_leaves_its_tenant_schema(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    full = await make_workspace(sessions, modules=EVERY_MODULE)
    async with engine.connect() as connection:
        inside = await connection.scalar(
            text(
                "SELECT count(*) FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE k.contype = 'f' AND n.nspname = :s"
            ),
            {"s": full.schema},
        )
        leaving = (
            await connection.execute(
                text(
                    "SELECT k.conname, k.conrelid::regclass::text, k.confrelid::regclass::text FROM pg_constraint k "
                    "JOIN pg_class a ON a.oid = k.conrelid JOIN pg_class b ON b.oid = k.confrelid "
                    "JOIN pg_namespace na ON na.oid = a.relnamespace JOIN pg_namespace nb ON nb.oid = b.relnamespace "
                    "WHERE k.contype = 'f' AND a.relnamespace <> b.relnamespace "
                    "AND (na.nspname ~ '^tenant_[0-9]+$' OR nb.nspname ~ '^tenant_[0-9]+$')"
                )
            )
        ).all()
    assert inside, "the full workspace has foreign keys inside its schema"
    assert leaving == []


async def test_a_live_tenant_moved_to_another_worker_keeps_its_pages_and_api(
    engine: AsyncEngine,
    sessions: async_sessionmaker[AsyncSession],
    client: AsyncTestClient[Litestar],
    web: WebClient,
    token_for: TokenFactory,
    tenant_b: Workspace,
) -> None:
    moved = await make_workspace(sessions, modules=EVERY_MODULE)
    headers = await token_for(moved)
    before = await client.post(
        "/api/v1/directory/people", json={"first_name": "Mara", "last_name": "Before"}, headers=headers
    )
    assert before.status_code == 201, before.text
    await web.login(moved.owner.email)
    assert (await web.get(f"/w/{moved.slug}/directory/people")).status_code == 200

    (source,) = (await _placement(engine, [moved.schema]))[moved.schema]
    (target,) = await _workers(engine) - {source}
    async with engine.connect() as connection:
        autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
        await autocommit.execute(
            text(
                "SELECT citus_schema_move(CAST(:schema AS regnamespace), CAST(:host AS text), CAST(:port AS integer))"
            ),
            {"schema": moved.schema, "host": target[0], "port": target[1]},
        )
    assert (await _placement(engine, [moved.schema]))[moved.schema] == {target}

    people = await web.get(f"/w/{moved.slug}/directory/people")
    assert people.status_code == 200 and "Before" in people.text
    listed: Any = (await client.get("/api/v1/directory/people", headers=headers)).json()
    assert [p["last_name"] for p in listed["data"]] == ["Before"]
    after = await client.post(
        "/api/v1/directory/people", json={"first_name": "Mara", "last_name": "After"}, headers=headers
    )
    assert after.status_code == 201, after.text
    assert (await web.get(f"/w/{moved.slug}/erp/inventory/products")).status_code == 200
    # The other tenant, on its own node, is untouched.
    other = await client.get("/api/v1/directory/people", headers=await token_for(tenant_b))
    assert other.status_code == 200 and other.json()["data"] == []
