"""The workspace lookup binds the transaction in the same query, and only when the user is a member."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.platform.db.tenancy import bound_schema
from nexo.tenants.resolution import load_tenant_context
from nexo.tests.factories import Workspace


async def _settings(session: AsyncSession) -> tuple[str, str]:
    row = (
        await session.execute(text("SELECT current_setting('search_path'), current_setting('plan_cache_mode')"))
    ).one()
    return str(row[0]), str(row[1])


async def test_a_member_lookup_binds_the_transaction_and_the_later_ones(
    sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    async with sessions() as session:
        context = await load_tenant_context(session, tenant_a.slug, tenant_a.owner, bind=True)
        assert context is not None and context.schema == tenant_a.schema and context.billing_state is None
        assert bound_schema(session) == tenant_a.schema
        assert await _settings(session) == (tenant_a.schema, "force_custom_plan")
        await session.commit()
        search_path, _ = await _settings(session)  # a new transaction: bound again on begin
        assert search_path == tenant_a.schema


async def test_an_unknown_or_foreign_workspace_binds_nothing(
    sessions: async_sessionmaker[AsyncSession], tenant_a: Workspace, tenant_b: Workspace
) -> None:
    async with sessions() as session:
        before = await _settings(session)
        assert await load_tenant_context(session, tenant_b.slug, tenant_a.owner, bind=True) is None
        assert await load_tenant_context(session, "no-such-workspace", tenant_a.owner, bind=True) is None
        assert bound_schema(session) is None
        assert await _settings(session) == before
        assert tenant_b.schema not in before[0]
