"""Typed body fields the API shares: decimals as JSON strings, bounded texts, quantities per document line.

Decimals travel as JSON strings (``"12.50"``): exact, never a binary float. A request struct declares
``price: Amount`` and the controller turns it into a ``Decimal`` with ``decimal_or_none``; a representation writes
a quantity back with ``format_quantity``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated

import msgspec

from nexo.platform.api.resource import DbId

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


def decimal_or_none(value: str | None) -> Decimal | None:
    """A decimal string field (``Amount``, ``Quantity``, ``Rate``) as a ``Decimal``; absent stays ``None``."""
    return None if value is None else Decimal(value)


def format_quantity(value: Decimal) -> str:
    """A quantity without trailing zeros ("2", "1.5")."""
    text = f"{value.normalize():f}"
    return text if text != "-0" else "0"


# How much of one document line (an order line to deliver or receive). No docstring: it would become the
# schema's description in the OpenAPI document.
class LineQuantity(msgspec.Struct, forbid_unknown_fields=True):
    line_id: DbId
    quantity: Quantity


def line_quantities(lines: list[LineQuantity] | None) -> dict[int, Decimal] | None:
    """Document line id → quantity (a line named twice adds up); ``None`` when no lines are named."""
    if lines is None:
        return None
    wanted: dict[int, Decimal] = {}
    for line in lines:
        wanted[line.line_id] = wanted.get(line.line_id, Decimal(0)) + Decimal(line.quantity)
    return wanted
