"""Helpers shared by the ERP page controllers: form parsing with per-field errors, lookups for select boxes."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.modules.directory.models import Organization

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
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        errors[name] = f"The {label} must be a date (YYYY-MM-DD)."
        return None


async def organizations(session: AsyncSession) -> list[Organization]:
    return list(await session.scalars(select(Organization).order_by(Organization.name).limit(500)))


async def get_or_404(session: AsyncSession, model: type[Any], key: int, what: str) -> Any:
    row = await session.get(model, key)
    if row is None:
        raise NotFoundException(f"No such {what} in this workspace.")
    return row
