"""The one engine and pool shared by every tenant."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util import await_only

from nexo.platform.settings import Settings


def database_url(settings: Settings) -> str:
    """The configured URL, or the embedded server's (started on demand) when none is set."""
    if settings.db.url:
        return normalize_url(settings.db.url)
    from nexo.platform.db.embedded import embedded_database_url

    return embedded_database_url(settings.app.data_dir)


def normalize_url(url: str) -> str:
    """Accept ``postgres://`` and ``postgresql://`` URLs and use the asyncpg driver."""
    for prefix in ("postgres://", "postgresql://", "postgresql+psycopg://", "postgresql+psycopg2://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def libpq_url(url: str) -> str:
    """A plain libpq URL (``postgresql://``) for psycopg connections and command-line tools."""
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def create_engine(settings: Settings, url: str | None = None, **overrides: Any) -> AsyncEngine:
    connect_args: dict[str, Any] = {"server_settings": {"application_name": "nexo"}}
    if settings.db.behind_pgbouncer:
        # PgBouncer in transaction mode cannot keep named prepared statements across transactions.
        connect_args.update(
            statement_cache_size=0,
            prepared_statement_cache_size=0,
            prepared_statement_name_func=lambda: f"__nexo_{uuid.uuid4().hex}__",
        )
        connect_args.pop("server_settings")
    options: dict[str, Any] = {
        "pool_size": settings.db.pool_size,
        "max_overflow": settings.db.max_overflow,
        "pool_pre_ping": False,
        "echo": settings.db.echo,
        "connect_args": connect_args,
    }
    options.update(overrides)
    return create_async_engine(url or database_url(settings), **options)


def create_session_maker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, class_=AsyncSession)


def execute_script(connection: Connection, sql: str) -> None:
    """Run several SQL statements at once (simple-query protocol) on a sync connection of the async engine.

    asyncpg prepares every statement and refuses multi-statement text, so scripts go to the driver directly,
    inside the caller's transaction.
    """
    driver = connection.connection.driver_connection
    if driver is not None and connection.dialect.driver == "asyncpg":
        await_only(driver.execute(sql))
    else:
        connection.exec_driver_sql(sql)
