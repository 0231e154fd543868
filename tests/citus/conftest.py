"""The ``citus`` suite: the tenancy, signup, module, migration, ERP, API, webhook and job tests of the main suite,
run again against a Citus coordinator with schema-based sharding (``NEXO_TEST_CITUS_URL``), plus Citus-only checks.

Each test module here imports the tests of one main-suite module; the session fixtures below (re-declared from
tests/conftest.py, so they are cached apart from the main suite's) put them on a fresh database created on the
coordinator and on every worker, with the ``citus`` extension and the workers registered.

Citus is packaged by neither Debian nor PyPI, so this suite is the one exception to "never skip under CI=true": it
skips, saying why, when no Citus coordinator answers at ``NEXO_TEST_CITUS_URL``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from nexo.platform.db.engine import normalize_url
from nexo.tests.conftest import app, engine, sessions, settings
from nexo.tests.database import citus_unavailable, temporary_citus_database

__all__ = ["app", "engine", "sessions", "settings"]

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.citus)


@pytest.fixture(scope="session")
def citus_admin_url() -> str:
    """A Citus coordinator's admin database (its workers registered there), from ``NEXO_TEST_CITUS_URL``."""
    url = os.environ.get("NEXO_TEST_CITUS_URL")
    reason = citus_unavailable(url)
    if reason or not url:
        pytest.skip(f"citus suite skipped: {reason}")  # the one skip allowed under CI=true (see above)
    return url


@pytest.fixture(scope="session")
def new_database(citus_admin_url: str) -> Callable[[], AbstractContextManager[str]]:
    return lambda: temporary_citus_database(citus_admin_url)


@pytest.fixture(scope="session")
def database_url(new_database: Callable[[], AbstractContextManager[str]]) -> Iterator[str]:
    with new_database() as url:
        yield normalize_url(url)
