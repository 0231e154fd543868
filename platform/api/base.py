"""The ``/api/v1`` router and what every API resource shares: problems, cursor pages, sorting, idempotent creates."""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Generic, TypeVar

import msgspec
from litestar import Request, Response
from litestar.di import Provide
from litestar.exceptions import ValidationException
from litestar.middleware import DefineMiddleware
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import SecurityRequirement
from litestar.router import Router
from litestar.types import ControllerRouterHandler, Guard
from sqlalchemy import ColumnElement, Select, and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from nexo.platform.api.models import IdempotencyRecord
from nexo.platform.api.principal import ApiPrincipal, provide_principal
from nexo.platform.api.ratelimit import RateLimitHeadersMiddleware
from nexo.platform.web.errors import ProblemError, problem_response

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldError(msgspec.Struct):
    message: str
    key: str | None = None
    source: str | None = None


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details. ``type`` is stable per error (``.../problems/module-disabled``)."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldError] | None = None
    context: dict[str, Any] | None = None


class Page(msgspec.Struct, Generic[T]):
    data: list[T]
    next_cursor: str | None


PROBLEM_DESCRIPTIONS = {
    400: "Invalid input or cursor (problem types: validation-error, invalid-cursor, bad-request)",
    401: "Missing, unknown, expired or revoked access token (problem types: missing-token, invalid-token)",
    403: "Scope missing (insufficient-scope), the module is off in this workspace (module-disabled), or the "
    "workspace is read-only and refuses writes (read-only)",
    404: "No such record in this workspace (not-found)",
    409: "The record's state refuses the change (conflict), or the Idempotency-Key is being used by a concurrent "
    "request (idempotency-key-in-use); webhooks: too-many-subscriptions, duplicate-subscription, "
    "delivery-not-permitted",
    422: "The Idempotency-Key was used before with another request (idempotency-key-reused)",
    429: "Rate limit reached (rate-limited); see Retry-After",
}


def problem_responses(*codes: int) -> dict[int, ResponseSpec]:
    """OpenAPI responses for the problems an operation can answer (401, 403, 429 always)."""
    wanted = sorted({400, 401, 403, 429, *codes})
    return {
        code: ResponseSpec(
            data_container=Problem,
            description=PROBLEM_DESCRIPTIONS[code],
            media_type=PROBLEM_MEDIA_TYPE,
            # Litestar's generated examples are random (polyfactory): the served document would change from one
            # process to the next.
            generate_examples=False,
        )
        for code in wanted
    }


def security(scope: str) -> list[SecurityRequirement]:
    return [{"oauth2": [scope]}]


def api_opt(scope: str) -> dict[str, Any]:
    return {"scope": scope}


# --- cursor pagination and sorting ---------------------------------------------------------------------------


