"""The drift check behind ``nexo db check``: models against migrations, on a database, changing nothing.

Each tree is migrated inside a transaction that is rolled back: the public tree on a connection whose default schema
is a scratch one (so Alembic sees the models' explicit ``public`` tables), the tenant tree in a scratch schema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine

from nexo.platform.db.engine import create_engine
from nexo.platform.migrations import autogen
from nexo.platform.settings import Settings

T = TypeVar("T")


async def public_differences(settings: Settings, metadata: list[MetaData] | None = None) -> list[str]:
    """The public tree's differences. The scratch schema that makes the models' ``public`` tables match exists only
    while this runs, and before the checking connection opens (PostgreSQL resolves the default schema at connect)."""
    engine = create_engine(settings)
    try:
        async with engine.begin() as connection:
            await connection.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {autogen.AUTOGEN_SCRATCH}")
        scratch = create_engine(
            settings, connect_args={"server_settings": {"search_path": f"{autogen.AUTOGEN_SCRATCH},public"}}
        )
        try:
            return await _rolled_back(scratch, autogen.public_drift, metadata)
        finally:
            await scratch.dispose()
    finally:
        async with engine.begin() as connection:
            await connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {autogen.AUTOGEN_SCRATCH} CASCADE")
        await engine.dispose()


async def _rolled_back(engine: AsyncEngine, check: Callable[..., T], *args: Any) -> T:
    """Run ``check(connection, *args)`` in a transaction that is rolled back whatever happens."""
    async with engine.connect() as connection:
        transaction = await connection.begin()
        try:
            return await connection.run_sync(check, *args)
        finally:
            await transaction.rollback()


async def tenant_differences(engine: AsyncEngine, metadata: MetaData | None = None) -> dict[str, list[str]]:
    return await _rolled_back(engine, autogen.tenant_drift, metadata)


async def check_drift(settings: Settings) -> dict[str, list[str]]:
    """``{"public": [...], "tenant/<branch>": [...]}`` for every tree or branch whose models and migrations differ."""
    drift: dict[str, list[str]] = {}
    public = await public_differences(settings)
    if public:
        drift["public"] = public
    engine = create_engine(settings)
    try:
        for branch, differences in (await tenant_differences(engine)).items():
            drift[f"tenant/{branch}"] = differences
    finally:
        await engine.dispose()
    return drift
