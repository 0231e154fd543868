"""The shared shape of a REST resource: operation metadata, typed parameters, fetch-or-404, filtered keyset
lists, partial updates and service refusals as problems.

Service refusals → problems (the one mechanism): services raise ``nexo.platform.refusals.RefusalError``
subclasses; a controller declares ``exception_handlers = REFUSAL_HANDLERS`` and every refusal its handlers let
through becomes the problem its class names (``BusinessRuleError`` 422 ``business-rule``, ``InvalidStateError``
409 ``invalid-state``, ``ConflictError`` 409 ``conflict``, ``UnknownReferenceError`` 400 ``validation-error``,
``ModuleOffError`` 403 ``module-disabled``), with the refusal's field in ``errors``. Values the database refuses
(a number beyond a column's precision, a lost race on a unique key) become 422/409 the same way.
``with_refusals(op)`` documents those answers on an operation. The page side of the same mechanism is
``form_refusals`` in ``nexo.platform.web.kit``. (``refusals(...)`` below adapts a service that raises its own
exception type.)

A controller declares one ``Resource`` (model, label, sortable columns) and uses the ``*_op`` helpers for its
route decorators, so every operation carries its scope, its security requirement and every problem response it
can answer::

    contacts = Resource(Person, "contact", sortable={"id": Person.id, "last_name": Person.last_name})

    @get("/", **list_op("crm.read", "List contacts", "listContacts"))
    async def list_contacts(self, db_session: AsyncSession, sort: str = "last_name", cursor: Cursor = None,
                            limit: Limit = DEFAULT_LIMIT) -> Page[ContactOut]:
        rows, next_cursor = await contacts.page(db_session, select(Person), sort=sort, cursor=cursor, limit=limit)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, TypeVar, cast

import msgspec
from litestar import Request, Response
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import HeaderParameter, Parameter
from sqlalchemy import Select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm.interfaces import LoaderOption

from nexo.platform.api.base import PROBLEM_MEDIA_TYPE, Problem, api_opt, keyset_page, problem_responses, security
from nexo.platform.refusals import RefusalError
from nexo.platform.web.errors import ProblemError, internal_error_handler, problem_response

M = TypeVar("M")
S = TypeVar("S", bound=type)
BIGINT_MAX = 2**63 - 1
DbId = Annotated[int, msgspec.Meta(ge=1, le=BIGINT_MAX)]
IdParam = Annotated[int, Parameter(ge=1, le=BIGINT_MAX)]
# Litestar drops the constraints of ``IdParam | None``: an optional id keeps them inside the annotation.
OptionalIdParam = Annotated[int | None, Parameter(ge=1, le=BIGINT_MAX)]
Limit = Annotated[int, Parameter(ge=1, le=200, description="Page size (1-200).")]
Cursor = Annotated[str | None, Parameter(description="Opaque cursor from a previous page's next_cursor.")]
IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        required=False,
        min_length=1,
        max_length=200,
        description="Retry a create safely: the same key and body return the stored response.",
    ),
]
Sort = Annotated[str, Parameter(max_length=40, description="A sortable field; prefix '-' for descending.")]


# --- operation metadata ----------------------------------------------------------------------------------------


def _operation(scope: str, summary: str, operation_id: str, codes: tuple[int, ...]) -> dict[str, Any]:
    return {
        "opt": api_opt(scope),
        "security": security(scope),
        "responses": problem_responses(*codes),
        "summary": summary,
        "operation_id": operation_id,
    }


def list_op(scope: str, summary: str, operation_id: str, *codes: int) -> dict[str, Any]:
    """Route kwargs of a list (400 for a bad filter, sort or cursor; 401, 403, 429)."""
    return _operation(scope, summary, operation_id, codes)


def read_op(scope: str, summary: str, operation_id: str, *codes: int) -> dict[str, Any]:
    return _operation(scope, summary, operation_id, (404, *codes))


def create_op(scope: str, summary: str, operation_id: str, *codes: int) -> dict[str, Any]:
    """A create: 201, idempotent with ``Idempotency-Key`` (409 in use, 422 reused with another body)."""
    return {**_operation(scope, summary, operation_id, (409, 422, *codes)), "status_code": 201}


def update_op(scope: str, summary: str, operation_id: str, *codes: int) -> dict[str, Any]:
    return _operation(scope, summary, operation_id, (404, *codes))


def delete_op(scope: str, summary: str, operation_id: str, *codes: int) -> dict[str, Any]:
    return {**_operation(scope, summary, operation_id, (404, *codes)), "status_code": 204}


def action_op(scope: str, summary: str, operation_id: str, *codes: int) -> dict[str, Any]:
    """A state change on one record (``POST /{id}/qualify``): 200, 404, 409 when the record's state refuses it."""
    return {**_operation(scope, summary, operation_id, (404, 409, *codes)), "status_code": 200}


