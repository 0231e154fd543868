"""``nexo db upgrade``: the public schema first, then every tenant schema that is behind, a few at a time.

How it scales to thousands of tenants:

- **One catalog query** finds the tenants already at head: each schema's versions are mirrored in its comment
  (``nexo.platform.migrations.status``), so ``pg_namespace`` joined with ``public.tenants`` tells who is current
  without opening a thousand version tables. Those are skipped.
- **Rendered once, run many times.** Tenants behind sit on a handful of distinct version sets. For each set the
  upgrade is rendered once to SQL with Alembic's offline mode (unqualified names, resolved through the
  transaction's ``search_path``), then every tenant on that set runs it in one round trip. Alembic's ``op`` proxy
  is process-global, so running Alembic itself for several tenants at once on one event loop would interleave
  them; running pre-rendered SQL has no such problem. A revision that cannot be rendered offline (one that reads
  data through ``op.get_bind()``) falls back to Alembic online, one tenant at a time.
- **Bounded parallelism** on one shared engine: ``NEXO_UPGRADE_CONCURRENCY`` (or ``--concurrency``) tenants at once.
- **A lock per schema**: each tenant is migrated in its own transaction holding
  ``pg_try_advisory_xact_lock(<nexo key>, hashtext(schema))``. A schema another upgrader holds is reported busy,
  never migrated twice; under the lock the version table itself (not the mirror) decides what to run.
- **Failures are contained**: a failing tenant rolls back alone, is reported with its error, and the run carries
  on. A re-run picks up exactly what is still behind.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from alembic.runtime.environment import EnvironmentContext
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from nexo.platform.db.engine import create_engine, execute_script
from nexo.platform.db.tenancy import bind_connection, check_schema_name
from nexo.platform.migrations.config import (
    TENANT_VERSION_TABLE,
    on_tenant_tree_change,
    tenant_config,
    tenant_metadata,
    tenant_script,
)
from nexo.platform.migrations.runner import branches_of_revisions, in_upgrade_order, upgrade_public, upgrade_tenant
from nexo.platform.migrations.status import MARK_PREFIX, is_current, read_marks, tenant_heads
from nexo.platform.settings import Settings

# The first key of every advisory lock Nexo's upgrader takes ("NEXO" in ASCII), so they cannot collide with other
# users of advisory locks; the second key is the schema's hash.
LOCK_NAMESPACE = 0x4E45584F
_TRY_LOCK = text(f"SELECT pg_try_advisory_xact_lock({LOCK_NAMESPACE}, hashtext(:schema))")
_WAIT_LOCK = text(f"SELECT pg_advisory_xact_lock({LOCK_NAMESPACE}, hashtext(:schema))")

UPGRADED, CURRENT, FAILED, BUSY = "upgraded", "current", "failed", "busy"


@dataclass
class TenantOutcome:
    schema: str
    state: str
    error: str = ""
    seconds: float = 0.0


@dataclass
class UpgradeReport:
    outcomes: list[TenantOutcome] = field(default_factory=list)
    current: int = 0  # skipped by the catalog query, or found current under the lock

    def of(self, state: str) -> list[TenantOutcome]:
        return [o for o in self.outcomes if o.state == state]

    @property
    def upgraded(self) -> list[str]:
        return [o.schema for o in self.of(UPGRADED)]

    @property
    def failed(self) -> dict[str, str]:
        return {o.schema: o.error for o in self.of(FAILED)}

    @property
    def busy(self) -> list[str]:
        return [o.schema for o in self.of(BUSY)]

    @property
    def skipped(self) -> int:
        return self.current


@dataclass(frozen=True)
class UpgradePlan:
    """The SQL that takes a tenant schema from ``start`` to ``final`` (empty ``sql`` when it cannot be rendered)."""

    start: frozenset[str]
    final: frozenset[str]
    sql: str
    offline: bool


class UnrenderableRevisionError(RuntimeError):
    pass


def _ancestors(revision: str) -> set[str]:
    return {r.revision for r in tenant_script().iterate_revisions(revision, "base") if r is not None}


def _render_branch(start: frozenset[str], branch: str) -> tuple[str, frozenset[str]]:
    """Offline SQL taking ``start`` to ``branch@head``, and the version set after it."""
    script = tenant_script()
    destination = f"{branch}@head"
    buffer = io.StringIO()

    def upgrade_fn(rev: Any, context: Any) -> Any:
        return script._upgrade_revs(destination, rev)

    env = EnvironmentContext(
        tenant_config(),
        script,
        fn=upgrade_fn,
        as_sql=True,
        starting_rev=sorted(start),
        destination_rev=destination,
    )
    try:
        with env:
            env.configure(
                dialect_name="postgresql",
                output_buffer=buffer,
                target_metadata=tenant_metadata(),
                version_table=TENANT_VERSION_TABLE,
                transactional_ddl=False,
                literal_binds=True,
            )
            env.run_migrations()
    except Exception as exc:  # e.g. a data migration reading through op.get_bind()
        raise UnrenderableRevisionError(f"{branch}: {type(exc).__name__}: {exc}") from exc
    head = script.get_revision(destination)
    assert head is not None
    ancestors = _ancestors(head.revision)
    return buffer.getvalue(), frozenset({v for v in start if v not in ancestors} | {head.revision})


@lru_cache(maxsize=256)
def plan_for(start: frozenset[str]) -> UpgradePlan:
    """Render (once per process and version set) the upgrade of every branch present in ``start``."""
    branches = in_upgrade_order(branches_of_revisions(start))
    versions = start
    parts: list[str] = []
    try:
        for branch in branches:
            sql, versions = _render_branch(versions, branch)
            parts.append(sql)
    except UnrenderableRevisionError:
        return UpgradePlan(start, frozenset(), "", offline=False)
    return UpgradePlan(start, versions, "\n".join(parts), offline=True)


def _read_versions(connection: Connection, schema: str) -> frozenset[str]:
    rows = connection.execute(text(f'SELECT version_num FROM "{schema}".{TENANT_VERSION_TABLE}'))  # noqa: S608 (schema checked by check_schema_name, table name a constant)
    return frozenset(r[0] for r in rows)


def _write_mark(connection: Connection, schema: str, versions: Iterable[str]) -> None:
    mark = MARK_PREFIX + ",".join(sorted(versions))
    connection.execute(text(f"COMMENT ON SCHEMA \"{schema}\" IS '{mark}'"))


def _run_plan(connection: Connection, schema: str, plan: UpgradePlan) -> None:
    bind_connection(connection, schema)
    execute_script(connection, plan.sql)
    after = _read_versions(connection, schema)
    if after != plan.final:
        raise RuntimeError(f"version table is {sorted(after)} after the upgrade, expected {sorted(plan.final)}")
    _write_mark(connection, schema, after)


class Upgrader:
    """Migrates tenant schemas on one shared engine, ``concurrency`` at a time."""

    def __init__(self, engine: AsyncEngine, concurrency: int) -> None:
        self.engine = engine
        self.limit = asyncio.Semaphore(max(1, concurrency))
        self.online = asyncio.Lock()  # Alembic online runs are never concurrent in one process
        self.heads = tenant_heads()

    async def upgrade(self, schema: str) -> TenantOutcome:
        async with self.limit:
            started = time.perf_counter()
            try:
                state = await self._upgrade(check_schema_name(schema))
            except Exception as exc:
                return TenantOutcome(schema, FAILED, _describe(exc), time.perf_counter() - started)
            return TenantOutcome(schema, state, seconds=time.perf_counter() - started)

    async def _upgrade(self, schema: str) -> str:
        async with self.engine.connect() as connection, connection.begin():
            if not await connection.scalar(_TRY_LOCK, {"schema": schema}):
                return BUSY
            versions = await connection.run_sync(_read_versions, schema)
            if is_current(versions, self.heads):  # another upgrader finished it, or only the mirror was stale
                await connection.run_sync(_write_mark, schema, versions)
                return CURRENT
            plan = plan_for(versions)
            if plan.offline:
                await connection.run_sync(_run_plan, schema, plan)
            else:
                await self._upgrade_online(connection, schema)
            return UPGRADED

    async def _upgrade_online(self, connection: AsyncConnection, schema: str) -> None:
        async with self.online:
            await connection.run_sync(upgrade_tenant, schema)


def _describe(exc: BaseException) -> str:
    message = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"{type(exc).__name__}: {message[0] if message else ''}"[:300]


async def upgrade_public_schema(engine: AsyncEngine) -> None:
    """Migrate the public schema, one upgrader at a time (the others wait, then find it at head)."""
    async with engine.begin() as connection:
        await connection.execute(_WAIT_LOCK, {"schema": "public"})
        await connection.run_sync(upgrade_public)


async def tenants_behind(engine: AsyncEngine) -> tuple[list[str], int]:
    """(schemas behind, count of current ones), from one catalog query."""
    async with engine.connect() as connection:
        marks = await connection.run_sync(read_marks)
    heads = tenant_heads()
    behind = sorted(s for s, v in marks.items() if not is_current(v, heads))
    return behind, len(marks) - len(behind)


async def upgrade_tenants(
    engine: AsyncEngine, concurrency: int, *, console: Console | None = None, report: UpgradeReport | None = None
) -> UpgradeReport:
    report = report or UpgradeReport()
    behind, report.current = await tenants_behind(engine)
    if not behind:
        return report
    upgrader = Upgrader(engine, concurrency)
    with _progress(console) as progress:
        task = progress.add_task("tenants", total=len(behind))
        for next_done in asyncio.as_completed([upgrader.upgrade(s) for s in behind]):
            outcome = await next_done
            if outcome.state == CURRENT:
                report.current += 1
            else:
                report.outcomes.append(outcome)
            progress.advance(task)
    report.outcomes.sort(key=lambda o: (o.state, o.schema))
    return report


def _progress(console: Console | None) -> Progress:
    return Progress(
        TextColumn("[bold]migrating {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=console is None,
        transient=False,
    )


async def upgrade_everything(
    settings: Settings,
    *,
    console: Console | None = None,
    concurrency: int | None = None,
    engine: AsyncEngine | None = None,
) -> UpgradeReport:
    """The public schema, then every tenant behind; ``engine`` is borrowed when given, else made and disposed."""
    concurrency = max(1, concurrency or settings.db.upgrade_concurrency)
    own_engine = engine is None
    engine = engine or create_engine(settings, pool_size=concurrency + 1, max_overflow=0)
    try:
        await upgrade_public_schema(engine)
        report = await upgrade_tenants(engine, concurrency, console=console)
    finally:
        if own_engine:
            await engine.dispose()
    if console is not None:
        print_report(console, report)
    return report


def print_report(console: Console, report: UpgradeReport) -> None:
    if report.outcomes:
        table = Table("schema", "result", "seconds", "error", title="tenant upgrade")
        styles = {UPGRADED: "green", FAILED: "red", BUSY: "yellow"}
        for outcome in report.outcomes:
            style = styles.get(outcome.state, "")
            table.add_row(outcome.schema, f"[{style}]{outcome.state}[/]", f"{outcome.seconds:.2f}", outcome.error)
        console.print(table)
    console.print(
        f"tenants: {len(report.upgraded)} upgraded, {report.current} current, "
        f"{len(report.failed)} failed, {len(report.busy)} busy"
    )


on_tenant_tree_change(plan_for.cache_clear)
