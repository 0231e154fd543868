"""Money rounds half up to the currency's minor unit; quantities and costs to their own steps."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nexo.platform.money import minor_unit, round_cost, round_money, round_quantity, total

D = Decimal


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("2.345", "EUR", D("2.35")),  # half up, not banker's rounding
        ("2.344", "EUR", D("2.34")),
        ("-2.345", "EUR", D("-2.35")),  # away from zero for negatives (credit notes)
        ("1234.5", "JPY", D("1235")),
        ("1.0005", "KWD", D("1.001")),
        (7, "eur", D("7.00")),
    ],
)
def test_round_money_to_the_minor_unit(amount: str | int, currency: str, expected: D) -> None:
    rounded = round_money(amount, currency)
    assert rounded == expected and rounded.as_tuple().exponent == -minor_unit(currency)


def test_quantities_keep_four_decimals_and_costs_six() -> None:
    assert round_quantity("1.23455") == D("1.2346")
    assert round_cost("0.1234565") == D("0.123457")


def test_total_of_nothing_is_zero_and_exact_for_cents() -> None:
    assert total([]) == D(0)
    assert total([D("0.10")] * 3) == D("0.30")
