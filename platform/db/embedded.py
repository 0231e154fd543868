"""The embedded PostgreSQL (pgserver) used when ``NEXO_DATABASE_URL`` is unset.

Its data lives in ``<data_dir>/pgdata`` and survives restarts; the server keeps running after Nexo stops and is
reused by the next start.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from urllib.parse import quote


def embedded_database_url(data_dir: Path, database: str = "nexo") -> str:
    """Start (or reuse) the embedded server and return an asyncpg URL to ``database``, creating it if needed."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pgserver

        server = pgserver.get_server(  # type: ignore[attr-defined]
            str(data_dir / "pgdata"), cleanup_mode=None
        )
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608 (the name comes from our own callers, never from a request)
    if "(1 row)" not in exists:
        server.psql(f'CREATE DATABASE "{database}";')
    socket_dir = str(data_dir / "pgdata")
    return f"postgresql+asyncpg://postgres@/{database}?host={quote(socket_dir)}"
