"""Opening the job queue on Nexo's database, for the web app and for ``nexo worker``."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from procrastinate import App
from procrastinate.exceptions import AppNotOpen
from psycopg_pool import AsyncConnectionPool

from nexo.platform.db.engine import database_url, libpq_url
from nexo.platform.jobs import TASK_MODULES, jobs
from nexo.platform.settings import Settings


def import_tasks() -> None:
    for module in TASK_MODULES:
        importlib.import_module(module)


def is_open(app: App) -> bool:
    try:
        app.connector.pool  # type: ignore[attr-defined]  # noqa: B018 - raises AppNotOpen when closed
    except AppNotOpen:
        return False
    return True


@asynccontextmanager
async def open_jobs(settings: Settings, *, max_size: int = 4) -> AsyncIterator[App]:
    """Open ``jobs`` on a small psycopg pool to Nexo's database for the duration of the block.

    ``jobs`` is one process-wide app: when it is already open (the web app's lifespan holds it), the block uses
    it as it is and leaves it open.
    """
    import_tasks()
    if is_open(jobs):
        yield jobs
        return
    pool = AsyncConnectionPool(
        conninfo=libpq_url(database_url(settings)),
        min_size=1,
        max_size=max_size,
        open=False,
        kwargs={"prepare_threshold": None} if settings.db.behind_pgbouncer else None,
    )
    await pool.open()
    try:
        async with jobs.open_async(pool):
            yield jobs
    finally:
        await pool.close()
        _forget_pool(pool)


def _forget_pool(pool: AsyncConnectionPool) -> None:
    """procrastinate keeps an externally given pool after closing (its ``close_async`` returns early for one), and
    its next ``open_async`` then returns early too: the app would stay bound to this closed pool. Forget it, so the
    queue can be opened again in the same process (one app after another in tests, several lifespans)."""
    connector = jobs.connector
    if getattr(connector, "_async_pool", None) is pool:
        connector._async_pool = None  # type: ignore[attr-defined]
        connector._pool_externally_set = False  # type: ignore[attr-defined]
