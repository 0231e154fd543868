"""Accepting an invitation: ``/invitations/{token}`` (outside any workspace; the link is the credential)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.accounts.models import User
from nexo.platform.accounts.pages import sign_in
from nexo.platform.accounts.services import get_user_by_email
from nexo.platform.web.kit import FormData
from nexo.platform.web.rendering import render
from nexo.tenants.admin.common import app_settings
from nexo.tenants.invitations import InvitationError, accept, open_invitation
from nexo.tenants.models import Invitation


def _signed_in(request: Request[Any, Any, Any]) -> User | None:
    user = request.scope.get("user")
    return user if isinstance(user, User) else None


class InvitationPages(Controller):
    path = "/invitations"
    opt = {"exclude_from_auth": True}

    async def _form(
        self,
        request: Request[Any, Any, Any],
        session: AsyncSession,
        invitation: Invitation,
        token: str,
        errors: dict[str, str],
        full_name: str = "",
        status_code: int = 200,
    ) -> Template:
        user = _signed_in(request)
        as_signed_in = user is not None and user.email == invitation.email
        has_account = as_signed_in or await get_user_by_email(session, invitation.email) is not None
        context = {
            "invitation": invitation,
            "token": token,
            "errors": errors,
            "full_name": full_name,
            "as_signed_in": as_signed_in,
            "has_account": has_account,
        }
        return render(request, "admin/invitation.html", context, status_code=status_code)

    @get("/{token:str}", name="invitation")
    async def show(self, request: Request[Any, Any, Any], db_session: AsyncSession, token: str) -> Template:
        try:
            invitation = await open_invitation(db_session, app_settings(request), token)
        except InvitationError as refused:
            return render(request, "admin/invitation_invalid.html", {"detail": refused.message}, status_code=404)
        return await self._form(request, db_session, invitation, token, {})

    @post("/{token:str}", name="invitation.accept")
    async def accept(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, token: str, data: FormData
    ) -> Any:
        settings = app_settings(request)
        user = _signed_in(request)
        full_name = data.get("full_name", "")
        try:
            acceptance = await accept(
                db_session, settings, token, signed_in=user, password=data.get("password", ""), full_name=full_name
            )
        except InvitationError as refused:  # nothing was written; the 4xx response rolls back anyway
            try:
                invitation = await open_invitation(db_session, settings, token)
            except InvitationError as invalid:
                return render(request, "admin/invitation_invalid.html", {"detail": invalid.message}, status_code=404)
            return await self._form(
                request,
                db_session,
                invitation,
                token,
                {refused.field: refused.message},
                full_name=full_name,
                status_code=400,
            )
        if user is None or user.id != acceptance.user.id:
            sign_in(request, acceptance.user)
        return Redirect(f"/w/{acceptance.tenant.slug}/", status_code=303)
