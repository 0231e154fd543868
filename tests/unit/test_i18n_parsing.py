"""Typed numbers and dates, read per locale: exact Decimals, day-first dates, clear refusals (table-driven)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from nexo.platform.i18n.catalog import use_language
from nexo.platform.i18n.parsing import ParseError, parse_date, parse_decimal

DECIMALS = [
    # locale, typed, value
    ("es-ES", "1.234,56", Decimal("1234.56")),
    ("es-ES", "1234,56", Decimal("1234.56")),
    ("es-ES", "1234.56", Decimal("1234.56")),  # a lone point followed by two digits can only be decimals
    ("es-ES", "1.234", Decimal("1234")),  # the locale's own grouping
    ("es-ES", "1.234.567,8", Decimal("1234567.8")),
    ("es-ES", "1,234.56", Decimal("1234.56")),  # the other convention, written in full
    ("es-ES", "-3,5", Decimal("-3.5")),
    ("es-ES", ",5", Decimal("0.5")),
    ("es-ES", " 1 234,56 ", Decimal("1234.56")),  # spaces as grouping
    ("es-ES", "0,1", Decimal("0.1")),  # exact, never a float
    ("es-AR", "1.234,56", Decimal("1234.56")),
    ("es-MX", "1,234.56", Decimal("1234.56")),
    ("es-MX", "1234,56", Decimal("1234.56")),
    ("en-US", "1,234.56", Decimal("1234.56")),
    ("en-US", "1234.56", Decimal("1234.56")),
    ("en-US", "1,234", Decimal("1234")),
    ("en-US", "1234,5", Decimal("1234.5")),
    ("en-US", "1.234,56", Decimal("1234.56")),
    ("en-GB", "12", Decimal("12")),
    ("en-GB", "0.125", Decimal("0.125")),
]

REFUSED_DECIMALS = [
    # locale, typed, words the message must contain
    ("es-ES", "1234.567", "ambiguo"),  # thousands or decimals? refused, with both readings offered
    ("en-US", "1234,567", "ambiguous"),
    ("es-ES", "1.23.4", "1.234,56"),
    ("es-ES", "abc", "1.234,56"),
    ("es-ES", "1..2", "1.234,56"),
    ("en-US", "12e3", "1,234.56"),
    ("en-US", "NaN", "1,234.56"),
    ("en-US", "", "1,234.56"),
    ("es-ES", "1,2,3", "1.234,56"),
]

DATES = [
    ("es-ES", "06/12/2026", datetime.date(2026, 12, 6)),
    ("es-ES", "6/12/2026", datetime.date(2026, 12, 6)),
    ("es-ES", "06-12-2026", datetime.date(2026, 12, 6)),
    ("es-ES", "06.12.2026", datetime.date(2026, 12, 6)),
    ("es-ES", "2026-12-06", datetime.date(2026, 12, 6)),  # ISO, as <input type="date"> sends it
    ("es-MX", "06/12/2026", datetime.date(2026, 12, 6)),
    ("es-AR", "31/01/2027", datetime.date(2027, 1, 31)),
    ("en-GB", "06/12/2026", datetime.date(2026, 12, 6)),
    ("en-US", "06/12/2026", datetime.date(2026, 6, 12)),
    ("en-US", "12/31/2026", datetime.date(2026, 12, 31)),
    ("en-US", "2026-12-06", datetime.date(2026, 12, 6)),
]

REFUSED_DATES = [
    ("es-ES", "31/02/2026", "fecha"),  # no such day
    ("es-ES", "12/31/2026", "fecha"),  # month 31: a US date typed in Spain
    ("es-ES", "06/12/26", "cuatro cifras"),
    ("es-ES", "mañana", "fecha"),
    ("en-US", "31/12/2026", "date"),
    ("en-US", "2026-13-01", "date"),
]


def _language(locale: str) -> str:
    return locale.split("-")[0]


@pytest.mark.parametrize(("locale", "typed", "value"), DECIMALS)
def test_decimal_per_locale(locale: str, typed: str, value: Decimal) -> None:
    with use_language(_language(locale), locale):
        parsed = parse_decimal(typed)
    assert parsed == value
    assert isinstance(parsed, Decimal)


@pytest.mark.parametrize(("locale", "typed", "hint"), REFUSED_DECIMALS)
def test_refused_decimals_say_how(locale: str, typed: str, hint: str) -> None:
    with use_language(_language(locale), locale), pytest.raises(ParseError) as refused:
        parse_decimal(typed)
    assert hint in str(refused.value)


def test_ambiguous_offers_both_readings() -> None:
    with use_language("es", "es-ES"), pytest.raises(ParseError) as refused:
        parse_decimal("1234.567")
    assert "1234,567" in str(refused.value)
    assert "1234567" in str(refused.value)


@pytest.mark.parametrize(("locale", "typed", "value"), DATES)
def test_date_per_locale(locale: str, typed: str, value: datetime.date) -> None:
    with use_language(_language(locale), locale):
        assert parse_date(typed) == value


@pytest.mark.parametrize(("locale", "typed", "hint"), REFUSED_DATES)
def test_refused_dates_say_how(locale: str, typed: str, hint: str) -> None:
    with use_language(_language(locale), locale), pytest.raises(ParseError) as refused:
        parse_date(typed)
    assert hint in str(refused.value)
