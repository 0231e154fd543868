"""Rate limits per installation, shared by every app process: a fixed window, ``RateLimit-*`` headers, 429 with
``Retry-After``.

App servers are stateless, so the counter lives in PostgreSQL: one row per installation in the UNLOGGED table
``public.api_rate_counters``, bumped by one ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING`` per call. The
window is computed from the database clock, so processes with drifting clocks still agree on it. The statement
runs on its own short autocommit connection, before the request's transaction starts: the row lock lasts one
statement (a long request never holds up the installation's other calls), a call that fails later still counts,
and the request holds at most one pooled connection at a time. The token lookup, when the in-process cache misses,
rides on the same connection. The headers follow draft-ietf-httpapi-ratelimit-headers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, cast

from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from nexo.platform.web.errors import ProblemError

WINDOW_SECONDS = 60
HEADERS_SCOPE_KEY = "nexo_rate_limit_headers"
_COUNT_CALL = text(
    f"""
    INSERT INTO public.api_rate_counters AS c (installation_id, window_start, calls)
    VALUES (:installation_id,
            (floor(extract(epoch FROM clock_timestamp()) / {WINDOW_SECONDS}) * {WINDOW_SECONDS})::bigint, 1)
    ON CONFLICT (installation_id) DO UPDATE
    SET calls = CASE WHEN c.window_start = excluded.window_start THEN c.calls + 1 ELSE 1 END,
        window_start = excluded.window_start
    RETURNING calls, (window_start + {WINDOW_SECONDS} - extract(epoch FROM clock_timestamp()))::float AS seconds_left
    """  # noqa: S608 (only the window, a module constant, is interpolated; values are bound)
)


@dataclass(frozen=True)
class WindowState:
    limit: int
    calls: int
    reset_seconds: int

    @property
    def headers(self) -> dict[str, str]:
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(max(0, self.limit - self.calls)),
            "RateLimit-Reset": str(self.reset_seconds),
            "RateLimit-Policy": f"{self.limit};w={WINDOW_SECONDS}",
        }


async def count_call(connection: AsyncConnection, installation_id: int, limit: int) -> WindowState:
    """Count one call of ``installation_id`` in the current window (one round trip) and return the window."""
    row = (await connection.execute(_COUNT_CALL, {"installation_id": installation_id})).one()
    reset = max(1, math.ceil(float(row.seconds_left)))
    return WindowState(limit=limit, calls=int(row.calls), reset_seconds=min(reset, WINDOW_SECONDS))


def enforce_window(connection: ASGIConnection[Any, Any, Any, Any], state: WindowState) -> None:
    """Put the ``RateLimit-*`` headers on the response; refuse the call with 429 once over the limit."""
    headers = state.headers
    connection.scope[HEADERS_SCOPE_KEY] = headers  # type: ignore[literal-required]
    if state.calls > state.limit:
        reset = state.reset_seconds
        error = ProblemError(
            429,
            f"Rate limit of {state.limit} calls per minute reached; retry in {reset} s.",
            "rate-limited",
            retry_after=reset,
        )
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
