"""Numbers and dates typed by people, read the way their locale writes them.

A Spanish user types ``1.234,56``, ``1234,56`` or ``1234.56``; an American types ``1,234.56``. Each is read exactly
(``Decimal``, never a float). Input the locale cannot settle is refused with a message saying how to write it:
``1.234`` in en-US is a thousand-two-hundred-thirty-four only if grouping is meant, so a point or comma followed by
exactly three digits that is not the locale's own grouping (``1234.567`` in es-ES) is ambiguous.

Dates: ISO ``2026-12-06`` (what ``<input type="date">`` sends) always; otherwise the locale's order, day first
everywhere except en-US (``06/12/2026`` is 6 December in es-ES and June 12 in en-US). Two-digit years are refused.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation

from babel.numbers import get_decimal_symbol, get_group_symbol

from nexo.platform.i18n.catalog import babel_locale, current_locale, gettext
from nexo.platform.i18n.formats import format_date, format_number

_SPACES = re.compile(r"[\s\u00a0\u202f']")
_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ParseError(ValueError):
    """Input the locale cannot read; ``str(error)`` is the message shown next to the field (translated)."""


def separators(locale: str | None = None) -> tuple[str, str]:
    """(decimal, group) symbols of ``locale``: ``(",", ".")`` for es-ES, ``(".", ",")`` for en-US."""
    tag = babel_locale(locale)
    return get_decimal_symbol(tag), get_group_symbol(tag)


def _grouped(digits: str, group: str, decimal: str) -> re.Pattern[str]:
    g, d = re.escape(group), re.escape(decimal)
    return re.compile(rf"^(\d{{1,3}}({g}\d{{3}})+|\d+)({d}\d+)?$")


def parse_decimal(text: str, locale: str | None = None) -> Decimal:
    """``text`` as an exact ``Decimal`` in ``locale`` (the current one by default); raises ``ParseError``."""
    decimal, group = separators(locale)
    raw = _SPACES.sub("", text.strip())
    sign = ""
    if raw[:1] in "-+" and raw[:1]:
        sign, raw = ("-" if raw[0] == "-" else ""), raw[1:]
    if raw[:1] in {decimal, group} and raw[1:].isdigit():  # ",5" / ".5"
        raw = "0" + raw
    if not raw or not re.fullmatch(r"[\d.,]+", raw) or not raw[0].isdigit():
        raise ParseError(gettext("Enter a number, such as %(example)s.", example=_example(locale)))
    if _grouped(raw, group, decimal).match(raw):  # the locale's own way: 1.234,56 / 1234,56 / 1.234
        return _exact(sign + raw.replace(group, "").replace(decimal, "."))
    if _grouped(raw, decimal, group).match(raw) and group in raw and decimal in raw:  # the other way, in full
        return _exact(sign + raw.replace(decimal, "").replace(group, "."))
    if raw.count(group) == 1 and decimal not in raw:  # a lone foreign decimal point: 1234.56 in es-ES
        whole, fraction = raw.split(group)
        if len(fraction) != 3 and whole and fraction:
            return _exact(f"{sign}{whole}.{fraction}")
        if len(fraction) == 3:
            as_decimal, as_whole = f"{sign}{whole}{decimal}{fraction}", f"{sign}{whole}{fraction}"
            raise ParseError(
                gettext(
                    "“%(value)s” is ambiguous: write %(as_decimal)s if it has decimals, or %(as_whole)s if it has "
                    "none.",
                    value=text.strip(),
                    as_decimal=as_decimal,
                    as_whole=as_whole,
                )
            )
    raise ParseError(gettext("Enter a number, such as %(example)s.", example=_example(locale)))


def _exact(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ParseError(gettext("Enter a number, such as %(example)s.", example=_example(None))) from None
    if not value.is_finite():
        raise ParseError(gettext("Enter a number, such as %(example)s.", example=_example(None)))
    return value


def _example(locale: str | None) -> str:
    decimal, group = separators(locale)
    return f"1{group}234{decimal}56"


def parse_date(text: str, locale: str | None = None) -> datetime.date:
    """``text`` as a date: ISO, or the locale's numeric order with ``/``, ``-`` or ``.``; raises ``ParseError``."""
    raw = text.strip()
    try:
        if _ISO.match(raw):
            return datetime.date.fromisoformat(raw)
        match = _DATE.match(raw)
        if match is None:
            raise ValueError(raw)
        first, second, year = match.groups()
        if len(year) != 4:
            raise ParseError(gettext("Write the year with four digits, such as %(example)s.", example=_date_example()))
        month_first = (locale or current_locale()) == "en-US"
        day, month = (second, first) if month_first else (first, second)
        return datetime.date(int(year), int(month), int(day))
    except ParseError:
        raise
    except ValueError:
        raise ParseError(gettext("Enter a date, such as %(example)s.", example=_date_example())) from None


def _date_example() -> str:
    return format_date(datetime.date(2026, 12, 6))


def number_example() -> str:
    return format_number(Decimal("1234.56"), 2)
