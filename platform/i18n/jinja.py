"""The Jinja2 side: the i18n extension bound to the request's language, and the format filters.

``{% trans %}``/``{% pluralize %}`` blocks and ``_()`` read the current language at render time (a context
variable), so one compiled template serves every language.
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment

from nexo.platform.i18n import catalog, formats
from nexo.platform.i18n.values import value_label


def _gettext(message: str) -> str:
    return catalog.translations(catalog.current_language()).ugettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return catalog.translations(catalog.current_language()).ungettext(singular, plural, n)


def _pgettext(context: str, message: str) -> str:
    return catalog.translations(catalog.current_language()).upgettext(context, message)


def _npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return catalog.translations(catalog.current_language()).unpgettext(context, singular, plural, n)


def install(environment: Environment) -> None:
    """Add the i18n extension (new-style gettext: autoescaped, ``%(name)s`` variables) and the format filters."""
    environment.add_extension("jinja2.ext.i18n")
    environment.policies["ext.i18n.trimmed"] = True
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        _gettext, _ngettext, newstyle=True, pgettext=_pgettext, npgettext=_npgettext
    )
    environment.filters.update(FILTERS)
    environment.globals.update(GLOBALS)


def _translate(message: Any) -> str:
    """A marked (``N_``) message stored as data, translated where it is shown: ``{{ entry.label | t }}``."""
    return _gettext(str(message)) if message else ""


FILTERS: dict[str, Any] = {
    "date": formats.format_date,
    "datetime": formats.format_datetime,
    "time": formats.format_time,
    "number": formats.format_number,
    "money": formats.format_money,
    "percent": formats.format_percentage,
    "t": _translate,
    "value": value_label,
}
GLOBALS: dict[str, Any] = {
    "current_language": catalog.current_language,
    "current_locale": catalog.current_locale,
    "languages": catalog.LANGUAGES,
    "locales": catalog.LOCALES,
}
