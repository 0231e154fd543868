"""Catalog upkeep: ``extract`` the messages, ``update`` the .po files, ``compile`` the .mo files, ``check``.

``python -m nexo.platform.i18n.tool check`` (``make i18n-check``, run in CI and by a test) extracts the messages
afresh and fails when the committed ``.pot`` is out of date, or when a catalog misses a message, keeps an obsolete
one, has an empty or fuzzy translation, or a translation whose ``%(name)s`` placeholders differ from the source.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from nexo.platform.i18n.catalog import DOMAIN, LANGUAGES, LOCALE_DIR
from nexo.platform.settings import REPO_ROOT

POT = LOCALE_DIR / f"{DOMAIN}.pot"
SOURCE_LANGUAGE = "en"  # msgids are English; the English catalog translates each to itself
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
    "lazy_gettext": None,
    "N_": None,
    "NP_": ((1, "c"), 2),
}
METHODS = [
    ("platform/**.py", "python"),
    ("tenants/**.py", "python"),
    ("billing/**.py", "python"),
    ("modules/**.py", "python"),
    ("templates/**.html", "jinja2"),
    ("templates/**.txt", "jinja2"),
]
JINJA_OPTIONS = {"trimmed": "true", "extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}
OPTIONS = {"templates/**.html": JINJA_OPTIONS, "templates/**.txt": JINJA_OPTIONS}


def extract() -> Catalog:
    """Every marked message of the code base, sorted, without line numbers (stable diffs)."""
    catalog = Catalog(project="Nexo", charset="utf-8", fuzzy=False)
    for filename, _lineno, message, comments, context in extract_from_dir(
        str(REPO_ROOT), METHODS, OPTIONS, KEYWORDS, comment_tags=("Translators:",), strip_comment_tags=True
    ):
        if "/tests/" in f"/{filename}" or filename.startswith((".venv", "node_modules")):
            continue
        catalog.add(message, locations=[(filename, 0)], auto_comments=comments, context=context)
    return catalog


def _po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _write(path: Path, catalog: Catalog) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=120, sort_output=True, omit_header=False, include_lineno=False)
    path.write_bytes(buffer.getvalue())


def update() -> None:
    """Write the .pot, and merge it into each language's .po (English translates to itself)."""
    template = extract()
    _write(POT, template)
    for language in LANGUAGES:
        path = _po_path(language)
        catalog = _read(path, language) if path.exists() else Catalog(locale=language, project="Nexo")
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.fuzzy = False
        if language == SOURCE_LANGUAGE:
            for message in catalog:
                if message.id:
                    message.string = message.id
                    message.flags.discard("fuzzy")
        _write(path, catalog)


def compile_all() -> None:
    """The .mo file of each language (done by ``make install``; .mo files are not committed)."""
    for language in LANGUAGES:
        path = _po_path(language)
        catalog = _read(path, language)
        with path.with_suffix(".mo").open("wb") as handle:
            write_mo(handle, catalog)


def problems(fresh: Catalog | None = None) -> list[str]:
    """Everything that makes the catalogs out of date or incomplete (empty when all is well).

    ``fresh`` is the extraction to compare with (the code base's, by default).
    """
    found: list[str] = []
    fresh = fresh if fresh is not None else extract()
    wanted = {(m.id if isinstance(m.id, str) else tuple(m.id), m.context) for m in fresh if m.id}
    committed = {(m.id if isinstance(m.id, str) else tuple(m.id), m.context) for m in _read(POT) if m.id}
    for missing in sorted(wanted - committed, key=str):
        found.append(f"messages.pot lacks {missing[0]!r}: run `make i18n-update`")
    for stale in sorted(committed - wanted, key=str):
        found.append(f"messages.pot has a message no longer in the code: {stale[0]!r}: run `make i18n-update`")
    for language in LANGUAGES:
        catalog = _read(_po_path(language), language)
        have = {(m.id if isinstance(m.id, str) else tuple(m.id), m.context) for m in catalog if m.id}
        for missing in sorted(wanted - have, key=str):
            found.append(f"{language}: no entry for {missing[0]!r}")
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy:
                found.append(f"{language}: fuzzy translation of {message.id!r}")
            elif not all(strings):
                found.append(f"{language}: untranslated {message.id!r}")
        for message, errors in catalog.check():
            for error in errors:
                found.append(f"{language}: {message.id!r}: {error}")
    return found


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "check":
        issues = problems()
        for issue in issues:
            print(issue, file=sys.stderr)
        if issues:
            print(f"{len(issues)} catalog problem(s)", file=sys.stderr)
            return 1
        print("catalogs complete and up to date")
    else:
        print("usage: python -m nexo.platform.i18n.tool update|compile|check", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
