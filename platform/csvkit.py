"""The one CSV writer and the one CSV reader of the product.

**Writing.** Every CSV Nexo produces (list exports, the module export zip, reports) goes through :class:`CsvWriter`,
in one of two formats: ``csv`` (plain: ``,``, UTF-8 without BOM, ``.`` decimals) or ``excel-es`` (what a Spanish
Excel opens with a double click: ``;``, UTF-8 with BOM, ``,`` decimals). Both end lines with CRLF (RFC 4180).

A text cell that a spreadsheet would run as a formula (it starts with ``= + - @``, a tab or a carriage return and
is not a plain number) is written with a leading apostrophe (CSV injection, OWASP). So that the guard can be taken
back exactly, a cell that already starts with apostrophes followed by such a character gets one more apostrophe.

**Reading.** :func:`read_csv` takes back exactly what the writer added (one apostrophe before a guarded cell), so
export → import → export gives the same file. It detects the encoding (a BOM; else strict UTF-8; else
charset-normalizer among the Western single-byte code pages Excel writes: Windows-1252, Latin-9, Latin-1), the
delimiter (``;`` ``,`` or tab: the one that splits the first lines into the same number of columns) and the decimal
convention of the numbers in it. Uploads are read in chunks with a size cap (:func:`read_upload`) and rows are
counted while parsing, so an oversized file is refused before it is held or parsed whole.
"""

from __future__ import annotations

import csv
import datetime
import enum
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Protocol

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
GUARD = "'"
NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")
BOM = "\ufeff"
DELIMITERS = (";", ",", "\t")
SNIFF_LINES = 50


class CsvFormat(enum.StrEnum):
    """The export formats a page offers (its ``format`` query parameter)."""

    PLAIN = "csv"
    EXCEL_ES = "excel-es"

    @property
    def delimiter(self) -> str:
        return ";" if self is CsvFormat.EXCEL_ES else ","

    @property
    def decimal(self) -> str:
        return "," if self is CsvFormat.EXCEL_ES else "."

    @property
    def bom(self) -> bool:
        return self is CsvFormat.EXCEL_ES

    @property
    def label(self) -> str:
        return "Excel (Spanish)" if self is CsvFormat.EXCEL_ES else "CSV"


class CsvFormatError(ValueError):
    """An unknown export format was asked for."""


def csv_format(value: str | None) -> CsvFormat:
    """The format named by a ``format`` parameter (absent: plain CSV); :class:`CsvFormatError` when unknown."""
    if not value:
        return CsvFormat.PLAIN
    try:
        return CsvFormat(value)
    except ValueError:
        choices = ", ".join(f.value for f in CsvFormat)
        raise CsvFormatError(f"Unknown CSV format {value!r}; choose one of: {choices}.") from None


# --- writing ----------------------------------------------------------------------------------------------------


def _is_number(value: str) -> bool:
    return NUMBER.fullmatch(value) is not None


def needs_guard(value: str) -> bool:
    """Would a spreadsheet read ``value`` as a formula once the reader took one leading apostrophe off?"""
    rest = value.lstrip(GUARD)
    return rest[:1] in TRIGGERS and not _is_number(rest)


def guard(value: str) -> str:
    """``value`` safe to open in a spreadsheet (and exactly reversible with :func:`unguard`)."""
    return GUARD + value if needs_guard(value) else value


def unguard(value: str) -> str:
    """Take back what :func:`guard` added: one apostrophe in front of a cell it would guard."""
    return value[1:] if value.startswith(GUARD) and needs_guard(value[1:]) else value


def format_cell(value: object, fmt: CsvFormat = CsvFormat.PLAIN) -> str:
    """One value as cell text: ``None`` empty, numbers with the format's decimal mark (no grouping), dates ISO 8601,
    booleans ``true``/``false``, text guarded against formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | float):
        text = format(value, "f") if isinstance(value, Decimal) else repr(value)
        return text.replace(".", fmt.decimal)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return guard(str(value))


class CsvWriter:
    """Rows to CSV text in one format; ``document`` adds the BOM where the format has one."""

    def __init__(self, fmt: CsvFormat = CsvFormat.PLAIN) -> None:
        self.format = fmt
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, delimiter=fmt.delimiter, lineterminator="\r\n")

    def row(self, values: Iterable[object]) -> str:
        """One line (with its CRLF)."""
        self._writer.writerow([format_cell(v, self.format) for v in values])
        line = self._buffer.getvalue()
        self._buffer.seek(0)
        self._buffer.truncate()
        return line

    def start(self) -> str:
        """What the file starts with (the BOM for Excel)."""
        return BOM if self.format.bom else ""

    def document(self, rows: Iterable[Iterable[object]]) -> bytes:
        """The whole file, UTF-8 encoded."""
        return (self.start() + "".join(self.row(r) for r in rows)).encode("utf-8")


def write_csv(rows: Iterable[Iterable[object]], fmt: CsvFormat = CsvFormat.PLAIN) -> bytes:
    return CsvWriter(fmt).document(rows)


MEDIA_TYPE = "text/csv; charset=utf-8"


# --- reading ----------------------------------------------------------------------------------------------------


class CsvReadError(ValueError):
    """The file cannot be read as CSV (size, row count, encoding, no header): its message is for the person."""


@dataclass(frozen=True)
class ParsedCsv:
    headers: list[str]
    rows: list[list[str]]  # cells as written by a person: guards taken off, nothing else changed
    encoding: str
    delimiter: str
    decimal: str  # "," or "." (the convention of the numbers found; "," when a ";" file has none)

    def number(self, cell: str) -> Decimal:
        """A cell as a Decimal in the file's decimal convention (``1.234,56`` or ``1,234.56``); ValueError if not."""
        return parse_number(cell, self.decimal)


