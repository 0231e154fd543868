"""ERP fixtures: two workspaces with every ERP module on, and tenant-bound sessions ("today" is fixed for every
test by ``fixed_today`` in ``tests/conftest.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.modules.erp.context import ErpContext
from nexo.tests.factories import Workspace, make_workspace, tenant_session

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
