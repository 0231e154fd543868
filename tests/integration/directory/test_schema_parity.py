"""A schema built at head (provisioning) equals one migrated revision by revision, for the directory and CRM."""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from nexo.platform.migrations.runner import build_tenant_schema, replay_tenant_schema

STRUCTURE = text(
    """
    SELECT 'column', table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' '
           || coalesce(column_default, '') || ' ' || coalesce(character_maximum_length::text, '')
      FROM information_schema.columns WHERE table_schema = :schema
    UNION ALL
    SELECT 'index', replace(indexdef, :schema || '.', '') FROM pg_indexes WHERE schemaname = :schema
    UNION ALL
    SELECT 'constraint', conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(c.oid)
      FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = :schema
    """
)


def _structure(connection: Connection, schema: str) -> set[tuple[str, str]]:
    connection.execute(text("SELECT set_config('search_path', :s, true)"), {"s": schema})
    rows = connection.execute(STRUCTURE, {"schema": schema}).all()
    return {(kind, str(value).replace(f"{schema}.", "")) for kind, value in rows}


async def test_built_schema_equals_migrated_schema(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            await connection.run_sync(build_tenant_schema, "tenant_900001", ["directory", "crm"])
            await connection.run_sync(replay_tenant_schema, "tenant_900002", ["directory", "crm"])
            built = await connection.run_sync(_structure, "tenant_900001")
            migrated = await connection.run_sync(_structure, "tenant_900002")
        finally:
            await transaction.rollback()
    assert any("crm_opportunities" in value for _, value in built)
    assert built - migrated == set() and migrated - built == set()
