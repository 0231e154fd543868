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
