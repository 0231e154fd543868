"""ERP fixtures: two workspaces with every ERP module on, tenant-bound sessions, and a fixed "today".

Documents dated "today" by the services (a credit note, a delivery or payment without a date) fall on ``TODAY``,
so the fixed dates of these tests (September to December 2026) keep their order to "today" on any calendar day.
"""

from __future__ import annotations

import datetime
from collections.abc import AsyncIterator, Iterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.erp.context import ErpContext
from nexo.platform import clock
from nexo.tests.factories import Workspace, make_workspace, tenant_session

TODAY = datetime.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def fixed_today() -> Iterator[datetime.date]:
    with clock.frozen(TODAY) as day:
        yield day


ERP_MODULES = ("erp.inventory", "erp.purchasing", "erp.sales", "erp.accounting", "erp.hr", "erp.manufacturing")


@pytest.fixture
async def erp_a(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await make_workspace(sessions, name="Alpha Trading", modules=ERP_MODULES)


@pytest.fixture
async def erp_b(sessions: async_sessionmaker[AsyncSession]) -> Workspace:
    return await make_workspace(sessions, name="Beta Works", modules=ERP_MODULES)


def erp_context(workspace: Workspace, modules: tuple[str, ...] = ERP_MODULES) -> ErpContext:
    return ErpContext(currency=workspace.tenant.currency, modules=frozenset(modules), user_id=workspace.owner.id)


@pytest.fixture
async def session_a(sessions: async_sessionmaker[AsyncSession], erp_a: Workspace) -> AsyncIterator[AsyncSession]:
    session = await tenant_session(sessions, erp_a)
    async with session:
        yield session


@pytest.fixture
async def session_b(sessions: async_sessionmaker[AsyncSession], erp_b: Workspace) -> AsyncIterator[AsyncSession]:
    session = await tenant_session(sessions, erp_b)
    async with session:
        yield session
