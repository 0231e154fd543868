"""ERP tables: a schema built from the metadata equals one built by replaying the migrations, triggers and seed
rows included; the journal refuses an unbalanced entry at commit."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from nexo.modules.erp.accounting.models import DEFAULT_CHART, Account, JournalEntry, JournalLine
from nexo.modules.erp.inventory.models import InventorySettings
from nexo.platform.migrations.runner import replay_tenant_schema
from nexo.tests.database import refused_commit
from nexo.tests.days import days
from nexo.tests.factories import Workspace, tenant_session
from nexo.tests.integration.erp.conftest import ERP_MODULES

CATALOG = {
    "columns": """SELECT table_name, column_name, data_type, is_nullable, column_default
                  FROM information_schema.columns WHERE table_schema = :s AND table_name LIKE 'erp_%'""",
    "constraints": """SELECT c.relname, k.conname, pg_get_constraintdef(k.oid) FROM pg_constraint k
                      JOIN pg_class c ON c.oid = k.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                      WHERE n.nspname = :s AND c.relname LIKE 'erp_%'""",
    "indexes": "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = :s AND tablename LIKE 'erp_%'",
    "triggers": """SELECT c.relname, t.tgname, t.tgdeferrable, t.tginitdeferred FROM pg_trigger t
                   JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE NOT t.tgisinternal AND n.nspname = :s""",
    "functions": """SELECT p.proname, p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                    WHERE n.nspname = :s""",
    "accounts": "SELECT code, name, type, role FROM {s}.erp_accounts",
    "settings": "SELECT id, allow_negative_stock FROM {s}.erp_inventory_settings",
}


def snapshot(connection: Connection, schema: str) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, sql in CATALOG.items():
        rows = connection.execute(text(sql.replace("{s}", f'"{schema}"')), {"s": schema}).all()
        result[name] = sorted(tuple(str(v).replace(f"{schema}.", "").replace(schema, "S") for v in row) for row in rows)
    return result


async def test_built_schema_equals_replayed_migrations(engine: AsyncEngine, erp_a: Workspace) -> None:
    replayed = "tenant_990001"
    async with engine.connect() as connection:
        transaction = await connection.begin()
        await connection.run_sync(replay_tenant_schema, replayed, ERP_MODULES)
        built_snapshot = await connection.run_sync(snapshot, erp_a.schema)
        replayed_snapshot = await connection.run_sync(snapshot, replayed)
        await transaction.rollback()  # the replayed schema goes away with the transaction
    assert built_snapshot["triggers"], "the balance triggers exist"
    assert len(built_snapshot["accounts"]) == len(DEFAULT_CHART)
    assert built_snapshot == replayed_snapshot


async def test_default_chart_and_settings_in_each_tenant(
    sessions: async_sessionmaker[AsyncSession], erp_a: Workspace, erp_b: Workspace
) -> None:
    for workspace in (erp_a, erp_b):
        session = await tenant_session(sessions, workspace)
        async with session:
            accounts = (await session.scalars(text("SELECT role FROM erp_accounts WHERE role IS NOT NULL"))).all()
            assert {"receivable", "payable", "revenue", "cogs", "inventory", "cash"} <= set(accounts)
            settings = await session.get(InventorySettings, 1)
            assert settings is not None and settings.allow_negative_stock is False
            assert await session.get(Account, 1) is not None


async def test_database_refuses_unbalanced_entry(sessions: async_sessionmaker[AsyncSession], erp_a: Workspace) -> None:
    async with sessions() as probe:
        citus = bool(await probe.scalar(text("SELECT count(*) FROM pg_extension WHERE extname = 'citus'")))
    session = await tenant_session(sessions, erp_a)
    async with session:
        entry = JournalEntry(entry_date=days(-19), memo="bad", currency="EUR")
        session.add(entry)
        await session.flush()
        session.add(JournalLine(entry_id=entry.id, account_id=1, debit=100, credit=0))
        session.add(JournalLine(entry_id=entry.id, account_id=2, debit=0, credit=99))
        with pytest.raises(DBAPIError, match=refused_commit("does not balance", citus=citus)):
            await session.commit()
    session = await tenant_session(sessions, erp_a)
    async with session:
        entry = JournalEntry(entry_date=days(-19), memo="empty", currency="EUR")
        session.add(entry)
        with pytest.raises(DBAPIError, match=refused_commit("has no lines", citus=citus)):
            await session.commit()
    session = await tenant_session(sessions, erp_a)
    async with session:
        assert (await session.scalar(text("SELECT count(*) FROM erp_journal_entries"))) == 0
