"""The page kit: what every page controller of every module shares (form data, field parsing with per-field
errors, fetch-or-404, pickers, the answer after a successful post, and service refusals as inline errors).

Service refusals → page errors (the one mechanism)
--------------------------------------------------
Services raise a ``nexo.platform.refusals.RefusalError`` subclass (``BusinessRuleError``,
``InvalidStateError``, ``ConflictError``, ``UnknownReferenceError``, ``ModuleOffError``) with the message for
people and the field it belongs to. A page controller wraps the service call in ``form_refusals``, which files the
message under the form field (``fields`` maps a service field name to the form's, ``default`` takes the rest) and
lets the controller re-render the form with a 400::

    errors = FormErrors()
    values = parse_product_form(data, errors)           # forms.py: typed input or field errors
    if not errors:
        with form_refusals(errors, default="sku"):
            await ProductService(db_session, context).create(values)
    if errors:
        return render(request, "erp/product_form.html", {"data": data, "errors": errors}, status_code=400)

A page that answers a refusal with a page-level message rather than a form (an action button: deliver, approve)
catches ``RefusalError`` and shows its ``message``.

The API translates the same refusals with ``REFUSAL_HANDLERS`` (``nexo.platform.api.resource``), so a rule is
written once, in the service, and both doors answer it.
"""

from __future__ import annotations

import datetime
from collections.abc import Container, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import Redirect, Template
from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.refusals import RefusalError
from nexo.platform.web.rendering import is_htmx

T = TypeVar("T")
AnyRequest = Request[Any, Any, Any]
# A URL-encoded form body, one string per field (a repeated field keeps its last value).
FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
# The same body where a repeated field (``<select multiple>``, checkbox groups) arrives as a list.
MultiFormData = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
# Pickers (select boxes) list at most this many records; a longer list needs a search picker.
PICKER_LIMIT = 500


class FormErrors(dict[str, str]):
    """Field name → message, shown next to the field."""


def clean_form(data: Mapping[str, Any]) -> dict[str, str]:
    """Form fields as stripped strings (a repeated field keeps its last value)."""
    out: dict[str, str] = {}
    for key, value in data.items():
        if isinstance(value, list):
            value = value[-1] if value else ""
        out[key] = str(value).strip()
    return out


# --- fields ----------------------------------------------------------------------------------------------------


def parse_decimal(
    data: Mapping[str, str],
    name: str,
    errors: FormErrors,
    *,
    label: str,
    required: bool = True,
    minimum: Decimal | None = Decimal(0),
    default: Decimal | None = None,
) -> Decimal | None:
    """A typed number (``,`` or ``.`` as the decimal mark); ``None`` and an error under ``name`` when it is not."""
    raw = (data.get(name) or "").strip().replace(",", ".")
    if not raw:
        if required and default is None:
            errors[name] = f"Enter the {label}."
        return default
    try:
        value = Decimal(raw)
    except InvalidOperation:
        errors[name] = f"The {label} must be a number."
        return None
    if not value.is_finite() or (minimum is not None and value < minimum):
        errors[name] = f"The {label} cannot be below {minimum}."
        return None
    return value


def parse_int(
    data: Mapping[str, str], name: str, errors: FormErrors, *, label: str, required: bool = True
) -> int | None:
    """A chosen record id (a select box's value)."""
    raw = (data.get(name) or "").strip()
    if not raw:
        if required:
            errors[name] = f"Choose the {label}."
        return None
    if not raw.isdigit():
        errors[name] = f"Choose a valid {label}."
        return None
    return int(raw)


def parse_date(raw: str | None, name: str, errors: FormErrors, *, label: str) -> datetime.date | None:
    """An ISO date (``<input type=date>``); empty is ``None``."""
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        errors[name] = f"The {label} must be a date (YYYY-MM-DD)."
        return None


# --- records ---------------------------------------------------------------------------------------------------


async def get_or_404(session: AsyncSession, model: type[T], record_id: int, what: str) -> T:
    """The record of this workspace (the session is bound to the tenant), or the 404 page."""
    record = await session.get(model, record_id)
    if record is None:
        raise NotFoundException(f"No such {what} in this workspace.")
    return record


async def picker(session: AsyncSession, statement: Select[Any], limit: int = PICKER_LIMIT) -> list[Any]:
    """The records a select box offers (``statement`` orders them)."""
    return list(await session.scalars(statement.limit(limit)))


# --- answers ---------------------------------------------------------------------------------------------------


def see_other(target: str) -> Redirect:
    """After a successful plain form post: 303 to the page that shows the result."""
    return Redirect(target, status_code=303)


def after_post(request: AnyRequest, target: str) -> Template | Redirect:
    """After a successful form post: htmx follows an ``HX-Redirect``, a plain form a 303."""
    if is_htmx(request):
        return Template(template_name="partials/empty.html", headers={"hx-redirect": target})
    return see_other(target)


@contextmanager
def form_refusals(
    errors: FormErrors,
    *,
    default: str,
    fields: Mapping[str, str] | None = None,
    known: Container[str] | None = None,
) -> Iterator[None]:
    """A service's ``RefusalError`` as an inline error, filed under:

    * ``fields[refusal.field]`` when ``fields`` maps the service's names to the form's (``default`` for the rest);
    * else ``refusal.field`` itself, when it names a field of the form (``known``: the form's data or field
      names; without it any named field counts);
    * else ``default``."""
    try:
        yield
    except RefusalError as refusal:
        errors[_error_field(refusal, default, fields, known)] = refusal.message


def _error_field(
    refusal: RefusalError, default: str, fields: Mapping[str, str] | None, known: Container[str] | None
) -> str:
    if fields is not None:
        return fields.get(refusal.field, default)
    if refusal.field and (known is None or refusal.field in known):
        return refusal.field
    return default
