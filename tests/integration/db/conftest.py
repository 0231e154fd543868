"""Fixtures for database tests: a scratch database of their own (so they can break and migrate it freely)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from nexo.platform.db.engine import create_engine, create_session_maker, normalize_url
from nexo.platform.migrations.fanout import upgrade_public_schema
from nexo.platform.settings import Settings


@dataclass
class ScratchDatabase:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]


@pytest.fixture
async def scratch(
    settings: Settings, new_database: Callable[[], AbstractContextManager[str]]
) -> AsyncIterator[ScratchDatabase]:
    """A new database with the public schema migrated, deleted afterwards."""
    with new_database() as url:
        scratch_settings = dataclasses.replace(settings, db=dataclasses.replace(settings.db, url=normalize_url(url)))
        engine = create_engine(scratch_settings, pool_size=5, max_overflow=0)
        try:
            await upgrade_public_schema(engine)
            yield ScratchDatabase(scratch_settings, engine, create_session_maker(engine))
        finally:
            await engine.dispose()
