"""API test helpers: tokens from the real token endpoint (client credentials of a workspace's own integration)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.platform.api.auth import token_cache
from nexo.tenants.models import Tenant, TenantModule
from nexo.tenants.module_state import MODULE_SWITCH_HOOKS, enabled_module_keys
from nexo.tests.factories import Workspace
from nexo.tests.partner import make_integration

TokenFactory = Callable[..., Coroutine[Any, Any, dict[str, str]]]


@pytest.fixture
def token_for(client: AsyncTestClient[Litestar], sessions: async_sessionmaker[AsyncSession]) -> TokenFactory:
    async def issue(ws: Workspace, scopes: tuple[str, ...] = ("directory.read", "directory.write")) -> dict[str, str]:
        integration = await make_integration(sessions, ws, scopes)
        answer = await client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials"},
            auth=(integration.client_id, integration.client_secret),
        )
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}

    return issue


async def switch_module(sessions: async_sessionmaker[AsyncSession], ws: Workspace, key: str, enabled: bool) -> None:
    """Flip a module the way the module switch does: the row, then the switch hooks, in one transaction. The commit
    itself empties this process's token cache (other processes hear the NOTIFY a moment later)."""
    generation = token_cache.generation
    async with sessions() as session:
        await session.execute(
            update(TenantModule)
            .where(TenantModule.tenant_id == ws.tenant.id, TenantModule.module_key == key)
            .values(enabled=enabled)
        )
        tenant = await session.get_one(Tenant, ws.tenant.id)
        keys = await enabled_module_keys(session, ws.tenant.id)
        for hook in MODULE_SWITCH_HOOKS:
            await hook(session, tenant, keys)
        await session.commit()
    assert token_cache.generation != generation, "the commit of a module switch must drop cached tokens at once"
