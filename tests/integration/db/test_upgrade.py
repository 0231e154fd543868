"""``nexo db upgrade``: skips current tenants in one query, migrates the rest, isolates failures, resumes, locks."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import event, text

from nexo.platform.migrations.fanout import (
    LOCK_NAMESPACE,
    plan_for,
    tenants_behind,
    upgrade_everything,
    upgrade_tenants,
)
from nexo.platform.migrations.status import migration_status
from nexo.tests.factories import Workspace, make_workspace
from nexo.tests.integration.db.conftest import ScratchDatabase
from nexo.tests.migrations import additive_core_revision


async def _workspaces(scratch: ScratchDatabase, count: int) -> list[Workspace]:
    return [await make_workspace(scratch.sessions, name=f"Tenant {i}") for i in range(count)]


async def _has_probe_column(scratch: ScratchDatabase, schema: str) -> bool:
    async with scratch.engine.connect() as connection:
        found = await connection.scalar(
            text(
                "SELECT count(*) FROM information_schema.columns "
                "WHERE table_schema = :s AND table_name = 'audit_log' AND column_name = 'probe'"
            ),
            {"s": schema},
        )
    return bool(found)


async def test_all_current_is_one_catalog_query(scratch: ScratchDatabase) -> None:
    await _workspaces(scratch, 3)
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(scratch.engine.sync_engine, "before_cursor_execute", record)
    try:
        report = await upgrade_tenants(scratch.engine, concurrency=4)
    finally:
        event.remove(scratch.engine.sync_engine, "before_cursor_execute", record)
    assert report.current == 3 and report.outcomes == []
    assert len(statements) == 1 and "pg_namespace" in statements[0]


async def test_upgrade_migrates_behind_tenants_reports_failure_and_resumes(
    scratch: ScratchDatabase, tmp_path: Path
) -> None:
    alpha, beta, broken = await _workspaces(scratch, 3)
    with additive_core_revision(tmp_path / "versions") as revision:
        behind, current = await tenants_behind(scratch.engine)
        assert sorted(behind) == sorted(w.schema for w in (alpha, beta, broken)) and current == 0
        async with scratch.engine.begin() as connection:  # make one tenant inconsistent on purpose
            await connection.execute(text(f'ALTER TABLE "{broken.schema}".audit_log ADD COLUMN probe integer'))

        report = await upgrade_everything(scratch.settings, engine=scratch.engine, concurrency=2)

        assert sorted(report.upgraded) == sorted([alpha.schema, beta.schema])
        assert list(report.failed) == [broken.schema]
        assert "probe" in report.failed[broken.schema] and "already exists" in report.failed[broken.schema]
        for ws in (alpha, beta):
            assert await _has_probe_column(scratch, ws.schema)
            async with scratch.engine.connect() as connection:
                versions = await connection.scalars(text(f'SELECT version_num FROM "{ws.schema}".alembic_version'))  # noqa: S608 (schema name from our own fixture)
                assert revision in set(versions)
        async with scratch.sessions() as session:
            status = await migration_status(session)
        assert status.behind == [broken.schema]  # the failed tenant rolled back alone and is still behind

        async with scratch.engine.begin() as connection:  # the operator repairs it
            await connection.execute(text(f'ALTER TABLE "{broken.schema}".audit_log DROP COLUMN probe'))
        resumed = await upgrade_everything(scratch.settings, engine=scratch.engine)
        assert resumed.upgraded == [broken.schema] and resumed.current == 2 and not resumed.failed
        assert await _has_probe_column(scratch, broken.schema)


async def test_a_schema_locked_by_another_upgrader_is_busy_not_migrated(
    scratch: ScratchDatabase, tmp_path: Path
) -> None:
    free, held = await _workspaces(scratch, 2)
    with additive_core_revision(tmp_path / "versions"):
        async with scratch.engine.connect() as other, other.begin():
            locked = await other.scalar(
                text(f"SELECT pg_try_advisory_xact_lock({LOCK_NAMESPACE}, hashtext(:s))"), {"s": held.schema}
            )
            assert locked
            report = await upgrade_everything(scratch.settings, engine=scratch.engine)
            assert report.upgraded == [free.schema] and report.busy == [held.schema]
            assert not await _has_probe_column(scratch, held.schema)
        after = await upgrade_everything(scratch.settings, engine=scratch.engine)
        assert after.upgraded == [held.schema] and after.current == 1
        assert await _has_probe_column(scratch, held.schema)


async def test_a_revision_that_reads_data_falls_back_to_alembic_online(
    scratch: ScratchDatabase, tmp_path: Path
) -> None:
    workspaces = await _workspaces(scratch, 3)
    with additive_core_revision(tmp_path / "versions", reads_data=True) as revision:
        plan = plan_for(frozenset(await tenants_behind_versions(scratch, workspaces[0].schema)))
        assert not plan.offline  # it cannot be rendered to SQL ahead of time
        report = await upgrade_everything(scratch.settings, engine=scratch.engine, concurrency=3)
        assert sorted(report.upgraded) == sorted(w.schema for w in workspaces) and not report.failed
        for ws in workspaces:
            assert await _has_probe_column(scratch, ws.schema)
            assert revision in await tenants_behind_versions(scratch, ws.schema)
        assert (await tenants_behind(scratch.engine)) == ([], 3)


async def tenants_behind_versions(scratch: ScratchDatabase, schema: str) -> set[str]:
    async with scratch.engine.connect() as connection:
        return set(await connection.scalars(text(f'SELECT version_num FROM "{schema}".alembic_version')))  # noqa: S608 (schema name from our own fixture)


async def test_a_stale_mirror_is_repaired_without_migrating(scratch: ScratchDatabase) -> None:
    (ws,) = await _workspaces(scratch, 1)
    async with scratch.engine.begin() as connection:
        await connection.execute(text(f'COMMENT ON SCHEMA "{ws.schema}" IS NULL'))
    assert (await tenants_behind(scratch.engine))[0] == [ws.schema]
    report = await upgrade_tenants(scratch.engine, concurrency=1)
    assert report.current == 1 and report.outcomes == []
    assert (await tenants_behind(scratch.engine)) == ([], 1)


async def test_cli_db_upgrade_prints_the_report_and_fails_on_a_failed_tenant(
    scratch: ScratchDatabase, tmp_path: Path
) -> None:
    good, bad = await _workspaces(scratch, 2)
    async with scratch.engine.begin() as connection:
        await connection.execute(text(f'DROP TABLE "{bad.schema}".alembic_version'))
        await connection.execute(text(f'COMMENT ON SCHEMA "{bad.schema}" IS NULL'))
    env = {
        **os.environ,
        "NEXO_DATABASE_URL": scratch.settings.db.url,
        "NEXO_UPGRADE_CONCURRENCY": "2",
        "COLUMNS": "200",
    }
    command = [sys.executable, "-m", "nexo.platform.cli", "db", "upgrade"]
    done = await asyncio.to_thread(subprocess.run, command, env=env, capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    assert bad.schema in done.stderr and "failed" in done.stderr and "alembic_version" in done.stderr
    assert "0 upgraded, 1 current, 1 failed" in done.stderr
    assert good.schema not in done.stderr  # current tenants are counted, not listed
