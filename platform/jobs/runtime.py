"""Opening the job queue on Nexo's database, for the web app and for ``nexo worker``."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from procrastinate import App
from psycopg_pool import AsyncConnectionPool

from nexo.platform.db.engine import database_url, libpq_url
from nexo.platform.jobs import TASK_MODULES, jobs
from nexo.platform.settings import Settings


def import_tasks() -> None:
    for module in TASK_MODULES:
        importlib.import_module(module)


@asynccontextmanager
async def open_jobs(settings: Settings, *, max_size: int = 4) -> AsyncIterator[App]:
    """Open ``jobs`` on a small psycopg pool to Nexo's database for the duration of the block."""
    import_tasks()
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
        # procrastinate keeps a pool it did not create after closing; forget it so the app can be opened again
        # (each test client's lifespan opens and closes the queue).
        jobs.connector._async_pool = None  # type: ignore[attr-defined]