# --- records ---------------------------------------------------------------------------------------------------


def not_found(label: str) -> ProblemError:
    return ProblemError(404, f"No such {label} in this workspace.", "not-found")


def field_problem(field_name: str, message: str) -> ProblemError:
    """A 400 ``validation-error`` naming one body field (as the request validation does)."""
    error = ProblemError(400, f"{field_name}: {message}", "validation-error")
    error.extra = [{"key": field_name, "message": message, "source": "body"}]
    return error


def changes(update: msgspec.Struct) -> dict[str, Any]:
    """The fields a partial update (a struct of ``UNSET`` defaults) actually sends."""
    return {k: v for k, v in msgspec.structs.asdict(update).items() if v is not msgspec.UNSET}


@contextmanager
def refusals(*errors: type[Exception], status: int = 409, problem: str = "conflict") -> Iterator[None]:
    """Turn a service's refusal (e.g. ``PipelineError``: the message is for people) into a problem."""
    try:
        yield
    except errors as exc:
        raise ProblemError(status, str(exc), problem) from exc


@contextmanager
def still_used(label: str) -> Iterator[None]:
    """A delete the database refuses because other records point at the row: 409 ``conflict``, not a 500."""
    try:
        yield
    except IntegrityError as exc:
        raise ProblemError(
            409, f"This {label} is still used by other records; change or remove them first.", "conflict"
        ) from exc


async def check_exists(
    session: AsyncSession, model: type[Any], record_id: int | None, field_name: str, label: str
) -> None:
    """A body field that points at another record of this workspace: 400 naming the field when it does not."""
    if record_id is not None and await session.get(model, record_id) is None:
        raise field_problem(field_name, f"no such {label} in this workspace")


@dataclass(frozen=True)
class Resource(Generic[M]):
    """One API resource over one model: fetch-or-404 and filtered, sorted keyset pages."""

    model: type[M]
    label: str
    sortable: Mapping[str, InstrumentedAttribute[Any]]
    list_options: tuple[LoaderOption, ...] = field(default=())

    def id_column(self) -> Any:
        """The model's ``id`` column (every Nexo table has a bigint ``id``)."""
        return cast("Any", self.model).id

    async def get(self, session: AsyncSession, record_id: int, *, lock: bool = False) -> M:
        """The record of this workspace (the session is bound to the token's tenant), or a 404 problem; ``lock``
        reads it ``FOR UPDATE`` for a change that must not race another."""
        record = await session.get(self.model, record_id, with_for_update=lock)
        if record is None:
            raise not_found(self.label)
        return record

    def where(self, statement: Select[Any], filters: Mapping[InstrumentedAttribute[Any], Any]) -> Select[Any]:
        """Equality filters; a ``None`` value means "not filtered"."""
        for column, value in filters.items():
            if value is not None:
                statement = statement.where(column == (value.value if hasattr(value, "value") else value))
        return statement

    async def page(
        self,
        session: AsyncSession,
        statement: Select[Any] | None = None,
        *,
        sort: str,
        cursor: str | None,
        limit: int,
        filters: Mapping[InstrumentedAttribute[Any], Any] | None = None,
        entity_rows: bool = True,
    ) -> tuple[list[Any], str | None]:
        """One page of ``statement`` (default: every record) filtered, sorted by ``sort`` then id, after
        ``cursor``."""
        from sqlalchemy import select

        base = statement if statement is not None else select(self.model)
        if self.list_options:
            base = base.options(*self.list_options)
        base = self.where(base, filters or {})
        return await keyset_page(
            session,
            base,
            sortable=dict(self.sortable),
            id_column=self.id_column(),
            sort=sort,
            cursor=cursor,
            limit=limit,
            entity_rows=entity_rows,
        )


