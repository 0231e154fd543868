"""Test databases: a fresh database per test run on the embedded server, or on ``NEXO_TEST_DATABASE_URL``."""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import psycopg


def _admin_url_embedded(data_dir: Path) -> str:
    """Start (or join) the embedded server in ``data_dir``. pgserver counts the processes holding it: the last one
    to exit stops it (its folder stays, so the next run skips initdb), so no test run leaves a server behind."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        pgserver.get_server(str(data_dir), cleanup_mode="stop")
    return f"postgresql://postgres@/postgres?host={quote(str(data_dir))}"


def _with_database(url: str, database: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


@contextmanager
def temporary_database(data_dir: Path) -> Iterator[str]:
    """Yield a libpq URL to a new, empty database; drop it afterwards."""
    server_url = os.environ.get("NEXO_TEST_DATABASE_URL") or _admin_url_embedded(data_dir)
    server_url = server_url.replace("postgresql+asyncpg://", "postgresql://")
    name = f"nexo_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(server_url, name)
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def citus_unavailable(admin_url: str | None) -> str | None:
    """Why no Citus test can run on ``admin_url`` (``NEXO_TEST_CITUS_URL``), or None when one can."""
    if not admin_url:
        return "NEXO_TEST_CITUS_URL is not set (a Citus coordinator's admin database; see infra/citus/README.md)"
    try:
        with psycopg.connect(_libpq(admin_url), autocommit=True, connect_timeout=5) as conn:
            row = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'citus'").fetchone()
            sharding = conn.execute("SELECT current_setting('citus.enable_schema_based_sharding', true)").fetchone()
            workers = _workers(conn)
    except psycopg.Error as exc:
        return f"no Citus coordinator answers at NEXO_TEST_CITUS_URL: {exc}"
    if row is None:
        return "NEXO_TEST_CITUS_URL's database has no citus extension (CREATE EXTENSION citus; add the workers)"
    if not sharding or sharding[0] != "on":
        return "citus.enable_schema_based_sharding is not on at the coordinator (see infra/citus/README.md)"
    if len(workers) < 2:
        return f"the Citus coordinator has {len(workers)} worker(s); the suite needs two (citus_add_node)"
    return None


def _libpq(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def _workers(conn: psycopg.Connection[tuple[object, ...]]) -> list[tuple[str, int]]:
    rows = conn.execute(
        "SELECT nodename, nodeport FROM pg_dist_node WHERE noderole = 'primary' AND groupid <> 0 ORDER BY nodeid"
    ).fetchall()
    return [(str(name), int(str(port))) for name, port in rows]


def _on_node(url: str, host: str, port: int, database: str) -> str:
    parts = urlsplit(url)
    user = f"{parts.username}@" if parts.username else ""
    password = f"{parts.username}:{parts.password}@" if parts.password else user
    return urlunsplit((parts.scheme, f"{password}{host}:{port}", f"/{database}", "", ""))


@contextmanager
def temporary_citus_database(admin_url: str) -> Iterator[str]:
    """Yield a libpq URL to a new database on a Citus cluster: created on the coordinator and on every worker that
    ``admin_url``'s database lists, each with the ``citus`` extension, the workers registered in the new database.
    Dropped everywhere afterwards."""
    admin_url = _libpq(admin_url)
    parts = urlsplit(admin_url)
    coordinator = (parts.hostname or "127.0.0.1", parts.port or 5432)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        workers = _workers(conn)
    name = f"nexo_test_{uuid.uuid4().hex[:10]}"
    nodes = [coordinator, *workers]
    try:
        for host, port in nodes:
            with psycopg.connect(_on_node(admin_url, host, port, parts.path.lstrip("/")), autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            with psycopg.connect(_on_node(admin_url, host, port, name), autocommit=True) as conn:
                conn.execute("CREATE EXTENSION citus")
        with psycopg.connect(_on_node(admin_url, *coordinator, name), autocommit=True) as conn:
            conn.execute("SELECT citus_set_coordinator_host(%s, %s)", coordinator)
            for worker in workers:
                conn.execute("SELECT citus_add_node(%s, %s)", worker)
        yield _on_node(admin_url, *coordinator, name)
    finally:
        for host, port in nodes:
            with psycopg.connect(_on_node(admin_url, host, port, parts.path.lstrip("/")), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# On Citus a deferred check fails on the worker at COMMIT. Depending on how Citus commits there, the client gets the
# check's own error, or the coordinator's report of the failed commit (the check's message then arrives only as a
# WARNING). The commit is refused either way.
CITUS_REFUSED_COMMIT = "could not commit transaction for shard"


def refused_commit(reason: str, *, citus: bool) -> str:
    """The pattern of the error a commit refused by a deferred database check raises, on this kind of server."""
    return f"{reason}|{CITUS_REFUSED_COMMIT}" if citus else reason
