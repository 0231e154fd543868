"""Formats per workspace locale: dates, numbers, money, percentages and times in the workspace's time zone."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from nexo.platform.i18n.catalog import gettext, negotiate, negotiate_locale, use_language
from nexo.platform.i18n.formats import format_date, format_datetime, format_money, format_number, format_percentage

NBSP = "\u00a0"
DAY = datetime.date(2026, 12, 6)

CASES = [
    # locale, short date, medium date, money EUR, money USD, number, percent
    ("es-ES", "06/12/2026", "6 dic 2026", f"1.234,56{NBSP}€", f"1.234,56{NBSP}US$", "1.234,5", f"21{NBSP}%"),
    ("es-MX", "06/12/2026", "6 dic 2026", "EUR1,234.56", "USD1,234.56", "1,234.5", "21%"),
    ("es-AR", "06/12/2026", "6 dic 2026", "EUR1.234,56", "US$1.234,56", "1.234,5", "21%"),
    ("en-US", "12/06/2026", "Dec 6, 2026", "€1,234.56", "$1,234.56", "1,234.5", "21%"),
    ("en-GB", "06/12/2026", "6 Dec 2026", "€1,234.56", "US$1,234.56", "1,234.5", "21%"),
]


@pytest.mark.parametrize(("locale", "short", "medium", "eur", "usd", "number", "percent"), CASES)
def test_formats_per_locale(
    locale: str, short: str, medium: str, eur: str, usd: str, number: str, percent: str
) -> None:
    with use_language(locale.split("-")[0], locale):
        assert format_date(DAY) == short
        assert format_date(DAY, "medium") == medium
        assert format_money(Decimal("1234.56"), "EUR") == eur
        assert format_money(Decimal("1234.56"), "USD") == usd
        assert format_number(Decimal("1234.5000")) == number
        assert format_percentage(Decimal("0.21"), ratio=True).replace("\u202f", NBSP) == percent


def test_times_follow_the_workspace_time_zone() -> None:
    moment = datetime.datetime(2026, 12, 6, 23, 30, tzinfo=datetime.UTC)
    with use_language("es", "es-ES", "Europe/Madrid"):
        assert format_datetime(moment) == "07/12/2026 00:30"  # already the next day in Madrid
        assert format_date(moment) == "07/12/2026"
    with use_language("en", "en-US", "America/New_York"):
        assert format_datetime(moment) == "12/06/2026 6:30 PM"


def test_decimals_fixed_and_exact() -> None:
    with use_language("es", "es-ES"):
        assert format_number(Decimal("3"), 2) == "3,00"
        assert format_number(Decimal("0.125"), 2) == "0,13"  # half up, as invoices round
        assert format_money(Decimal("2.675"), "EUR") == f"2,68{NBSP}€"
        assert format_percentage(Decimal("0.105"), ratio=True) == f"10,5{NBSP}%"


@pytest.mark.parametrize(
    ("header", "language", "locale"),
    [
        ("es-ES,es;q=0.9,en;q=0.8", "es", "es-ES"),
        ("es-MX,es;q=0.9", "es", "es-MX"),
        ("en-GB,en;q=0.9", "en", "en-GB"),
        ("fr-FR,fr;q=0.9,es;q=0.5", "es", "es-ES"),
        ("en;q=0.2,es;q=0.8", "es", "es-ES"),
        ("fr-FR", None, None),
        ("", None, None),
    ],
)
def test_accept_language(header: str, language: str | None, locale: str | None) -> None:
    assert negotiate(header) == language
    if language:
        assert negotiate_locale(header, language) == locale


def test_translations_are_per_context() -> None:
    with use_language("es"):
        assert gettext("Sign in") == "Iniciar sesión"
        with use_language("en"):
            assert gettext("Sign in") == "Sign in"
        assert gettext("Sign in") == "Iniciar sesión"
    assert gettext("Sign in") == "Sign in"
