"""Errors: problem details (RFC 9457) under ``/api``, friendly HTML pages elsewhere, never a bare 500."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import structlog
from litestar import MediaType, Request, Response
from litestar._asgi.utils import wrap_in_exception_handler
from litestar.exceptions import HTTPException, NotAuthorizedException, TooManyRequestsException
from litestar.middleware import ASGIMiddleware
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import ASGIApp, Receive, Scope, Send

logger = structlog.get_logger("nexo.errors")

PROBLEM_BASE = "https://nexo.dev/problems/"
TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal error",
    503: "Unavailable",
}


class ProblemError(HTTPException):
    """An HTTP error with a stable problem ``type`` slug (``module-disabled``, ``read-only``, ...)."""

    def __init__(self, status_code: int, detail: str, problem_type: str, **extra: Any) -> None:
        super().__init__(status_code=status_code, detail=detail, extra=extra or None)
        self.problem_type = problem_type


# The OAuth endpoints that machines call (JSON in, JSON out); ``/oauth/authorize`` is a page a person sees.
OAUTH_MACHINE_ENDPOINTS = frozenset({"/oauth/token", "/oauth/revoke", "/oauth/introspect"})


def is_api(request: Request[Any, Any, Any]) -> bool:
    """Whether errors are problem details (the API, OAuth's token endpoints), not pages and sign-in redirects."""
    path = request.url.path
    return path.startswith("/api/") or path == "/api" or path.rstrip("/") in OAUTH_MACHINE_ENDPOINTS


def problem_response(
    request: Request[Any, Any, Any], status: int, detail: str, problem_type: str | None = None, **extra: Any
) -> Response[dict[str, Any]]:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + (problem_type or _default_type(status)),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
    }
    body.update(extra)
    headers = {}
    if status == 429 and "retry_after" in extra:
        headers["retry-after"] = str(extra["retry_after"])
    return Response(body, status_code=status, media_type="application/problem+json", headers=headers)


def _default_type(status: int) -> str:
    return TITLES.get(status, "error").lower().replace(" ", "-")


def retry_after_seconds(exc: HTTPException) -> int:
    """Seconds until the rate-limit window resets (Litestar's ``RateLimit-Reset`` header), at least 1."""
    headers = {key.lower(): value for key, value in (exc.headers or {}).items()}
    try:
        return max(1, int(headers.get("ratelimit-reset", "60")))
    except ValueError:
        return 60


def too_many_requests(exc: HTTPException) -> HTTPException:
    """The rate limiter's 429, with a message a person can act on and a ``Retry-After`` header."""
    seconds = retry_after_seconds(exc)
    wait = f"{seconds} seconds" if seconds != 1 else "1 second"
    detail = f"Too many attempts from your network. Please wait {wait}, then try again."
    headers = {**(exc.headers or {}), "Retry-After": str(seconds)}
    return HTTPException(status_code=429, detail=detail, headers=headers, extra={"retry_after": seconds})


def http_exception_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    if isinstance(exc, TooManyRequestsException):
        exc = too_many_requests(exc)
    if isinstance(exc, NotAuthorizedException) and not is_api(request):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        if request.headers.get("hx-request") == "true":
            return Response(b"", status_code=401, headers={"hx-redirect": f"/login?next={quote(target)}"})
        return Redirect(f"/login?next={quote(target)}")
    problem_type = getattr(exc, "problem_type", None)
    detail = exc.detail if isinstance(exc.detail, str) else TITLES.get(exc.status_code, "Error")
    headers = dict(exc.headers or {})
    if is_api(request):
        extra: dict[str, Any] = {}
        if exc.extra:
            extra["errors" if isinstance(exc.extra, list) else "context"] = exc.extra
        response = problem_response(request, exc.status_code, detail, problem_type, **extra)
        response.headers.update(headers)
        return response
    return Template(
        template_name="errors/error.html",
        context={"status": exc.status_code, "title": TITLES.get(exc.status_code, "Error"), "detail": detail},
        status_code=exc.status_code,
        headers=headers,
        media_type=MediaType.HTML,
    )


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    logger.exception("unhandled error", path=request.url.path, exc_info=exc)
    if is_api(request):
        return problem_response(request, HTTP_500_INTERNAL_SERVER_ERROR, "An unexpected error happened.")
    return Template(
        template_name="errors/error.html",
        context={
            "status": 500,
            "title": "Something went wrong",
            "detail": "An unexpected error happened.",
            "request_id": structlog.contextvars.get_contextvars().get("request_id", ""),
        },
        status_code=HTTP_500_INTERNAL_SERVER_ERROR,
        media_type=MediaType.HTML,
    )


class ExceptionsAsResponsesMiddleware(ASGIMiddleware):
    """Answer an exception raised by a middleware below this one (CSRF 403, rate limit 429) right here.

    Litestar turns such an exception into a response only outside the whole middleware stack, where the response
    bypasses every ``send`` wrapper: the access log recorded 500 for a 403 and the security headers were missing.
    Placed just inside those middlewares, this one answers with the app's own exception handlers (the same as
    Litestar uses between a route's middlewares and its handler), so they see the response actually sent.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        await wrap_in_exception_handler(next_app)(scope, receive, send)
