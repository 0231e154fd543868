"""A module's migrations run only in the tenants that have its tables; tenants without it never get them."""

from __future__ import annotations

from alembic.runtime.environment import EnvironmentContext
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from nexo.platform.db.tenancy import bind_connection
from nexo.platform.migrations.config import (
    TENANT_VERSION_TABLE,
    tenant_config,
    tenant_metadata,
    tenant_script,
)
from nexo.platform.migrations.runner import tenant_branches_present, upgrade_tenant
from nexo.platform.migrations.status import is_current, read_marks, write_version_mark
from nexo.tests.factories import Workspace, make_workspace


def downgrade_one_step(connection: Connection, schema: str, branch: str) -> None:
    """Put ``schema``'s ``branch`` one revision back, as if that migration had not shipped yet."""
    bind_connection(connection, schema)
    script = tenant_script()

    def downgrade(rev: object, context: object) -> object:
        return script._downgrade_revs(f"{branch}@-1", rev)

    env = EnvironmentContext(tenant_config(), script, fn=downgrade)
    with env:
        env.configure(
            connection=connection,
            target_metadata=tenant_metadata(),
            version_table=TENANT_VERSION_TABLE,
            version_table_schema=schema,
        )
        with env.begin_transaction():
            env.run_migrations()
    write_version_mark(connection, schema)


def tables(connection: Connection, schema: str, prefix: str) -> set[str]:
    rows = connection.execute(
        text("SELECT tablename FROM pg_tables WHERE schemaname = :s AND tablename LIKE :p"),
        {"s": schema, "p": prefix + "%"},
    )
    return {r[0] for r in rows}


async def test_upgrade_runs_only_the_branches_a_tenant_has(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace
) -> None:
    with_crm = await make_workspace(sessions, modules=("crm",))
    without_crm = tenant_a
    directory_head = tenant_script().get_revision("directory@head").revision  # type: ignore[union-attr]
    crm_head = tenant_script().get_revision("crm@head").revision  # type: ignore[union-attr]
    async with engine.begin() as connection:
        crm_tables_before = await connection.run_sync(tables, with_crm.schema, "crm_")
        assert crm_tables_before
        # the tenant without CRM is one directory migration behind (downgrading directory in the CRM tenant would
        # take CRM down with it: CRM's migration depends on that directory revision); the CRM tenant has lost its
        # version mark, so `db upgrade` must look at it too
        await connection.run_sync(downgrade_one_step, without_crm.schema, "directory")
        await connection.execute(text(f'COMMENT ON SCHEMA "{with_crm.schema}" IS NULL'))
        marks = await connection.run_sync(read_marks)
        assert not is_current(marks[with_crm.schema]) and not is_current(marks[without_crm.schema])

    for ws in (with_crm, without_crm):
        async with engine.begin() as connection:
            await connection.run_sync(upgrade_tenant, ws.schema)  # what `nexo db upgrade` runs per tenant

    async with engine.connect() as connection:
        marks = await connection.run_sync(read_marks)
        assert is_current(marks[with_crm.schema]) and is_current(marks[without_crm.schema])
        assert directory_head in marks[without_crm.schema]  # the directory migration ran where it was missing
        # (in the CRM tenant the directory head is implied by CRM's row, which depends on it)
        assert {"core", "directory", "crm"} <= await connection.run_sync(tenant_branches_present, with_crm.schema)
        assert await connection.run_sync(tables, with_crm.schema, "crm_") == crm_tables_before
        # the tenant without CRM got none of CRM's migrations: no tables, no branch
        assert "crm" not in await connection.run_sync(tenant_branches_present, without_crm.schema)
        assert await connection.run_sync(tables, without_crm.schema, "crm_") == set()
        assert crm_head not in marks[without_crm.schema] and crm_head in marks[with_crm.schema]