# --- service refusals as problems ------------------------------------------------------------------------------

REFUSAL_DESCRIPTIONS = {
    400: "Invalid input, cursor or sort, or a referenced record that does not exist in this workspace "
    "(problem types: validation-error, invalid-cursor, invalid-sort)",
    401: "Missing, unknown, expired or revoked access token (problem types: missing-token, invalid-token)",
    403: "Scope missing (insufficient-scope), the module (or one the call reaches into) is off in this workspace "
    "(module-disabled), or the workspace is read-only and refuses writes (read-only)",
    404: "No such record in this workspace (not-found)",
    409: "The document's state does not allow this (invalid-state), or the Idempotency-Key is in use by a "
    "concurrent request (idempotency-key-in-use)",
    422: "A business rule refused the change, e.g. not enough stock (business-rule; see errors), or the "
    "Idempotency-Key was used before with another request (idempotency-key-reused)",
    429: "Rate limit reached (rate-limited); see Retry-After",
}


def refusal_responses(*codes: int) -> dict[int, ResponseSpec]:
    """OpenAPI responses of an operation whose service may refuse (400, 401, 403, 429 always)."""
    return {
        code: ResponseSpec(
            data_container=Problem,
            description=REFUSAL_DESCRIPTIONS[code],
            media_type=PROBLEM_MEDIA_TYPE,
            generate_examples=False,  # random examples would change the document per process
        )
        for code in sorted({400, 401, 403, 429, *codes})
    }


def with_refusals(operation: dict[str, Any]) -> dict[str, Any]:
    """A ``*_op(...)`` operation whose responses describe the service refusals (invalid-state, business-rule,
    module-disabled), which partners read in the schema."""
    return {**operation, "responses": refusal_responses(*operation["responses"])}


def check_choice(value: str | None, allowed: tuple[str, ...], name: str = "status") -> None:
    """A choice filter (``status``, ``kind``) outside its values: 400 before any query."""
    if value is not None and value not in allowed:
        raise ProblemError(400, f"'{name}' is one of: {', '.join(allowed)}.", "validation-error")


def refusal_handler(request: Request[Any, Any, Any], exc: RefusalError) -> Response[Any]:
    """A refused change as the problem its class names (see ``nexo.platform.refusals``)."""
    status, problem_type, detail, extra = exc.problem()
    return problem_response(request, status, detail, problem_type, **extra)


def database_error_handler(request: Request[Any, Any, Any], exc: DBAPIError) -> Response[Any]:
    """Values the database refuses (a total beyond its precision, a race on a unique key) are the caller's 4xx."""
    code = getattr(exc.orig, "sqlstate", None) or getattr(getattr(exc.orig, "__cause__", None), "sqlstate", None)
    if code == "22003":
        return problem_response(request, 422, "A number is too large for this workspace's books.", "business-rule")
    if code in ("23505", "40001", "40P01"):
        return problem_response(request, 409, "A concurrent change conflicts; try again.", "conflict")
    return internal_error_handler(request, exc)


REFUSAL_HANDLERS: dict[Any, Any] = {RefusalError: refusal_handler, DBAPIError: database_error_handler}


async def reloaded(session: AsyncSession, model: type[M], key: int, *relations: str) -> M:
    """The record as the services left it: its columns and ``relations`` read again (triggers and services change
    them behind the identity map)."""
    row = await session.get_one(model, key)
    await session.refresh(row)
    if relations:
        await session.refresh(row, list(relations))
    return row


def published_from(module: str, *structs: S) -> None:
    """Keep the OpenAPI component names of ``structs`` as first published from ``module``.

    Litestar names a component (and a ``Page[...]`` of it) after the struct's module; moving a representation
    (from ``api.py`` to ``representations.py``) would rename it in the public document. Call it once at the end
    of a ``representations.py`` with the module the structs were published from."""
    for struct in structs:
        struct.__module__ = module
