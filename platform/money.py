"""Money: ``Decimal`` amounts rounded to the minor unit of the tenant's currency."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

# ISO 4217 currencies whose minor unit is not two digits (everything else has cents).
MINOR_UNITS: dict[str, int] = {
    "BIF": 0,
    "CLP": 0,
    "DJF": 0,
    "GNF": 0,
    "ISK": 0,
    "JPY": 0,
    "KMF": 0,
    "KRW": 0,
    "PYG": 0,
    "RWF": 0,
    "UGX": 0,
    "VND": 0,
    "VUV": 0,
    "XAF": 0,
    "XOF": 0,
    "XPF": 0,
    "BHD": 3,
    "IQD": 3,
    "JOD": 3,
    "KWD": 3,
    "LYD": 3,
    "OMR": 3,
    "TND": 3,
}
ZERO = Decimal("0")
QUANTITY_STEP = Decimal("0.0001")
COST_STEP = Decimal("0.000001")


def minor_unit(currency: str) -> int:
    return MINOR_UNITS.get(currency.upper(), 2)


def round_money(amount: Decimal | int | str, currency: str) -> Decimal:
    """Round half up to the currency's minor unit (commercial rounding)."""
    step = Decimal(1).scaleb(-minor_unit(currency))
    return Decimal(amount).quantize(step, rounding=ROUND_HALF_UP)


def round_quantity(quantity: Decimal | int | str) -> Decimal:
    return Decimal(quantity).quantize(QUANTITY_STEP, rounding=ROUND_HALF_UP)


def round_cost(cost: Decimal | int | str) -> Decimal:
    return Decimal(cost).quantize(COST_STEP, rounding=ROUND_HALF_UP)


def total(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, ZERO)
