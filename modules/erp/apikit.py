"""What the ERP API controllers share: decimal fields as strings, ErpError → problem details, the ERP context of the
token's workspace, and lookups that answer 404 (the services emit the webhook events: ``modules/erp/events.py``).

Controllers stay thin: every change goes through the ERP services (``modules/erp/*/services.py``); this file only
translates between JSON and the services.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

import msgspec
from litestar import Request, Response
from litestar.openapi.datastructures import ResponseSpec
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.erp.context import ErpContext
from nexo.modules.erp.errors import ErpError, NotFoundError
from nexo.platform.api.auth import ApiPrincipal
from nexo.platform.api.base import PROBLEM_MEDIA_TYPE, Problem
from nexo.platform.api.resource import DbId
from nexo.platform.web.errors import ProblemError, internal_error_handler, problem_response
from nexo.tenants.models import Tenant
from nexo.tenants.resolution import module_off_error

T = TypeVar("T")
# Decimals travel as JSON strings ("12.50"): exact, never a binary float.
Quantity = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[0-9]{1,9}(\.[0-9]{1,4})?$",
        examples=["2", "1.5"],
        description="A quantity as a decimal string (up to 4 decimals).",
    ),
]
Amount = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[0-9]{1,9}(\.[0-9]{1,4})?$",
        examples=["19.99"],
        description="An amount of money as a decimal string.",
    ),
]
Rate = Annotated[
    str,
    msgspec.Meta(pattern=r"^0(\.[0-9]{1,4})?$", examples=["0.2"], description="A tax rate as a fraction (0.2 = 20 %)."),
]
Text200 = Annotated[str, msgspec.Meta(max_length=200)]
Text300 = Annotated[str, msgspec.Meta(max_length=300)]
Text500 = Annotated[str, msgspec.Meta(max_length=500)]
Day = datetime.date

DESCRIPTIONS = {
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


def responses(*codes: int) -> dict[int, ResponseSpec]:
    """OpenAPI responses for the problems an ERP operation can answer (400, 401, 403, 429 always)."""
    return {
        code: ResponseSpec(
            data_container=Problem,
            description=DESCRIPTIONS[code],
            media_type=PROBLEM_MEDIA_TYPE,
            generate_examples=False,  # random examples would change the document per process
        )
        for code in sorted({400, 401, 403, 429, *codes})
    }


def erp(operation: dict[str, Any]) -> dict[str, Any]:
    """A ``platform/api/resource.py`` operation (``list_op(...)`` and the others) with the ERP problem descriptions
    (invalid-state, business-rule), which partners read in the schema."""
    return {**operation, "responses": responses(*operation["responses"])}


def decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def fmt_qty(value: Decimal) -> str:
    """A quantity without trailing zeros ("2", "1.5")."""
    text = f"{value.normalize():f}"
    return text if text != "-0" else "0"


class LineQuantity(msgspec.Struct, forbid_unknown_fields=True):
    line_id: DbId
    quantity: Quantity


def quantities(lines: list[LineQuantity] | None) -> dict[int, Decimal] | None:
    """Order line id → quantity to deliver or receive (a line named twice adds up)."""
    if lines is None:
        return None
    wanted: dict[int, Decimal] = {}
    for line in lines:
        wanted[line.line_id] = wanted.get(line.line_id, Decimal(0)) + Decimal(line.quantity)
    return wanted


def check_status(value: str | None, allowed: tuple[str, ...], name: str = "status") -> None:
    """A choice filter (``status``, ``kind``) outside its values: 400 before any query."""
    if value is not None and value not in allowed:
        raise ProblemError(400, f"'{name}' is one of: {', '.join(allowed)}.", "validation-error")


# --- errors --------------------------------------------------------------------------------------------------


def erp_error_handler(request: Request[Any, Any, Any], exc: ErpError) -> Response[Any]:
    """A refused change as a problem: unknown references 400, a state that forbids it 409, other rules 422."""
    error = {"key": exc.field or None, "message": exc.message, "source": "body"}
    if exc.field == "accounting":
        off = module_off_error("erp.accounting")
        return problem_response(request, 403, str(off.detail), "module-disabled", context={"module": "erp.accounting"})
    if isinstance(exc, NotFoundError):
        return problem_response(request, 400, exc.message, "validation-error", errors=[error])
    if exc.field == "status":
        return problem_response(request, 409, exc.message, "invalid-state", errors=[error])
    return problem_response(request, 422, exc.message, "business-rule", errors=[error])


def database_error_handler(request: Request[Any, Any, Any], exc: DBAPIError) -> Response[Any]:
    """Values the database refuses (a total beyond its precision, a race on a unique key) are the caller's 4xx."""
    code = getattr(exc.orig, "sqlstate", None) or getattr(getattr(exc.orig, "__cause__", None), "sqlstate", None)
    if code == "22003":
        return problem_response(request, 422, "A number is too large for this workspace's books.", "business-rule")
    if code in ("23505", "40001", "40P01"):
        return problem_response(request, 409, "A concurrent change conflicts; try again.", "conflict")
    return internal_error_handler(request, exc)


EXCEPTION_HANDLERS: dict[Any, Any] = {ErpError: erp_error_handler, DBAPIError: database_error_handler}


async def reloaded(session: AsyncSession, model: type[T], key: int, *relations: str) -> T:
    """The record as the services left it: its columns and ``relations`` read again (triggers and services change
    them behind the identity map)."""
    row = await session.get_one(model, key)
    await session.refresh(row)
    if relations:
        await session.refresh(row, list(relations))
    return row


# --- workspace context ---------------------------------------------------------------------------------------


def require_module(principal: ApiPrincipal, key: str) -> None:
    """Calls that reach into another ERP module (invoicing a sales order) need that module on too."""
    if key not in principal.modules:
        raise module_off_error(key)


async def erp_context(session: AsyncSession, principal: ApiPrincipal) -> ErpContext:
    currency = await session.scalar(select(Tenant.currency).where(Tenant.id == principal.tenant_id))
    return ErpContext(
        currency=currency or "EUR",
        modules=principal.modules,
        user_id=principal.user_id,
        user_label=f"API: {principal.client_name}",
    )
