"""One workspace's backup and restore (issue 18 item 4): restored into a fresh database and next to the original,
with the same row counts and the same ledger; the other workspace never in the backup; refusals are clear."""

from __future__ import annotations

import dataclasses
import json
import tarfile
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from nexo.platform.db.engine import create_engine, normalize_url
from nexo.platform.settings import Settings
from nexo.tenants.backup import BackupError, backup_tenant, restore_tenant
from nexo.tests.database import temporary_database
from nexo.tests.days import this_year
from nexo.tests.factories import Workspace, tenant_session
from nexo.tests.integration.erp.conftest import erp_context
from nexo.tests.integration.erp.helpers import seed_stocked_catalog

LEDGER = text(
    "SELECT a.code, sum(l.debit), sum(l.credit) FROM {schema}.erp_journal_lines l "
    "JOIN {schema}.erp_accounts a ON a.id = l.account_id GROUP BY a.code ORDER BY a.code"
)


async def _trade(sessions: async_sessionmaker[AsyncSession], ws: Workspace) -> None:
    """Stock, three delivered and invoiced orders and a credit note: a ledger worth comparing."""
    from nexo.modules.erp.accounting.services import InvoiceService
    from nexo.modules.erp.sales.services import OrderLineInput, SalesService

    ids = await seed_stocked_catalog(sessions, ws)
    session = await tenant_session(sessions, ws)
    async with session:
        sales = SalesService(session, erp_context(ws))
        for month, quantity in ((9, Decimal(2)), (10, Decimal(5)), (11, Decimal("1.5"))):
            day = this_year(month, 10)
            order = await sales.create_order(ids.customer, ids.warehouse, [OrderLineInput(ids.widget, quantity)])
            await sales.deliver(order.id, delivered_on=day)
            invoice = await sales.invoice(order.id, issue_date=day, due_date=day)
        await InvoiceService(session, erp_context(ws)).credit(invoice.id, issue_date=day)
        await session.commit()


async def _state(connection: AsyncConnection, schema: str) -> tuple[dict[str, int], list[tuple[str, Decimal, Decimal]]]:
    names = await connection.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": schema})
    counts = {}
    for name in sorted(names):
        counts[name] = int(await connection.scalar(text(f'SELECT count(*) FROM "{schema}"."{name}"')) or 0)  # noqa: S608 (table names from pg_tables of the test's own schema)
    ledger = [tuple(r) for r in await connection.execute(text(LEDGER.text.format(schema=f'"{schema}"')))]
    return counts, ledger  # type: ignore[return-value]


@pytest.fixture
async def fresh(settings: Settings, pg_data_dir: Path) -> AsyncIterator[Settings]:
    """Settings pointing at a new, empty database on the same server, public schema migrated."""
    from nexo.platform.migrations.runner import upgrade_public

    with temporary_database(pg_data_dir) as url:
        other = dataclasses.replace(settings, db=dataclasses.replace(settings.db, url=normalize_url(url)))
        engine = create_engine(other)
        async with engine.begin() as connection:
            await connection.run_sync(upgrade_public)
        await engine.dispose()
        yield other


