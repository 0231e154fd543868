"""Helpers shared by the benchmarks: a temporary database, settings, an engine, many tenants, timing.

A benchmark runs against a database of its own on the embedded server (``NEXO_BENCH_PGDATA``, default
``.nexo/bench-pgdata``; stopped when the benchmark process exits if it started it) or, when
``NEXO_TEST_DATABASE_URL`` is set, on that server. The database is dropped afterwards.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import secrets
import statistics
import time
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

REPO = Path(__file__).resolve().parents[2]
BENCH_PASSWORD = secrets.token_urlsafe(16)  # bench owners never log in


def _start_embedded_server() -> None:
    """Start the benchmark's embedded server (kept alive by a handle stopped at interpreter exit)."""
    if os.environ.get("NEXO_TEST_DATABASE_URL"):
        return
    data = Path(os.environ.get("NEXO_BENCH_PGDATA", str(REPO / ".nexo" / "bench-pgdata")))
    os.environ["NEXO_TEST_PGDATA"] = str(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        global _SERVER
        _SERVER = pgserver.get_server(str(data), cleanup_mode="stop")  # type: ignore[attr-defined]


_SERVER: Any = None


def bench_settings(url: str, **db: Any) -> Any:
    """Settings for a benchmark process pointed at ``url`` (test mode, a throw-away secret, quiet logs)."""
    from nexo.platform.db.engine import normalize_url
    from nexo.platform.settings import Settings

    os.environ.update(
        {
            "NEXO_ENV": "test",
            "NEXO_SECRET_KEY": os.environ.get("NEXO_SECRET_KEY") or secrets.token_urlsafe(48),
            "NEXO_DATABASE_URL": normalize_url(url),
            "NEXO_LOG_LEVEL": "WARNING",
        }
    )
    settings = Settings.from_env()
    return dataclasses.replace(settings, db=dataclasses.replace(settings.db, **db)) if db else settings


@dataclass
class BenchDatabase:
    url: str
    settings: Any
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]


@asynccontextmanager
async def bench_database(pool_size: int = 10, *, citus_url: str | None = None) -> AsyncIterator[BenchDatabase]:
    """A new database with the public schema migrated; dropped (with every tenant schema) afterwards.

    With ``citus_url`` (a Citus coordinator's admin database, as ``NEXO_TEST_CITUS_URL``) the database is made on
    the coordinator and its workers, as the citus test suite makes it."""
    from nexo.platform.db.engine import create_engine, create_session_maker
    from nexo.platform.migrations.fanout import upgrade_public_schema
    from nexo.tests.database import temporary_citus_database, temporary_database

    if citus_url:
        database = temporary_citus_database(citus_url)
    else:
        _start_embedded_server()
        database = temporary_database(Path(os.environ.get("NEXO_TEST_PGDATA", str(REPO / ".nexo" / "bench-pgdata"))))
    with database as url:
        settings = bench_settings(url)
        engine = create_engine(settings, pool_size=pool_size, max_overflow=0)
        try:
            await upgrade_public_schema(engine)
            yield BenchDatabase(settings.db.url, settings, engine, create_session_maker(engine))
        finally:
            await engine.dispose()


SeedFn = Callable[[AsyncSession, Any], Awaitable[None]]


async def create_tenants(
    db: BenchDatabase, count: int, *, prefix: str = "t", concurrency: int = 4, seed: SeedFn | None = None
) -> list[Any]:
    """``count`` workspaces provisioned the way signup does it, one owner for all; ``seed(session, tenant)`` runs
    bound to each new tenant in the same transaction."""
    from nexo.platform.accounts.services import create_user
    from nexo.platform.db.tenancy import bind_tenant
    from nexo.tenants.provisioning import provision_tenant

    async with db.sessions() as session:
        owner = await create_user(
            session, email=f"bench-{prefix}@example.com", full_name="Bench", password=BENCH_PASSWORD
        )
        await session.commit()
    limit = asyncio.Semaphore(concurrency)

    async def one(index: int) -> Any:
        async with limit, db.sessions() as session:
            tenant = await provision_tenant(session, name=f"Bench {index}", slug=f"{prefix}-{index}", owner=owner)
            if seed is not None:
                await bind_tenant(session, tenant.schema_name)
                await seed(session, tenant)
            await session.commit()
            return tenant

    return list(await asyncio.gather(*(one(i) for i in range(count))))


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def summary_ms(samples: Sequence[float]) -> tuple[float, float]:
    """(p50, p95) in milliseconds of samples in seconds."""
    return round(statistics.median(samples) * 1000, 1), round(percentile(samples, 0.95) * 1000, 1)


class Stopwatch:
    def __enter__(self) -> Stopwatch:
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.started
