"""The product's one CSV writer and reader: formula guards taken back exactly, Spanish Excel files read with every
accent, delimiter and decimal convention detected, oversized files refused while reading."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest

from nexo.platform.csvkit import (
    CsvFormat,
    CsvFormatError,
    CsvReadError,
    csv_format,
    format_cell,
    guard,
    read_csv,
    read_upload,
    unguard,
    write_csv,
)

LIMITS = {"max_bytes": 1024 * 1024, "max_rows": 1000}
TRICKY = [
    '=HYPERLINK("http://evil.example","x")',
    "=1+2",
    "@SUM(A1:A2)",
    "+34 612 345 678",
    "-",
    "-1+2",
    "\tindented",
    "\rreturn",
    "'=already guarded",
    "''=twice",
    "'plain apostrophe",
    "'",
    "'-5",
    "-5",
    "+3.5",
    "-1,5",
    "1e5",
    "",
    "José Álvarez",
    'Peña; "quoted", and more',
    "line\r\nbreak",
]


@pytest.mark.parametrize("value", TRICKY)
def test_guard_is_taken_back_exactly(value: str) -> None:
    assert unguard(guard(value)) == value


@pytest.mark.parametrize(
    "value",
    ['=HYPERLINK("http://evil.example","x")', "=1+2", "@SUM(A1:A2)", "+34 612 345 678", "-", "-1+2", "\tx", "\rx"],
)
def test_formula_cells_are_neutralised(value: str) -> None:
    assert guard(value) == "'" + value
    for fmt in CsvFormat:
        line = write_csv([[value]], fmt).decode("utf-8-sig")
        assert line.lstrip('"').startswith("'"), line


@pytest.mark.parametrize("value", ["-5", "+3.5", "-1,5", "1e5", "12", "plain", "'plain", "'-5"])
def test_numbers_and_plain_text_are_left_alone(value: str) -> None:
    assert guard(value) == value


def test_cells_by_type_in_each_format() -> None:
    values = [Decimal("-1234.50"), 3, 2.5, True, None, datetime.date(2026, 12, 6), "=x"]
    assert [format_cell(v) for v in values] == ["-1234.50", "3", "2.5", "true", "", "2026-12-06", "'=x"]
    spanish = [format_cell(v, CsvFormat.EXCEL_ES) for v in values]
    assert spanish == ["-1234,50", "3", "2,5", "true", "", "2026-12-06", "'=x"]


def test_excel_spanish_is_bom_semicolon_crlf_comma_decimals() -> None:
    body = write_csv(
        [["name", "amount"], ["Peña", Decimal("1234.56")], ["Ibáñez", Decimal("-7.5")]], CsvFormat.EXCEL_ES
    )
    assert body == "\ufeffname;amount\r\nPeña;1234,56\r\nIbáñez;-7,5\r\n".encode()
    plain = write_csv([["name", "amount"], ["Peña", Decimal("1234.56")]])
    assert plain == "name,amount\r\nPeña,1234.56\r\n".encode()


def test_format_parameter() -> None:
    assert csv_format(None) is CsvFormat.PLAIN and csv_format("excel-es") is CsvFormat.EXCEL_ES
    with pytest.raises(CsvFormatError, match="excel-es"):
        csv_format("xlsx")


# A file as Excel (es-ES) saves it with "CSV UTF-8": BOM, ";" between cells, CRLF, comma decimals.
EXCEL_ES_UTF8 = (
    "\ufeffNombre;Apellidos;Ciudad;Importe\r\n"
    "José;Álvarez Peña;A Coruña;1.234,56\r\n"
    "Begoña;Ibáñez;Logroño;-7,50\r\n"
    "Çesc;Müller;Sant Adrià;0,99\r\n"
).encode()
# The same sheet saved as "CSV (delimitado por comas)": Windows-1252, no BOM.
EXCEL_ES_1252 = EXCEL_ES_UTF8.decode("utf-8-sig").encode("cp1252")
ACCENTED = {"José", "Álvarez Peña", "A Coruña", "Begoña", "Ibáñez", "Logroño", "Çesc", "Müller", "Sant Adrià"}


@pytest.mark.parametrize(("data", "encoding"), [(EXCEL_ES_UTF8, "utf-8-sig"), (EXCEL_ES_1252, "cp1252")])
def test_spanish_excel_files_keep_every_accent(data: bytes, encoding: str) -> None:
    parsed = read_csv(data, **LIMITS)
    assert parsed.encoding == encoding
    assert parsed.delimiter == ";" and parsed.decimal == ","
    assert parsed.headers == ["Nombre", "Apellidos", "Ciudad", "Importe"]
    assert {cell for row in parsed.rows for cell in row[:3]} == ACCENTED
    assert [parsed.number(row[3]) for row in parsed.rows] == [Decimal("1234.56"), Decimal("-7.50"), Decimal("0.99")]


def test_windows_1252_euro_sign_and_latin1() -> None:
    parsed = read_csv("name;price\nCafé;3 €\n".encode("cp1252"), **LIMITS)
    assert parsed.rows == [["Café", "3 €"]]


@pytest.mark.parametrize(
    ("text", "delimiter", "decimal"),
    [
        ("a,b,c\n1,2.5,x\n3,4.25,y\n", ",", "."),
        ("a;b;c\n1;2,5;x\n", ";", ","),
        ("a\tb\n1.234,5\tx\n", "\t", ","),
        ('a,b\n"1,234.50",x\n', ",", "."),
        ("name;city\nAna;Vigo\n", ";", ","),
        ('name,note\n"Ana; Eva",x\n', ",", "."),
    ],
)
def test_delimiter_and_decimal_convention_are_detected(text: str, delimiter: str, decimal: str) -> None:
    parsed = read_csv(text.encode(), **LIMITS)
    assert (parsed.delimiter, parsed.decimal) == (delimiter, decimal)


def test_numbers_in_a_convention_and_refusals() -> None:
    parsed = read_csv(b"a;b\n1.234,56;x\n", **LIMITS)
    assert parsed.number("1.234,56") == Decimal("1234.56") and parsed.number("-0,5") == Decimal("-0.5")
    for bad in ("1,234.56", "12,3,4", "abc", "1.23"):
        with pytest.raises(ValueError, match="not a number"):
            parsed.number(bad)


def test_reader_takes_back_the_writers_guards() -> None:
    rows = [["name", "phone"], *([value, "+34 612 345 678"] for value in TRICKY)]
    for fmt in CsvFormat:
        parsed = read_csv(write_csv(rows, fmt), **LIMITS)
        blank = [""] * 2
        assert [parsed.headers, *parsed.rows] == [r for r in rows if r[0] or r != blank]


def test_caps_and_unreadable_files() -> None:
    with pytest.raises(CsvReadError, match="larger than 1 KB"):
        read_csv(b"a\n" + b"x\n" * 600, max_bytes=1024, max_rows=10_000)
    with pytest.raises(CsvReadError, match="at most 3 rows"):
        read_csv(b"a\n1\n2\n3\n4\n", max_bytes=1024, max_rows=3)
    assert len(read_csv(b"a\n1\n\n2\n3\n", max_bytes=1024, max_rows=3).rows) == 3  # blank lines do not count
    with pytest.raises(CsvReadError, match="empty"):
        read_csv(b"\xef\xbb\xbf \r\n", **LIMITS)
    with pytest.raises(CsvReadError, match="name the columns"):
        read_csv(b",,\n1,2,3\n", **LIMITS)


class _Upload:
    def __init__(self, data: bytes) -> None:
        self.stream = io.BytesIO(data)
        self.reads = 0

    async def read(self, size: int = -1) -> bytes:
        self.reads += 1
        return self.stream.read(size)


async def test_uploads_are_read_in_chunks_and_stopped_at_the_cap() -> None:
    small = _Upload(b"a\n1\n")
    assert await read_upload(small, 1024, chunk=2) == b"a\n1\n"
    big = _Upload(b"x" * 10_000)
    with pytest.raises(CsvReadError, match="larger than"):
        await read_upload(big, 1024, chunk=256)
    assert big.reads == 5 and big.stream.tell() == 1280  # stopped right after the cap, the rest never read
