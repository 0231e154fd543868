"""One pooled connection, many tenants: 1,000 alternating transactions never see the other tenant's rows.

Half-failed transactions (an error after the bind and a first query, some with a write) are part of the run, and so
is an unbound transaction now and then, which must find the server's default search path. The same alternation
runs through a real PgBouncer in transaction mode, where two client connections share one server connection.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from nexo.modules.directory.models import Person
from nexo.platform.db.engine import create_engine, create_session_maker, libpq_url
from nexo.platform.db.tenancy import bind_tenant
from nexo.platform.settings import Settings
from nexo.tests.conftest import require_system_part
from nexo.tests.factories import Workspace, tenant_session
from nexo.tests.pgbouncer import find_pgbouncer, running_pgbouncer

ROUNDS = 1000


class DeliberateFailureError(RuntimeError):
    pass


@dataclasses.dataclass
class Seeded:
    workspace: Workspace
    marker: str


async def seed(sessions: async_sessionmaker[AsyncSession], workspace: Workspace, marker: str) -> Seeded:
    session = await tenant_session(sessions, workspace)
    async with session:
        session.add_all([Person(first_name=f"P{i}", last_name=marker) for i in range(3)])
        await session.commit()
    return Seeded(workspace, marker)


async def one_transaction(sessions: async_sessionmaker[AsyncSession], tenant: Seeded, step: int) -> int:
    """Read the tenant's rows (asserting they are its own); every 10th step fails half-way. Returns the backend pid."""
    session = sessions()
    await bind_tenant(session, tenant.workspace.schema)
    async with session:
        names = set((await session.scalars(select(Person.last_name))).all())
        assert names == {tenant.marker}, f"step {step}: {tenant.workspace.schema} saw {names}"
        pid = int(await session.scalar(text("SELECT pg_backend_pid()")) or 0)
        if step % 10 == 3:
            session.add(Person(first_name="Ghost", last_name=f"ghost-{step}"))
            await session.flush()
            raise DeliberateFailureError(step)
        if step % 10 == 7:
            await session.execute(text("SELECT 1 / 0"))  # the server aborts the transaction
        await session.commit()
    return pid


async def guarded(sessions: async_sessionmaker[AsyncSession], tenant: Seeded, step: int) -> int | None:
    try:
        return await one_transaction(sessions, tenant, step)
    except (DeliberateFailureError, DBAPIError) as exc:
        assert step % 10 in (3, 7), exc
        return None


async def unbound_search_path(sessions: async_sessionmaker[AsyncSession]) -> str:
    async with sessions() as session:
        return str(await session.scalar(text("SELECT current_setting('search_path')")))


async def assert_no_leak(sessions: async_sessionmaker[AsyncSession], tenants: list[Seeded], *, pairs: bool) -> set[int]:
    default_path = await unbound_search_path(sessions)
    assert "tenant_" not in default_path
    pids: set[int] = set()
    for step in range(0, ROUNDS, 2):
        first, second = tenants[(step // 2) % 2], tenants[(step // 2 + 1) % 2]
        if pairs:  # two client connections at once
            results = await asyncio.gather(guarded(sessions, first, step), guarded(sessions, second, step + 1))
        else:
            results = [await guarded(sessions, first, step), await guarded(sessions, second, step + 1)]
        pids.update(pid for pid in results if pid is not None)
        if step % 50 == 0:
            assert await unbound_search_path(sessions) == default_path
    for tenant in tenants:  # nothing of the failed transactions landed anywhere
        assert await count_people(sessions, tenant.workspace) == 3
    return pids


async def count_people(sessions: async_sessionmaker[AsyncSession], workspace: Workspace) -> int:
    session = await tenant_session(sessions, workspace)
    async with session:
        return len((await session.scalars(select(Person.id))).all())


@pytest.fixture
async def seeded(sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace) -> list[Seeded]:
    return [await seed(sessions, tenant_a, "alpha-row"), await seed(sessions, tenant_b, "beta-row")]


@pytest.fixture
async def one_connection(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings, pool_size=1, max_overflow=0)
    yield engine
    await engine.dispose()


async def test_one_connection_alternating_tenants_never_leaks(
    one_connection: AsyncEngine, seeded: list[Seeded]
) -> None:
    pids = await assert_no_leak(create_session_maker(one_connection), seeded, pairs=False)
    assert len(pids) == 1  # every transaction really shared the one connection


async def test_through_pgbouncer_in_transaction_mode_never_leaks(
    settings: Settings, database_url: str, seeded: list[Seeded]
) -> None:
    require_system_part(find_pgbouncer() is not None, "pgbouncer is not installed (apt-get install pgbouncer)")
    with running_pgbouncer(libpq_url(database_url), server_connections=1) as bouncer_url:
        bouncer_settings = dataclasses.replace(
            settings, db=dataclasses.replace(settings.db, url=bouncer_url, behind_pgbouncer=True)
        )
        engine = create_engine(bouncer_settings, pool_size=2, max_overflow=0)
        try:
            pids = await assert_no_leak(create_session_maker(engine), seeded, pairs=True)
        finally:
            await engine.dispose()
    assert len(pids) == 1  # two client connections, one server connection: PgBouncer multiplexed them
