"""Helpers shared by the ERP page controllers: form parsing with per-field errors, lookups for select boxes."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any

from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.directory.models import Organization
from nexo.platform.i18n.parsing import ParseError
from nexo.platform.i18n.parsing import parse_date as locale_date
from nexo.platform.i18n.parsing import parse_decimal as locale_decimal

FormData = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]


class FormErrors(dict[str, str]):
    """Field name → message, shown next to the field."""


def parse_decimal(
    data: dict[str, str],
    name: str,
    errors: FormErrors,
    *,
    label: str,
    required: bool = True,
    minimum: Decimal | None = Decimal(0),
    default: Decimal | None = None,
) -> Decimal | None:
    """A number typed the workspace locale's way (``1.234,56`` in es-ES); ambiguous input is refused."""
    raw = (data.get(name) or "").strip()
    if not raw:
        if required and default is None:
            errors[name] = f"Enter the {label}."
        return default
    try:
        value = locale_decimal(raw)
    except ParseError as exc:
        errors[name] = str(exc)
        return None
    if minimum is not None and value < minimum:
        errors[name] = f"The {label} cannot be below {minimum}."
        return None
    return value


def parse_int(data: dict[str, str], name: str, errors: FormErrors, *, label: str, required: bool = True) -> int | None:
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
    """ISO (``<input type="date">``) or the locale's own order (``06/12/2026`` is 6 December in es-ES)."""
    if not raw:
        return None
    try:
        return locale_date(raw)
    except ParseError as exc:
        errors[name] = str(exc)
        return None


async def organizations(session: AsyncSession) -> list[Organization]:
    return list(await session.scalars(select(Organization).order_by(Organization.name).limit(500)))


async def get_or_404(session: AsyncSession, model: type[Any], key: int, what: str) -> Any:
    row = await session.get(model, key)
    if row is None:
        raise NotFoundException(f"No such {what} in this workspace.")
    return row
