"""Helpers for the admin-area tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nexo.tenants.audit import AuditEntry
from nexo.tests.factories import Workspace, tenant_session


async def audit_actions(sessions: async_sessionmaker[AsyncSession], ws: Workspace) -> list[tuple[str, str, Any]]:
    """(action, target, details) of every audit entry of ``ws``, oldest first."""
    session = await tenant_session(sessions, ws)
    async with session:
        rows = await session.scalars(select(AuditEntry).order_by(AuditEntry.id))
        return [(e.action, e.target, e.details) for e in rows]


def htmx() -> dict[str, str]:
    return {"hx-request": "true"}
