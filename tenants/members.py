"""Members of a workspace: list, change role, remove; the workspace always keeps an owner.

Only an owner may make someone an owner or change or remove an owner. Changes lock the workspace's owner rows so
two admins demoting the last two owners at once cannot leave the workspace without one. Every change is audited
in the caller's (tenant-bound) transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.tenancy.context import Role, TenantContext
from nexo.tenants.audit import record
from nexo.tenants.models import Membership


class MemberError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


async def list_members(session: AsyncSession, tenant_id: int) -> list[Membership]:
    rows = await session.scalars(
        select(Membership).where(Membership.tenant_id == tenant_id).order_by(Membership.created_at, Membership.id)
    )
    return list(rows)


async def _membership(session: AsyncSession, tenant_id: int, membership_id: int) -> Membership:
    membership = await session.scalar(
        select(Membership)
        .where(Membership.id == membership_id, Membership.tenant_id == tenant_id)
        .with_for_update(of=Membership)
    )
    if membership is None:
        raise MemberError("This person is not a member of this workspace.")
    return membership


async def _owner_count(session: AsyncSession, tenant_id: int) -> int:
    owners = await session.scalars(
        select(Membership.id).where(Membership.tenant_id == tenant_id, Membership.role == Role.OWNER).with_for_update()
    )
    return len(list(owners))


def _check_may_touch(actor: TenantContext, membership: Membership, new_role: Role | None) -> None:
    if (membership.role is Role.OWNER or new_role is Role.OWNER) and not actor.is_owner:
        raise MemberError("Only an owner can make someone an owner or change an owner.")


async def change_role(session: AsyncSession, actor: TenantContext, membership_id: int, role: Role) -> Membership:
    membership = await _membership(session, actor.tenant_id, membership_id)
    _check_may_touch(actor, membership, role)
    if membership.role is role:
        return membership
    if membership.role is Role.OWNER and await _owner_count(session, actor.tenant_id) <= 1:
        raise MemberError(f"{membership.user.full_name} is the last owner. Make someone else an owner first.")
    old = membership.role
    membership.role = role
    await session.flush()
    await record(
        session,
        "member.role_changed",
        target=membership.user.email,
        details={"from": old.value, "to": role.value},
        **actor.actor,
    )
    return membership


async def remove_member(session: AsyncSession, actor: TenantContext, membership_id: int) -> str:
    """Remove a member; returns their e-mail. Members may also leave by removing themselves."""
    membership = await _membership(session, actor.tenant_id, membership_id)
    _check_may_touch(actor, membership, None)
    if membership.role is Role.OWNER and await _owner_count(session, actor.tenant_id) <= 1:
        raise MemberError(f"{membership.user.full_name} is the last owner and cannot be removed.")
    email = membership.user.email
    role = membership.role
    await session.delete(membership)
    await session.flush()
    await record(session, "member.removed", target=email, details={"role": role.value}, **actor.actor)
    return email


async def member_count(session: AsyncSession, tenant_id: int) -> int:
    return int(await session.scalar(select(func.count()).where(Membership.tenant_id == tenant_id)) or 0)


def role_choices(actor: TenantContext) -> list[dict[str, Any]]:
    """Roles the acting user may hand out."""
    roles = [Role.MEMBER, Role.ADMIN] + ([Role.OWNER] if actor.is_owner else [])
    return [{"value": r.value, "label": r.value.title()} for r in roles]
