"""The tenancy and signup tests on Citus again, through a real PgBouncer in transaction mode in front of the
coordinator (what production runs): the session fixtures are re-declared so the app and the factories connect
through it."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest

from nexo.platform.db.engine import libpq_url
from nexo.platform.settings import Settings
from nexo.tests.conftest import app, engine, require_system_part, sessions
from nexo.tests.pgbouncer import find_pgbouncer, running_pgbouncer

__all__ = ["app", "engine", "sessions"]


@pytest.fixture(scope="session")
def bouncer_url(database_url: str) -> Iterator[str]:
    require_system_part(find_pgbouncer() is not None, "pgbouncer is not installed (apt-get install pgbouncer)")
    with running_pgbouncer(libpq_url(database_url), server_connections=4) as url:
        yield url


@pytest.fixture(scope="session")
def settings(settings: Settings, bouncer_url: str) -> Settings:
    """The coordinator's settings, pointed at PgBouncer (transaction mode: no named prepared statements)."""
    return dataclasses.replace(settings, db=dataclasses.replace(settings.db, url=bouncer_url, behind_pgbouncer=True))
