"""Helpers shared by the benchmarks: a temporary database, settings, an engine, many tenants, timing.

A benchmark runs against a database of its own on an embedded server it starts (in a temporary folder, or in
``NEXO_BENCH_PGDATA`` when set) or, when ``NEXO_TEST_DATABASE_URL`` is set, on that server. The database is dropped
afterwards; the embedded server is stopped and every temporary folder removed when the process ends, also on
failure, Ctrl-C or SIGTERM (see :func:`cleanup`).
"""

from __future__ import annotations

import asyncio
import atexit
import dataclasses
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
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


# --- clean-up: every embedded server, child process and temporary folder a benchmark makes is gone when it ends,
# also after a failure, Ctrl-C (SIGINT) or SIGTERM (turned into KeyboardInterrupt so every `finally` runs).

_FOLDERS: list[Path] = []
_SERVERS: list[tuple[Any, Path]] = []  # (pgserver handle, its data folder)
_CHILDREN: list[subprocess.Popen[bytes]] = []
_INSTALLED = False
_INTERRUPTED: list[int] = []  # SIGTERM/SIGHUP received, so the runner answers 130 whatever exception they caused


def _interrupt(number: int, frame: Any) -> None:
    """SIGTERM/SIGHUP: remember it, then raise SIGINT. Ctrl-C's own handling then applies: inside ``asyncio.run``
    the runner cancels the benchmark's task cleanly (every ``finally`` runs) and raises KeyboardInterrupt; outside it
    Python raises KeyboardInterrupt at once. Raising KeyboardInterrupt from this handler instead could land inside a
    database driver's callback and leave the loop waiting forever."""
    _INTERRUPTED.append(number)
    signal.raise_signal(signal.SIGINT)


def interrupted() -> bool:
    """True once SIGTERM or SIGHUP reached this process (Ctrl-C shows itself as KeyboardInterrupt)."""
    return bool(_INTERRUPTED)


def install_cleanup() -> None:
    """Register :func:`cleanup` at interpreter exit and make SIGTERM/SIGHUP behave like Ctrl-C (idempotent)."""
    global _INSTALLED
    if _INSTALLED:
        return
    _INSTALLED = True
    atexit.register(cleanup)
    if threading.current_thread() is threading.main_thread():
        for number in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(number, _interrupt)


def scratch_dir(prefix: str) -> Path:
    """A new temporary folder, removed when the benchmark process ends (however it ends)."""
    install_cleanup()
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    _FOLDERS.append(folder)
    return folder


def watch_child(process: subprocess.Popen[bytes]) -> subprocess.Popen[bytes]:
    """Terminate ``process`` (then kill it) at the end if it is still running."""
    install_cleanup()
    _CHILDREN.append(process)
    return process


def embedded_pgdata() -> Path:
    """The data folder of the process's embedded server (one per process, started on first use), for
    ``temporary_database``; the server is stopped when the process ends. Ignored (nothing is started) when
    ``NEXO_TEST_DATABASE_URL`` names a server.

    ``NEXO_BENCH_PGDATA`` names a folder that is kept between runs (no initdb each time; its server is still
    stopped); without it the server lives in a new temporary folder, deleted with it."""
    if os.environ.get("NEXO_TEST_DATABASE_URL"):
        return REPO / ".nexo" / "bench-pgdata"  # temporary_database connects to the URL and never looks here
    if _SERVERS:
        return _SERVERS[0][1]
    install_cleanup()
    given = os.environ.get("NEXO_BENCH_PGDATA")
    data = Path(given) if given else scratch_dir("nexo-bench-pg-")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        # The first handle for a folder fixes its clean-up mode; temporary_database's later get_server reuses it.
        server = pgserver.get_server(str(data), cleanup_mode="stop")  # type: ignore[attr-defined]
    _SERVERS.append((server, data))
    return data


def cleanup() -> None:
    """Stop child processes and embedded servers, remove temporary folders; safe to call more than once."""
    while _CHILDREN:
        _stop_child(_CHILDREN.pop())
    while _SERVERS:
        server, data = _SERVERS.pop()
        try:
            server.cleanup()  # pg_ctl stop, if no other process holds a handle on this server
        except Exception as error:  # a failed clean-up step must not stop the others
            print(f"bench clean-up: stopping {data}: {error}", file=sys.stderr)
        _stop_postmaster(data)
    while _FOLDERS:
        shutil.rmtree(_FOLDERS.pop(), ignore_errors=True)


def _stop_child(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _stop_postmaster(data: Path) -> None:
    """Make sure no postmaster runs on ``data`` any more (pgserver leaves it running while another process it
    knows of holds a handle, e.g. one that died without cleaning up): fast shutdown, then kill."""
    import psutil

    pid_file = data / "postmaster.pid"
    try:
        pid = int(pid_file.read_text().split()[0])
        process = psutil.Process(pid)
    except (OSError, ValueError, IndexError, psutil.Error):
        return
    if Path(data).resolve() not in {Path(a).resolve() for a in _data_args(process)}:
        return  # a recycled pid, not our postmaster
    try:
        process.send_signal(signal.SIGINT)  # PostgreSQL's "fast" shutdown
        process.wait(timeout=20)
    except psutil.TimeoutExpired:
        process.kill()
    except psutil.Error:
        pass


def _data_args(process: Any) -> list[str]:
    """The ``-D`` argument(s) of a postgres command line."""
    try:
        args = list(process.cmdline())
    except Exception:
        return []
    return [args[i + 1] for i, arg in enumerate(args[:-1]) if arg == "-D"]


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

    database = temporary_citus_database(citus_url) if citus_url else temporary_database(embedded_pgdata())
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