def parse_number(cell: str, decimal: str) -> Decimal:
    text = cell.strip().replace(" ", "").replace("\u00a0", "")
    group = "." if decimal == "," else ","
    if not re.fullmatch(rf"[+-]?(\d{{1,3}}(\{group}\d{{3}})+|\d+)(\{decimal}\d+)?", text):
        raise ValueError(f"{cell!r} is not a number")
    try:
        return Decimal(text.replace(group, "").replace(decimal, "."))
    except InvalidOperation:
        raise ValueError(f"{cell!r} is not a number") from None


class Readable(Protocol):
    async def read(self, size: int = -1) -> bytes: ...


async def read_upload(upload: Readable, max_bytes: int, chunk: int = 64 * 1024) -> bytes:
    """Read an uploaded file in chunks, refusing it as soon as it passes ``max_bytes`` (never held whole)."""
    parts: list[bytes] = []
    size = 0
    while data := await upload.read(chunk):
        size += len(data)
        if size > max_bytes:
            raise CsvReadError(f"The file is larger than {_size(max_bytes)}.")
        parts.append(data)
    return b"".join(parts)


def _size(limit: int) -> str:
    return f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name): a BOM decides; else strict UTF-8; else the detector among Western code pages."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise CsvReadError("The file is not valid UTF-16 text.") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 256 * 1024], cp_isolation=["cp1252", "iso8859_15", "latin_1"]).best()
    candidates = [best.encoding] if best is not None else []
    for encoding in [*candidates, "cp1252", "latin_1"]:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise CsvReadError("The file's text encoding was not recognised. Save it as “CSV UTF-8” and try again.")


def sniff_delimiter(text: str) -> str:
    """The candidate that splits the first lines into the most columns, the same number on every line."""
    sample = "\n".join(text.splitlines()[:SNIFF_LINES])
    best, best_score = ",", (False, 1)
    for delimiter in DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(io.StringIO(sample), delimiter=delimiter) if r]
        except csv.Error:
            continue
        if not widths or widths[0] < 2:
            continue
        score = (all(w == widths[0] for w in widths), widths[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


COMMA_DECIMAL = re.compile(r"[+-]?(\d{1,3}(\.\d{3})+(,\d+)?|\d+,\d+)")
POINT_DECIMAL = re.compile(r"[+-]?(\d{1,3}(,\d{3})+(\.\d+)?|\d+\.\d+)")


def sniff_decimal(rows: Sequence[Sequence[str]], delimiter: str) -> str:
    """``,`` or ``.``: which convention the number-looking cells follow (``1.234,56`` vs ``1,234.56``).

    A cell like ``1,234`` or ``1.234`` is ambiguous and does not vote; with no vote, a ``;``-separated file (what
    Excel writes where the comma is the decimal mark) is taken as comma decimals."""
    comma = point = 0
    for row in rows[:1000]:
        for cell in row:
            value = cell.strip()
            if re.fullmatch(r"[+-]?\d{1,3}[.,]\d{3}", value):
                continue
            comma += COMMA_DECIMAL.fullmatch(value) is not None
            point += POINT_DECIMAL.fullmatch(value) is not None
    if comma != point:
        return "," if comma > point else "."
    return "," if delimiter == ";" else "."


def read_csv(data: bytes, *, max_bytes: int, max_rows: int) -> ParsedCsv:
    """Decode, detect the dialect, and parse ``data``: a header line then at most ``max_rows`` non-blank rows.

    Raises :class:`CsvReadError` with a message for the person on an oversized, empty, undecodable or malformed
    file. The parser stops counting at ``max_rows + 1`` rows."""
    if len(data) > max_bytes:
        raise CsvReadError(f"The file is larger than {_size(max_bytes)}.")
    text, encoding = decode(data)
    text = text.removeprefix(BOM)
    if not text.strip():
        raise CsvReadError("The file is empty.")
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = [unguard(h.strip()) for h in next(reader)]
        rows = list(_limited(reader, max_rows))
    except csv.Error as exc:
        raise CsvReadError(f"The file is not valid CSV: {exc}") from None
    if not any(headers):
        raise CsvReadError("The first line must name the columns.")
    return ParsedCsv(headers, rows, encoding, delimiter, sniff_decimal(rows, delimiter))


def _limited(reader: Iterator[list[str]], max_rows: int) -> Iterator[list[str]]:
    count = 0
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue
        count += 1
        if count > max_rows:
            raise CsvReadError(f"Import at most {max_rows:,} rows at a time.")
        yield [unguard(cell) for cell in row]
