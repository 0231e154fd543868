"""Structured logs: every line of a request carries its request id, and the tenant once it is resolved."""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from collections.abc import MutableMapping
from contextvars import ContextVar
from typing import Any, TextIO

import structlog
from litestar.datastructures import MutableScopeHeaders
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from nexo.platform.settings import Settings

access_log = structlog.get_logger("nexo.access")
# The ASGI scope of the request being served: the tenant guard writes the resolved workspace into it.
_current_scope: ContextVar[Scope | None] = ContextVar("nexo_request_scope", default=None)


def add_tenant(logger: Any, method_name: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Every line logged while serving a workspace request carries the tenant, once the guard has resolved it."""
    scope = _current_scope.get()
    tenant = scope.get("nexo_tenant") if scope is not None else None
    if tenant is not None:
        event_dict.setdefault("tenant", tenant)
    return event_dict


# Paths whose last segment is a secret (a password-reset or invitation token): whoever reads the log must not be able
# to use them. Matched anywhere in a logged string, so a logged link in a mail body is redacted too.
TOKEN_SEGMENT = re.compile(r"(/password/reset/|/invitations/)[^/?#\s\"'<>]+")
REDACTED = "[redacted]"


def _redact(value: Any) -> Any:
    if isinstance(value, str):
        return TOKEN_SEGMENT.sub(r"\1" + REDACTED, value)
    if isinstance(value, dict):
        return {key: _redact(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_redact(item) for item in value)
    return value


def redact_tokens(logger: Any, method_name: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """Every log line: token path segments (reset and invitation links) become ``[redacted]``."""
    for key, value in event_dict.items():
        event_dict[key] = _redact(value)
    return event_dict


def configure_logging(settings: Settings, *, file: TextIO | None = None) -> None:
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer() if settings.app.log_json else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            add_tenant,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            redact_tokens,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, settings.app.log_level, logging.INFO)),
        logger_factory=structlog.PrintLoggerFactory(file=file or sys.stderr),
        cache_logger_on_first_use=False,
    )


class RequestContextMiddleware(ASGIMiddleware):
    """Assign a request id (or keep a sane incoming ``X-Request-ID``), bind it to the logs, echo it back."""

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        incoming = dict(scope.get("headers", [])).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if 0 < len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        scope_token = _current_scope.set(scope)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableScopeHeaders.from_message(message)["x-request-id"] = request_id
            await send(message)

        try:
            await next_app(scope, receive, send_with_id)
        finally:
            access_log.info(
                "request",
                method=scope.get("method"),
                path=scope.get("path"),
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )
            _current_scope.reset(scope_token)