def encode_cursor(sort: str, value: Any, row_id: int) -> str:
    raw = json.dumps({"s": sort, "v": value, "i": row_id}, default=str, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if data["s"] != sort or not isinstance(data["i"], int):
            raise ValueError("cursor of another sort order")
        return data["v"], data["i"]
    except (ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
        raise ProblemError(400, "The cursor is not valid for this list and sort order.", "invalid-cursor") from exc


def check_limit(limit: int) -> int:
    if not 1 <= limit <= MAX_LIMIT:
        raise ProblemError(400, f"'limit' must be between 1 and {MAX_LIMIT}.", "validation-error")
    return limit


def cursor_value(column: InstrumentedAttribute[Any], value: Any) -> Any:
    """A cursor's sort value back in the column's Python type (a forged cursor is a 400, never a 500)."""
    if value is None:
        raise ProblemError(400, "The cursor is not valid for this list and sort order.", "invalid-cursor")
    try:
        python_type = column.type.python_type
        if python_type is datetime.datetime:
            return datetime.datetime.fromisoformat(str(value))
        if python_type is datetime.date:
            return datetime.date.fromisoformat(str(value))
        return python_type(value)
    except (ValueError, TypeError, ArithmeticError, NotImplementedError) as exc:
        raise ProblemError(400, "The cursor is not valid for this list and sort order.", "invalid-cursor") from exc


async def keyset_page(
    session: AsyncSession,
    statement: Select[Any],
    *,
    sortable: dict[str, InstrumentedAttribute[Any]],
    id_column: InstrumentedAttribute[int],
    sort: str,
    cursor: str | None,
    limit: int,
    entity_rows: bool = True,
) -> tuple[list[Any], str | None]:
    """One page of ``statement`` ordered by ``sort`` (``name`` or ``-name``) then id, after ``cursor``.

    With ``entity_rows`` the rows are the entities; otherwise tuples whose first item is the entity."""
    descending = sort.startswith("-")
    field = sort.lstrip("-")
    if field not in sortable:
        allowed = ", ".join(sorted(sortable))
        raise ProblemError(400, f"Sort by one of: {allowed} (prefix '-' for descending).", "invalid-sort")
    column = sortable[field]
    limit = check_limit(limit)
    if cursor:
        value, last_id = decode_cursor(cursor, sort)
        value = cursor_value(column, value)
        after: ColumnElement[bool] = (
            or_(column < value, and_(column == value, id_column < last_id))
            if descending
            else or_(column > value, and_(column == value, id_column > last_id))
        )
        statement = statement.where(after)
    order = (column.desc(), id_column.desc()) if descending else (column.asc(), id_column.asc())
    ordered = statement.order_by(*order).limit(limit + 1)
    rows: list[Any] = (
        list((await session.scalars(ordered)).all())
        if entity_rows
        else [tuple(row) for row in (await session.execute(ordered)).all()]
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1] if entity_rows else rows[-1][0]
        value = getattr(last, column.key)
        next_cursor = encode_cursor(sort, value.isoformat() if hasattr(value, "isoformat") else value, last.id)
    return rows, next_cursor


# --- idempotent creates --------------------------------------------------------------------------------------


async def idempotent_create(
    request: Request[Any, Any, Any],
    session: AsyncSession,
    principal: ApiPrincipal,
    body: Any,
    create: Callable[[], Awaitable[Any]],
) -> Response[Any]:
    """Run ``create`` once per ``Idempotency-Key``: a replay returns the stored response; the same key with
    another body or path is refused (422). Stored per installation in the same transaction as the create."""
    key = request.headers.get("idempotency-key")
    if key is None:
        return Response(await create(), status_code=201)
    if not 1 <= len(key) <= 200:
        raise ProblemError(400, "Idempotency-Key must be 1 to 200 characters.", "validation-error")
    fingerprint = hashlib.sha256(
        request.method.encode() + b" " + request.url.path.encode() + b" " + msgspec.json.encode(body)
    ).hexdigest()
    stored = await session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.installation_id == principal.installation_id, IdempotencyRecord.key == key
        )
    )
    if stored is not None:
        if stored.request_hash != fingerprint:
            raise ProblemError(
                422, "This Idempotency-Key was already used with a different request.", "idempotency-key-reused"
            )
        return Response(stored.response_body, status_code=stored.status_code, headers={"Idempotent-Replayed": "true"})
    created = await create()
    session.add(
        IdempotencyRecord(
            installation_id=principal.installation_id,
            key=key,
            method=request.method,
            path=request.url.path,
            request_hash=fingerprint,
            status_code=201,
            response_body=msgspec.to_builtins(created),
        )
    )
    try:
        await session.flush()
    except IntegrityError as exc:
        raise ProblemError(
            409, "A request with this Idempotency-Key is in progress.", "idempotency-key-in-use"
        ) from exc
    return Response(created, status_code=201)


# --- the router ----------------------------------------------------------------------------------------------


def validation_error_handler(request: Request[Any, Any, Any], exc: ValidationException) -> Response[Any]:
    errors = exc.extra if isinstance(exc.extra, list) else []
    detail = (
        "Some fields are not valid: "
        + ", ".join(str(e.get("key")) for e in errors if isinstance(e, dict) and e.get("key"))
        if errors
        else str(exc.detail)
    )
    return problem_response(request, 400, detail, "validation-error", errors=errors)


async def refuse_nul_characters(request: Request[Any, Any, Any]) -> None:
    """PostgreSQL text cannot hold NUL: refuse it in the query or the JSON body with a 400, never a 500."""
    query = request.scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query or "\x00" in request.url.path:
        raise ProblemError(400, "Text may not contain NUL characters.", "validation-error")
    if request.method in ("POST", "PUT", "PATCH") and b"\\u0000" in await request.body():
        raise ProblemError(400, "Text may not contain NUL characters.", "validation-error")


def api_router(handlers: Sequence[ControllerRouterHandler], guards: Sequence[Guard]) -> Router:
    """The ``/api/v1`` router; ``guards`` authenticate the caller (the app factory passes the bearer-token guard)."""
    return Router(
        before_request=refuse_nul_characters,
        path="/api/v1",
        route_handlers=list(handlers),
        guards=list(guards),
        dependencies={"principal": Provide(provide_principal, sync_to_thread=False)},
        middleware=[DefineMiddleware(RateLimitHeadersMiddleware)],
        exception_handlers={ValidationException: validation_error_handler},
        tags=["api"],
    )
