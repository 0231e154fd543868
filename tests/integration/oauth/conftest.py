"""A live Nexo server on 127.0.0.1 for the independent OAuth client libraries."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from nexo.platform.settings import Settings
from nexo.tests.partner import LiveServer, run_live_server


@pytest.fixture(scope="session")
def live_server(settings: Settings, engine: AsyncEngine) -> Iterator[LiveServer]:
    os.environ["OAUTHLIB_INSECURE_TRANSPORT"] = "1"  # the clients talk plain http to 127.0.0.1
    os.environ["AUTHLIB_INSECURE_TRANSPORT"] = "1"
    yield from run_live_server(settings)
