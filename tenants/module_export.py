"""Exporting a module's tables (before a purge): JSON with every table, or a zip with one CSV per table."""

from __future__ import annotations

import datetime
import decimal
import io
import json
import zipfile
from typing import Any

from sqlalchemy import Table, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.csvkit import CsvFormat, write_csv
from nexo.platform.migrations.runner import tables_of

Exported = dict[str, tuple[list[str], list[tuple[Any, ...]]]]


"""Handler ``opt`` of every data export: exports stay open in a read-only (unpaid) or canceled workspace. The data is
the customer's, and "read-only, export allowed" is what the dunning and cancelation messages promise; the marking
keeps them open on purpose, whatever their method, instead of by the accident of being a GET."""


async def _existing_tables(session: AsyncSession, schema: str, key: str) -> list[Table]:
    found: list[Table] = []
    for table in tables_of([key]):
        exists = await session.scalar(text("SELECT to_regclass(:name)"), {"name": f'"{schema}"."{table.name}"'})
        if exists is not None:
            found.append(table)
    return found


async def table_row_counts(session: AsyncSession, schema: str, key: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for table in await _existing_tables(session, schema, key):
        counts[table.name] = int(await session.scalar(select(text("count(*)")).select_from(table)) or 0)
    return counts


async def export_tables(session: AsyncSession, schema: str, key: str) -> Exported:
    """Table name -> (column names, rows), read through the session's tenant binding."""
    exported: Exported = {}
    for table in await _existing_tables(session, schema, key):
        columns = [c.name for c in table.columns]
        rows = (await session.execute(select(*table.columns).order_by(*table.primary_key.columns))).tuples()
        exported[table.name] = (columns, [tuple(r) for r in rows])
    return exported


def _plain(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return value
    return str(value)


def export_json(key: str, tables: Exported) -> bytes:
    document = {
        "module": key,
        "tables": {
            name: [{c: _plain(v) for c, v in zip(columns, row, strict=True)} for row in rows]
            for name, (columns, rows) in tables.items()
        },
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


def _cell(value: Any) -> Any:
    """A column value for the CSV writer: numbers and dates stay typed (the format decides their text)."""
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def export_csv_zip(tables: Exported, fmt: CsvFormat = CsvFormat.PLAIN) -> bytes:
    """One CSV per table, written by the product's CSV writer (formula cells guarded) in ``fmt``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, (columns, rows) in tables.items():
            body = write_csv([columns, *([_cell(v) for v in row] for row in rows)], fmt)
            archive.writestr(f"{name}.csv", body)
    return buffer.getvalue()
