"""Dates, times, numbers, money and percentages in the current locale (Jinja filters and Python helpers).

Short dates always carry four-digit years and two-digit days (``06/12/2026``): CLDR's short forms (``6/12/26``)
are too easy to misread on a business document. Times are shown in the workspace's time zone.
"""

from __future__ import annotations

import datetime
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

from babel.dates import format_date as babel_format_date
from babel.dates import format_datetime as babel_format_datetime
from babel.numbers import format_currency, format_decimal, format_percent, get_currency_precision

from nexo.platform.i18n.catalog import babel_locale, current_locale, current_timezone

SHORT_DATE = {"en-US": "MM/dd/yyyy"}  # every other locale we offer writes day/month/year
DEFAULT_SHORT_DATE = "dd/MM/yyyy"


def short_date_pattern(locale: str | None = None) -> str:
    return SHORT_DATE.get(locale or current_locale(), DEFAULT_SHORT_DATE)


@cache
def _zone(name: str) -> datetime.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.UTC


def local_time(value: datetime.datetime) -> datetime.datetime:
    """``value`` in the workspace's time zone (a naive value is taken as UTC, as the database stores it)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=datetime.UTC)
    return value.astimezone(_zone(current_timezone()))


def format_date(value: datetime.date | datetime.datetime | None, style: str = "short") -> str:
    """``06/12/2026`` (short) or ``6 dic 2026`` (medium) or ``6 de diciembre de 2026`` (long)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = local_time(value).date()
    pattern = short_date_pattern() if style == "short" else style
    return babel_format_date(value, pattern, locale=babel_locale())


def format_datetime(value: datetime.datetime | None, style: str = "short") -> str:
    """Date and time in the workspace's time zone: ``06/12/2026 14:05`` (short) or the locale's medium form."""
    if value is None:
        return ""
    local = local_time(value)
    if style == "short":
        time_pattern = "h:mm a" if current_locale() == "en-US" else "HH:mm"
        return babel_format_datetime(local, f"{short_date_pattern()} {time_pattern}", locale=babel_locale())
    return babel_format_datetime(local, style, locale=babel_locale())


def format_time(value: datetime.datetime | None) -> str:
    if value is None:
        return ""
    pattern = "h:mm a" if current_locale() == "en-US" else "HH:mm"
    return babel_format_datetime(local_time(value), pattern, locale=babel_locale())


def format_number(value: Any, decimals: int | None = None) -> str:
    """``1.234,5`` / ``1,234.5``; ``decimals`` fixes the digits after the separator."""
    if value is None or value == "":
        return ""
    number = Decimal(str(value)) if not isinstance(value, Decimal) else value
    if decimals is None:
        exact = number.normalize() if number == number.to_integral() else number
        return format_decimal(exact, locale=babel_locale(), decimal_quantization=False)
    pattern = "#,##0." + "0" * decimals if decimals else "#,##0"
    rounded = number.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    return format_decimal(rounded, format=pattern, locale=babel_locale(), decimal_quantization=True)


def format_money(value: Any, currency: str = "EUR") -> str:
    """``1.234,56 €`` (es-ES), ``€1,234.56`` (en-US), ``$1,234.56`` (en-US, USD)."""
    if value is None or value == "":
        return ""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    currency = currency or "EUR"
    # Half up, as invoices round (Babel would round half to even).
    rounded = number.quantize(Decimal(1).scaleb(-get_currency_precision(currency)), ROUND_HALF_UP)
    return format_currency(rounded, currency, locale=babel_locale())


def format_percentage(value: Any, decimals: int | None = None, *, ratio: bool = False) -> str:
    """``21 %`` (es-ES, with a no-break space) or ``21%`` (en-US); ``10,5 %``.

    ``value`` is in percent (``21``) unless ``ratio`` (``0.21``); ``decimals`` fixes the digits (default: up to 2).
    """
    if value is None or value == "":
        return ""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not ratio:
        number = number / 100
    number = number.quantize(Decimal(1).scaleb(-(2 if decimals is None else decimals) - 2), ROUND_HALF_UP)
    pattern = babel_locale().percent_formats[None].pattern  # "#,##0 %" (es) or "#,##0%" (en)
    head, _sep, tail = pattern.rpartition("0")
    fraction = "#" * 2 if decimals is None else "0" * decimals
    if fraction:
        pattern = f"{head}0.{fraction}{tail}"
    return format_percent(number, format=pattern, locale=babel_locale(), decimal_quantization=True)