async def test_backup_restores_into_a_fresh_database_and_next_to_the_original(
    settings: Settings,
    fresh: Settings,
    sessions: async_sessionmaker[AsyncSession],
    erp_a: Workspace,
    erp_b: Workspace,
    tmp_path: Path,
) -> None:
    await _trade(sessions, erp_a)
    await seed_stocked_catalog(sessions, erp_b, "B-")
    archive = tmp_path / "a.tar"
    manifest = await backup_tenant(settings, erp_a.slug, archive)
    with tarfile.open(archive) as tar:
        assert sorted(tar.getnames()) == ["manifest.json", "schema.dump"]
        stored = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert stored["schema"] == erp_a.schema and [m["email"] for m in stored["members"]] == [erp_a.owner.email]
    assert erp_b.schema not in archive.read_bytes().decode("latin-1")

    engine = create_engine(settings)
    async with engine.connect() as connection:
        original = await _state(connection, erp_a.schema)
    await engine.dispose()
    assert original[0] == manifest["counts"] and original[0]["erp_journal_lines"] > 0 and original[1]

    restored = await restore_tenant(fresh, archive, "alpha-restored")
    engine = create_engine(fresh)
    async with engine.connect() as connection:
        assert await _state(connection, restored.schema) == original
        tenants = list(await connection.execute(text("SELECT slug, schema_name, status::text FROM public.tenants")))
        owner = await connection.scalar(
            text(
                "SELECT u.email FROM public.memberships m JOIN public.users u ON u.id = m.user_id "
                "WHERE m.tenant_id = :t AND m.role = 'owner'"
            ),
            {"t": restored.tenant_id},
        )
        modules = set(await connection.scalars(text("SELECT module_key FROM public.tenant_modules WHERE enabled")))
    await engine.dispose()
    assert tenants == [("alpha-restored", restored.schema, "active")] and owner == erp_a.owner.email
    assert {"erp.accounting", "erp.sales"} <= modules

    copy = await restore_tenant(settings, archive, "alpha-copy")  # the original's schema name is taken here
    engine = create_engine(settings)
    async with engine.connect() as connection:
        assert await _state(connection, copy.schema) == original
        assert await _state(connection, erp_a.schema) == original  # the original is untouched
    await engine.dispose()
    assert copy.schema != erp_a.schema


async def test_backup_and_restore_refusals(
    settings: Settings, erp_a: Workspace, erp_b: Workspace, tmp_path: Path
) -> None:
    with pytest.raises(BackupError, match="no workspace"):
        await backup_tenant(settings, "no-such-workspace", tmp_path / "x.tar")
    archive = tmp_path / "a.tar"
    await backup_tenant(settings, erp_a.slug, archive)
    with pytest.raises(BackupError, match="is taken"):
        await restore_tenant(settings, archive, erp_b.slug)
    newer = tmp_path / "newer.tar"
    with tarfile.open(archive) as source, tarfile.open(newer, "w") as target:
        manifest = json.loads(source.extractfile("manifest.json").read())  # type: ignore[union-attr]
        (tmp_path / "manifest.json").write_text(json.dumps({**manifest, "format": 99}))
        target.add(tmp_path / "manifest.json", arcname="manifest.json")
        source.extract("schema.dump", tmp_path, filter="data")
        target.add(tmp_path / "schema.dump", arcname="schema.dump")
    with pytest.raises(BackupError, match="format 99 is not supported"):
        await restore_tenant(settings, newer, "alpha-newer")


async def test_the_commands(settings: Settings, erp_a: Workspace, erp_b: Workspace, tmp_path: Path) -> None:
    """``nexo tenants backup SLUG -o FILE``, then ``nexo tenants restore FILE --as NEW-SLUG``, as an operator does."""
    import asyncio
    import os
    import subprocess
    import sys

    nexo = str(Path(sys.executable).parent / "nexo")
    env = {**os.environ, "NEXO_DATABASE_URL": settings.db.url}
    archive = tmp_path / "b.tar"

    def run(*args: str) -> tuple[int, str]:
        done = subprocess.run([nexo, *args], env=env, capture_output=True, text=True, check=False)
        return done.returncode, " ".join((done.stdout + done.stderr).split())  # the console may wrap lines

    backed_up = await asyncio.to_thread(run, "tenants", "backup", erp_b.slug, "-o", str(archive))
    assert backed_up[0] == 0 and f"backed up workspace {erp_b.slug}" in backed_up[1], backed_up[1]
    restored = await asyncio.to_thread(run, "tenants", "restore", str(archive), "--as", f"{erp_b.slug}-copy")
    assert restored[0] == 0 and f"restored workspace {erp_b.slug}-copy" in restored[1], restored[1]
    taken = await asyncio.to_thread(run, "tenants", "restore", str(archive), "--as", erp_a.slug)
    assert taken[0] != 0 and "is taken" in taken[1]
