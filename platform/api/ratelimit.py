"""Rate limits per installation: a fixed one-minute window, ``RateLimit-*`` headers, 429 with ``Retry-After``.

Counters live in the app process (a shared store would add a database round trip to every call); with N app
processes an installation gets at most N times the limit. The headers follow draft-ietf-httpapi-ratelimit-headers.
"""

from __future__ import annotations

import math
import time
from typing import Any, cast

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from nexo.platform.web.errors import ProblemError

WINDOW_SECONDS = 60
HEADERS_SCOPE_KEY = "nexo_rate_limit_headers"
_windows: dict[int, tuple[int, int]] = {}  # installation id → (window start, calls)


def enforce_rate_limit(connection: ASGIConnection[Any, Any, Any, Any], principal: Any) -> None:
    limit = connection.app.state["nexo_settings"].security.api_rate_per_minute
    now = time.time()
    window = int(now // WINDOW_SECONDS) * WINDOW_SECONDS
    start, calls = _windows.get(principal.installation_id, (window, 0))
    if start != window:
        start, calls = window, 0
    calls += 1
    _windows[principal.installation_id] = (start, calls)
    reset = max(1, math.ceil(start + WINDOW_SECONDS - now))
    headers = {
        "RateLimit-Limit": str(limit),
        "RateLimit-Remaining": str(max(0, limit - calls)),
        "RateLimit-Reset": str(reset),
        "RateLimit-Policy": f"{limit};w={WINDOW_SECONDS}",
    }
    connection.scope[HEADERS_SCOPE_KEY] = headers  # type: ignore[literal-required]
    if calls > limit:
        error = ProblemError(429, f"Rate limit of {limit} calls per minute reached; retry in {reset} s.",
                             "rate-limited", retry_after=reset)  # fmt: skip
        error.headers = {**headers, "Retry-After": str(reset)}
        raise error


class RateLimitHeadersMiddleware:
    """Adds the ``RateLimit-*`` headers the guard computed to every API response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            headers = cast("dict[str, str] | None", scope.get(HEADERS_SCOPE_KEY))
            if message["type"] == "http.response.start" and headers:
                existing = {k.lower() for k, _ in message.get("headers", [])}
                extra = [
                    (k.lower().encode(), v.encode()) for k, v in headers.items() if k.lower().encode() not in existing
                ]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
