"""Choosing the language: the header's one-click switch and the account page.

The switch works for visitors too (signup, login): it sets a cookie. A signed-in person's choice is also stored on
their account (``users.language``), so it follows them to every device and to their e-mails.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, MediaType, Request, get, post
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.accounts.models import User
from nexo.platform.i18n.catalog import LANGUAGES, current_language, gettext, set_language
from nexo.platform.i18n.middleware import LANGUAGE_COOKIE
from nexo.platform.web.rendering import render

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
MAX_NAME = 200
ONE_YEAR = 365 * 24 * 3600


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def _language_cookie(request: Request[Any, Any, Any], language: str) -> Cookie:
    secure = bool(request.app.state["nexo_settings"].app.cookie_secure)
    return Cookie(key=LANGUAGE_COOKIE, value=language, max_age=ONE_YEAR, httponly=True, secure=secure, samesite="lax")


class LanguageController(Controller):
    path = "/"

    @post("/language", name="language.switch", opt={"exclude_from_auth": True}, media_type=MediaType.HTML)
    async def switch(self, request: Request[Any, Any, Any], db_session: AsyncSession, data: FormData) -> Redirect:
        """The header's switch: back to the same page, in the chosen language."""
        language = data.get("language", "")
        target = _safe_next(data.get("next"))
        if language not in LANGUAGES:
            return Redirect(target, status_code=303)
        user = request.scope.get("user")
        if isinstance(user, User):
            user.language = language
            await db_session.flush()
        return Redirect(target, status_code=303, cookies=[_language_cookie(request, language)])

    @get("/account", name="account")
    async def account_page(self, request: Request[Any, Any, Any]) -> Template:
        user: User = request.scope["user"]
        form = {"full_name": user.full_name, "language": user.language or ""}
        return render(request, "accounts/profile.html", {"form": form, "errors": {}, "saved": False})

    @post("/account", name="account.submit", media_type=MediaType.HTML)
    async def save_account(self, request: Request[Any, Any, Any], db_session: AsyncSession, data: FormData) -> Any:
        user: User = request.scope["user"]
        form = {"full_name": data.get("full_name", "").strip(), "language": data.get("language", "")}
        errors: dict[str, str] = {}
        if not form["full_name"]:
            errors["full_name"] = gettext("Enter your name.")
        elif len(form["full_name"]) > MAX_NAME:
            errors["full_name"] = gettext("Use at most %(max)s characters.", max=MAX_NAME)
        if form["language"] and form["language"] not in LANGUAGES:
            errors["language"] = gettext("Choose a language from the list.")
        if errors:
            return render(
                request, "accounts/profile.html", {"form": form, "errors": errors, "saved": False}, status_code=400
            )
        user.full_name = form["full_name"]
        user.language = form["language"] or None
        await db_session.flush()
        if user.language:
            set_language(user.language)
        cookies = [_language_cookie(request, user.language)] if user.language else []
        context = {"form": form, "errors": {}, "saved": True, "language": current_language()}
        response = render(request, "accounts/profile.html", context)
        response.cookies.extend(cookies)
        return response
