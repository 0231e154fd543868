"""Gettext catalogs and the current language, per request and per task.

The language and the formatting locale live in context variables: each request (an asyncio task) sees its own, so
concurrent requests never leak a language into each other. ``use_language`` switches them for a block (an e-mail
to a recipient in their own language, the seed data of a Spanish workspace).

Catalogs are ``platform/i18n/locale/<lang>/LC_MESSAGES/messages.po``; ``make install`` compiles them to ``.mo``
(never committed). A missing ``.mo`` is compiled from its ``.po`` in memory, so a checkout that skipped the
install step still speaks every language.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
LANGUAGES: dict[str, str] = {"es": "Español", "en": "English"}
DEFAULT_LANGUAGE = "en"
# Workspace locales: formats of dates, numbers and money. The language's default locale when none is set.
LOCALES: dict[str, str] = {
    "es-ES": "Español (España)",
    "es-MX": "Español (México)",
    "es-AR": "Español (Argentina)",
    "en-US": "English (United States)",
    "en-GB": "English (United Kingdom)",
}
DEFAULT_LOCALE = {"es": "es-ES", "en": "en-US"}

_language: ContextVar[str] = ContextVar("nexo_language", default=DEFAULT_LANGUAGE)
_locale: ContextVar[str] = ContextVar("nexo_locale", default="en-US")
_timezone: ContextVar[str] = ContextVar("nexo_timezone", default="UTC")
# The workspace's own language (not the reader's): seed data (pipeline stages, chart of accounts) is written in it.
_workspace_language: ContextVar[str | None] = ContextVar("nexo_workspace_language", default=None)


@cache
def translations(language: str) -> NullTranslations:
    """The compiled catalog of ``language`` (loaded once per process); English is the source language."""
    if language not in LANGUAGES:
        return NullTranslations()
    mo = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"
    po = mo.with_suffix(".po")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as handle:
            return Translations(handle, domain=DOMAIN)
    if not po.exists():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def current_language() -> str:
    return _language.get()


def current_locale() -> str:
    """The formatting locale (``es-ES``): the workspace's, else the language's default."""
    return _locale.get()


def current_timezone() -> str:
    return _timezone.get()


def workspace_language() -> str:
    """The language of the workspace being served or provisioned (the reader's language outside one)."""
    return _workspace_language.get() or current_language()


def set_workspace_language(language: str) -> None:
    _workspace_language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


@contextmanager
def seeding_in(language: str) -> Iterator[None]:
    """Write a workspace's seed data in ``language``: both the messages and ``workspace_language()`` follow it."""
    token = _workspace_language.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    try:
        with use_language(language):
            yield
    finally:
        _workspace_language.reset(token)


def babel_locale(tag: str | None = None) -> Locale:
    return _babel_locale(tag or current_locale())


@cache
def _babel_locale(tag: str) -> Locale:
    return Locale.parse(tag, sep="-")


def set_language(language: str, locale: str | None = None, timezone: str | None = None) -> None:
    """Switch the current task's language (and locale and time zone when given) until the request ends."""
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    _language.set(language)
    if locale is not None:
        _locale.set(locale if locale in LOCALES else DEFAULT_LOCALE[language])
    if timezone is not None:
        _timezone.set(timezone)


@contextmanager
def use_language(language: str | None, locale: str | None = None, timezone: str | None = None) -> Iterator[None]:
    """Run a block in ``language`` (``None`` keeps the current one); restores the previous values after it."""
    tokens = (_language.set(language or current_language()), _locale.set(locale or _locale_for(language)))
    timezone_token = _timezone.set(timezone) if timezone else None
    try:
        yield
    finally:
        _language.reset(tokens[0])
        _locale.reset(tokens[1])
        if timezone_token is not None:
            _timezone.reset(timezone_token)


def _locale_for(language: str | None) -> str:
    """The current locale if it speaks ``language``, else that language's default locale."""
    if language is None or current_locale().startswith(language):
        return current_locale()
    return DEFAULT_LOCALE.get(language, "en-US")


def gettext(message: str, **variables: Any) -> str:
    """Translate ``message`` into the current language; ``%(name)s`` placeholders take ``variables``."""
    text = translations(current_language()).ugettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: Any) -> str:
    """Singular or plural by ``n`` (``%(num)d`` holds ``n``), in the current language."""
    text = translations(current_language()).ungettext(singular, plural, n)
    return text % {"num": n, **variables}


def pgettext(context: str, message: str, **variables: Any) -> str:
    """Translate a short ``message`` whose meaning depends on ``context`` (e.g. ``"month"``/``"May"``)."""
    text = translations(current_language()).upgettext(context, message)
    return text % variables if variables else text


_ = gettext


def lazy_gettext(message: str, **variables: Any) -> LazyProxy:
    """A string translated when it is used (module constants, read at import, rendered per request)."""
    return LazyProxy(gettext, message, enable_cache=False, **variables)


def N_(message: str) -> str:  # noqa: N802 - the conventional gettext-noop name
    """Mark ``message`` for the catalog without translating it now: it is translated where it is shown (``_()``)."""
    return message


def negotiate(accept_language: str | None) -> str | None:
    """The best of our languages for an ``Accept-Language`` header, or ``None`` when it names none of them."""
    if not accept_language:
        return None
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept_language.split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().split("-")[0].lower()
        if primary in LANGUAGES and quality > 0:
            weighted.append((-quality, index, primary))
    return min(weighted)[2] if weighted else None


def negotiate_locale(accept_language: str | None, language: str) -> str:
    """A locale for formats from the header's first tag of ``language`` (``es-MX``), else the language default."""
    for part in (accept_language or "").split(","):
        tag = part.strip().partition(";")[0].strip()
        for known in LOCALES:
            if known.lower() == tag.lower() and known.startswith(language):
                return known
    return DEFAULT_LOCALE.get(language, "en-US")
