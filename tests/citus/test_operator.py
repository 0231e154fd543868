"""Moving a single-server deployment onto Citus: a tenant schema that is still local to the coordinator (as after
restoring a plain PostgreSQL dump) is found by ``nexo citus check`` and distributed by ``nexo citus distribute``,
and the tenant works afterwards, its database-side checks included."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import pytest
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from nexo.modules.erp.accounting.models import JournalEntry, JournalLine
from nexo.platform.db.citus import citus_report
from nexo.platform.db.engine import create_engine, create_session_maker
from nexo.platform.settings import Settings
from nexo.tests.database import refused_commit
from nexo.tests.days import days
from nexo.tests.factories import WebClient, Workspace, make_workspace, tenant_session
from nexo.tests.integration.erp.conftest import ERP_MODULES


async def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NEXO_DATABASE_URL": settings.db.url, "COLUMNS": "200"}
    command = [sys.executable, "-m", "nexo.platform.cli", "citus", *args]
    return await asyncio.to_thread(subprocess.run, command, env=env, capture_output=True, text=True)


async def _single_server_workspace(settings: Settings) -> Workspace:
    """A workspace provisioned with schema-based sharding off: its schema stays a plain local schema on the
    coordinator, as after restoring a single server's dump."""
    server_settings = {"application_name": "nexo-test", "citus.enable_schema_based_sharding": "off"}
    engine = create_engine(settings, pool_size=1, max_overflow=0, connect_args={"server_settings": server_settings})
    try:
        return await make_workspace(create_session_maker(engine), modules=ERP_MODULES)
    finally:
        await engine.dispose()


async def test_check_finds_a_local_tenant_schema_and_distribute_fixes_it(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], settings: Settings, web: WebClient
) -> None:
    local = await _single_server_workspace(settings)
    other = await make_workspace(sessions)

    before = await citus_report(engine)
    assert local.schema in before.local and other.schema in before.placements and not before.ok
    checked = await _cli(settings, "check")
    assert checked.returncode == 1, checked.stderr
    assert "not distributed" in checked.stdout and local.schema in checked.stdout

    distributed = await _cli(settings, "distribute")
    assert distributed.returncode == 0, distributed.stderr
    assert f"{local.schema}: distributed" in distributed.stderr
    after = await citus_report(engine)
    assert after.ok, after.problems
    assert after.warnings == [], "the suite runs with the settings infra/citus/README.md gives"
    assert local.schema in after.placements and other.schema in after.placements
    assert (await _cli(settings, "check")).returncode == 0

    await web.login(local.owner.email)
    assert (await web.get(f"/w/{local.slug}/erp/accounting/invoices")).status_code == 200
    session = await tenant_session(sessions, local)
    async with session:  # the journal balance check came along (its trigger is on the worker's shard)
        entry = JournalEntry(entry_date=days(-264), memo="bad", currency="EUR")
        session.add(entry)
        await session.flush()
        session.add(JournalLine(entry_id=entry.id, account_id=1, debit=100, credit=0))
        with pytest.raises(DBAPIError, match=refused_commit("does not balance", citus=True)):
            await session.commit()
