"""Settings → Members: the member list, invitations, role changes and removals (htmx, in place)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Template
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.tenancy.context import Role, TenantContext
from nexo.platform.web.kit import FormData
from nexo.platform.web.rendering import render
from nexo.tenants.admin.common import ADMIN_ONLY, app_settings
from nexo.tenants.invitations import InvitationError, invite, pending_invitations, revoke
from nexo.tenants.members import MemberError, change_role, list_members, remove_member, role_choices


def _role(raw: str) -> Role | None:
    try:
        return Role(raw)
    except ValueError:
        return None


class MembersPages(Controller):
    path = "/settings/members"
    opt = ADMIN_ONLY

    async def _page(
        self,
        request: Request[Any, Any, Any],
        tenant: TenantContext,
        session: AsyncSession,
        *,
        status_code: int = 200,
        **extra: Any,
    ) -> Template:
        context = {
            "members": await list_members(session, tenant.tenant_id),
            "invitations": await pending_invitations(session, tenant.tenant_id),
            "roles": role_choices(tenant),
            "form": {"email": "", "role": Role.MEMBER.value},
            "errors": {},
            **extra,
        }
        return render(
            request, "admin/members.html", context, partial="admin/_members_panel.html", status_code=status_code
        )

    @get("/", name="admin.members")
    async def members_page(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession
    ) -> Template:
        return await self._page(request, tenant, db_session)

    @post("/invite", name="admin.members.invite")
    async def invite_member(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, data: FormData
    ) -> Template:
        form = {"email": data.get("email", "").strip(), "role": data.get("role", "")}
        role = _role(form["role"])
        if role is None:
            return await self._page(
                request, tenant, db_session, status_code=400, form=form, errors={"role": "Choose a role."}
            )
        try:
            invitation = await invite(db_session, app_settings(request), tenant, form["email"], role)
        except InvitationError as refused:
            return await self._page(
                request, tenant, db_session, status_code=400, form=form, errors={refused.field: refused.message}
            )
        return await self._page(request, tenant, db_session, success=f"Invitation sent to {invitation.email}.")

    @post("/invitations/{invitation_id:int}/revoke", name="admin.members.revoke")
    async def revoke_invitation(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, invitation_id: int
    ) -> Template:
        try:
            invitation = await revoke(db_session, tenant, invitation_id)
        except InvitationError as refused:
            return await self._page(request, tenant, db_session, status_code=409, error=refused.message)
        return await self._page(request, tenant, db_session, success=f"Invitation to {invitation.email} withdrawn.")

    @post("/{membership_id:int}/role", name="admin.members.role")
    async def set_role(
        self,
        request: Request[Any, Any, Any],
        tenant: TenantContext,
        db_session: AsyncSession,
        membership_id: int,
        data: FormData,
    ) -> Template:
        role = _role(data.get("role", ""))
        try:
            if role is None:
                raise MemberError("Choose a role.")
            membership = await change_role(db_session, tenant, membership_id, role)
        except MemberError as refused:
            return await self._page(
                request, tenant, db_session, status_code=409, error=refused.message, error_for=membership_id
            )
        note = f"{membership.user.full_name} is now {membership.role.value}."
        return await self._page(request, tenant, db_session, success=note)

    @post("/{membership_id:int}/remove", name="admin.members.remove")
    async def remove(
        self, request: Request[Any, Any, Any], tenant: TenantContext, db_session: AsyncSession, membership_id: int
    ) -> Template:
        try:
            email = await remove_member(db_session, tenant, membership_id)
        except MemberError as refused:
            return await self._page(
                request, tenant, db_session, status_code=409, error=refused.message, error_for=membership_id
            )
        return await self._page(request, tenant, db_session, success=f"{email} no longer has access.")
