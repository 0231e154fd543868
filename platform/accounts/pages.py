"""Sign in and sign out."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.accounts.models import User
from nexo.platform.accounts.services import authenticate
from nexo.platform.accounts.sessions import rotate_session
from nexo.platform.web.rendering import render
from nexo.tenants.models import Membership, Tenant

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


def safe_next(target: str | None) -> str | None:
    """Only local paths are followed after login (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


async def home_path_for(session: AsyncSession, user: User) -> str:
    slug = await session.scalar(
        select(Tenant.slug)
        .join(Membership, Membership.tenant_id == Tenant.id)
        .where(Membership.user_id == user.id)
        .order_by(Membership.created_at)
        .limit(1)
    )
    return f"/w/{slug}/" if slug else "/workspaces"


class LoginController(Controller):
    path = "/"
    opt = {"exclude_from_auth": True}

    @get("/login", name="login")
    async def login_page(self, request: Request[Any, Any, Any], next: str | None = None) -> Template:
        return render(request, "accounts/login.html", {"next": safe_next(next) or "", "errors": {}, "email": ""})

    @post("/login", name="login.submit", opt={"rate_limit": "login"})
    async def login(self, request: Request[Any, Any, Any], db_session: AsyncSession, data: FormData) -> Any:
        email = data.get("email", "").strip().lower()
        user = await authenticate(db_session, email, data.get("password", ""))
        target = safe_next(data.get("next"))
        if user is None:
            context = {"next": target or "", "email": email, "errors": {"form": "Wrong e-mail or password."}}
            return render(request, "accounts/login.html", context, status_code=400)
        rotate_session(request)
        request.set_session({"user_id": user.id})
        return Redirect(target or await home_path_for(db_session, user), status_code=303)

    @post("/logout", name="logout", opt={"exclude_from_auth": False})
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        request.clear_session()
        return Redirect("/login", status_code=303)
