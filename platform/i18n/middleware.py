"""The request's language, chosen before any handler runs.

Order: the signed-in user's own choice, then the visitor's switch (a cookie set by the header's language form),
then ``Accept-Language``, then English. Inside a workspace the guard refines it (``apply_workspace``): a member who
never chose gets the workspace's default language, and formats follow the workspace's locale and time zone.

The values live in context variables set for this request only and reset when it ends.
"""

from __future__ import annotations

from typing import Any

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from nexo.platform.i18n import catalog

LANGUAGE_COOKIE = "nexo_lang"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _cookie(scope: Scope, name: str) -> str | None:
    raw = _header(scope, b"cookie")
    if not raw:
        return None
    for part in raw.split(";"):
        key, _sep, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def request_language(scope: Scope) -> tuple[str, str]:
    """(language, locale) of a request before any workspace is known."""
    accept = _header(scope, b"accept-language")
    user = scope.get("user")
    chosen = getattr(user, "language", None) or _cookie(scope, LANGUAGE_COOKIE)
    language = chosen if chosen in catalog.LANGUAGES else catalog.negotiate(accept) or catalog.DEFAULT_LANGUAGE
    return language, catalog.negotiate_locale(accept, language)


def user_chose_language(scope: Scope) -> bool:
    return bool(getattr(scope.get("user"), "language", None))


def apply_workspace(scope: Scope, language: str, locale: str, timezone: str) -> None:
    """Inside a workspace: its default language unless the member chose one, its locale for formats, its time
    zone for times. A member reading in another language than the workspace's gets that language's formats."""
    current = catalog.current_language() if user_chose_language(scope) else language
    if current not in catalog.LANGUAGES:
        current = catalog.DEFAULT_LANGUAGE
    formats = locale if locale.split("-")[0] == current else catalog.DEFAULT_LOCALE[current]
    catalog.set_language(current, formats, timezone)
    catalog.set_workspace_language(language)


class LanguageMiddleware:
    """Pure ASGI middleware (after the session user is loaded): sets the request's language and locale."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        language, locale = request_language(scope)
        with catalog.use_language(language, locale, "UTC"):
            scope_state: Any = scope
            scope_state["nexo_language"] = language
            await self.app(scope, receive, send)
