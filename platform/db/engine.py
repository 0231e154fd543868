"""The one engine and pool shared by every tenant."""

from __future__ import annotations

import uuid
import weakref
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.util import await_only

from nexo.platform.db.script import split_statements
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


def is_citus(connection: Connection) -> bool:
    """Whether the database is a Citus coordinator (it has the ``citus`` extension)."""
    return bool(connection.exec_driver_sql(_CITUS_QUERY).scalar())


def sends_per_statement(connection: Connection) -> bool:
    """Whether scripts go one statement per query on this connection's engine: on Citus, asked once per engine (an
    engine serves one database, whose extensions do not change under a running app)."""
    engine = connection.engine
    known = _PER_STATEMENT.get(engine)
    if known is None:
        known = is_citus(connection)
        _PER_STATEMENT[engine] = known
    return known


def send_scripts_per_statement(engine: AsyncEngine | Engine, per_statement: bool = True) -> None:
    """Fix how ``engine`` sends scripts, whatever the server (benchmarks and tests compare both ways on plain
    PostgreSQL)."""
    _PER_STATEMENT[engine.sync_engine if isinstance(engine, AsyncEngine) else engine] = per_statement


_CITUS_QUERY = "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'citus')"
_PER_STATEMENT: weakref.WeakKeyDictionary[Engine, bool] = weakref.WeakKeyDictionary()


def execute_script(connection: Connection, sql: str) -> None:
    """Run several SQL statements on a sync connection of the async engine, inside the caller's transaction.

    On plain PostgreSQL the whole script goes in one query (simple-query protocol: one round trip, measurably faster
    for provisioning; see infra/bench ``provision_full``). Citus forwards a DDL command's raw query string to the
    worker holding the table, and a worker refuses several commands in one string, so on a Citus coordinator the
    script is split and sent one statement per query. asyncpg prepares statements with parameters and refuses
    multi-statement text, so scripts go to the driver directly.
    """
    if sends_per_statement(connection):
        for statement in split_statements(sql):
            _execute_simple(connection, statement)
    else:
        _execute_simple(connection, sql)


def _execute_simple(connection: Connection, sql: str) -> None:
    driver = connection.connection.driver_connection
    if driver is not None and connection.dialect.driver == "asyncpg":
        if connection.in_transaction() and not driver.is_in_transaction():
            # SQLAlchemy's asyncpg adapter sends BEGIN with its first statement; a script going to the driver
            # first would run outside the caller's transaction (each statement committed on its own).
            connection.exec_driver_sql("SELECT 1")
        await_only(driver.execute(sql))
    else:
        connection.exec_driver_sql(sql)
