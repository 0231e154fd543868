"""Sign in, sign out and reset a forgotten password."""

from __future__ import annotations

from typing import Any

import structlog
from litestar import Controller, MediaType, Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.response import Redirect, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.accounts.auth import session_data
from nexo.platform.accounts.models import User
from nexo.platform.accounts.passwords import password_problem
from nexo.platform.accounts.reset import make_reset_token, reset_mail, set_password, user_for_reset_token
from nexo.platform.accounts.services import authenticate, get_user_by_email
from nexo.platform.accounts.sessions import rotate_session
from nexo.platform.mail import Mail, send_mail
from nexo.platform.settings import Settings
from nexo.platform.tenancy.catalog import memberships, tenants
from nexo.platform.web.kit import FormData
from nexo.platform.web.rendering import render

logger = structlog.get_logger("nexo.accounts")


def safe_next(target: str | None) -> str | None:
    """Only local paths are followed after login (no open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


async def home_path_for(session: AsyncSession, user: User) -> str:
    slug = await session.scalar(
        select(tenants.c.slug)
        .join(memberships, memberships.c.tenant_id == tenants.c.id)
        .where(memberships.c.user_id == user.id)
        .order_by(memberships.c.created_at)
        .limit(1)
    )
    return f"/w/{slug}/" if slug else "/workspaces"


class LoginController(Controller):
    path = "/"
    opt = {"exclude_from_auth": True}

    @get("/login", name="login")
    async def login_page(self, request: Request[Any, Any, Any], next: str | None = None) -> Template:
        return render(request, "accounts/login.html", {"next": safe_next(next) or "", "errors": {}, "email": ""})

    @post("/login", name="login.submit", opt={"rate_limit": "login"}, media_type=MediaType.HTML)
    async def login(self, request: Request[Any, Any, Any], db_session: AsyncSession, data: FormData) -> Any:
        email = data.get("email", "").strip().lower()
        user = await authenticate(db_session, email, data.get("password", ""))
        target = safe_next(data.get("next"))
        if user is None:
            context = {"next": target or "", "email": email, "errors": {"form": "Wrong e-mail or password."}}
            return render(request, "accounts/login.html", context, status_code=400)
        sign_in(request, user)
        return Redirect(target or await home_path_for(db_session, user), status_code=303)

    @post("/logout", name="logout", opt={"exclude_from_auth": False})
    async def logout(self, request: Request[Any, Any, Any]) -> Redirect:
        request.clear_session()  # the session middleware deletes the server-side row and expires the cookie
        return Redirect("/login", status_code=303)


def sign_in(request: Request[Any, Any, Any], user: User) -> None:
    """Start a signed-in session under a fresh session id (the old one, if any, is deleted)."""
    rotate_session(request)
    request.set_session(session_data(settings_of(request).app.secret_key, user))


def settings_of(request: Request[Any, Any, Any]) -> Settings:
    settings: Settings = request.app.state["nexo_settings"]
    return settings


async def send_mail_logged(settings: Settings, mail: Mail) -> None:
    """Send after the response: the answer takes as long whether the account exists or not."""
    try:
        await send_mail(settings, mail)
    except Exception:  # the visitor already has their answer; the operator needs the reason
        logger.exception("password reset mail failed", to=mail.to)


FORGOT_SENT = (
    "If an account uses this address, we have sent it a link to choose a new password. "
    "Check your inbox (and the spam folder)."
)
INVALID_LINK = "This link is invalid, has expired or was already used. Ask for a new one."


class PasswordResetController(Controller):
    path = "/password"
    opt = {"exclude_from_auth": True}

    @get("/forgot", name="password.forgot")
    async def forgot_page(self, request: Request[Any, Any, Any]) -> Template:
        return render(request, "accounts/forgot.html", {"email": "", "errors": {}, "sent": False})

    @post("/forgot", name="password.forgot.submit")
    async def forgot(self, request: Request[Any, Any, Any], db_session: AsyncSession, data: FormData) -> Template:
        email = data.get("email", "").strip().lower()
        if not email or len(email) > 320 or "@" not in email:
            errors = {"email": "Enter the e-mail address you sign in with."}
            return render(
                request, "accounts/forgot.html", {"email": email, "errors": errors, "sent": False}, status_code=400
            )
        user = await get_user_by_email(db_session, email)
        response = render(request, "accounts/forgot.html", {"email": "", "errors": {}, "sent": FORGOT_SENT})
        if user is not None and user.is_active:
            settings = settings_of(request)
            mail = reset_mail(settings, user, make_reset_token(settings, user))
            response.background = BackgroundTask(send_mail_logged, settings, mail)
        return response

    @get("/reset/{token:str}", name="password.reset")
    async def reset_page(self, request: Request[Any, Any, Any], db_session: AsyncSession, token: str) -> Template:
        user = await user_for_reset_token(db_session, settings_of(request), token)
        if user is None:
            return render(request, "accounts/reset.html", {"invalid": INVALID_LINK, "errors": {}}, status_code=400)
        return render(request, "accounts/reset.html", {"invalid": None, "errors": {}, "token": token})

    @post("/reset/{token:str}", name="password.reset.submit", media_type=MediaType.HTML)
    async def reset(self, request: Request[Any, Any, Any], db_session: AsyncSession, token: str, data: FormData) -> Any:
        user = await user_for_reset_token(db_session, settings_of(request), token)
        if user is None:
            return render(request, "accounts/reset.html", {"invalid": INVALID_LINK, "errors": {}}, status_code=400)
        password = data.get("password", "")
        errors: dict[str, str] = {}
        problem = password_problem(password, email=user.email, name=user.full_name)
        if problem:
            errors["password"] = problem
        elif password != data.get("password_confirm", ""):
            errors["password_confirm"] = "The two passwords differ."  # noqa: S105 - a message, not a secret
        if errors:
            context = {"invalid": None, "errors": errors, "token": token}
            return render(request, "accounts/reset.html", context, status_code=400)
        await set_password(db_session, user, password)
        sign_in(request, user)
        return Redirect(await home_path_for(db_session, user), status_code=303)
