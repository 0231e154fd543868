"""The workspace's members, for owner and assignee choices (public tables, read in the tenant-bound session)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.accounts.models import User
from nexo.tenants.models import Membership


@dataclass(frozen=True)
class Member:
    user_id: int
    name: str
    email: str


async def workspace_members(session: AsyncSession, tenant_id: int) -> list[Member]:
    rows = await session.execute(
        select(User.id, User.full_name, User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == tenant_id)
        .order_by(User.full_name, User.id)
    )
    return [Member(user_id=r[0], name=r[1], email=r[2]) for r in rows]


async def member_ids(session: AsyncSession, tenant_id: int) -> set[int]:
    return {m.user_id for m in await workspace_members(session, tenant_id)}
