"""Set-based writes for the ERP services' batch paths.

The unit of work updates changed rows one statement each (an ``executemany``); a batch of 50 invoices touches
250 order lines twice, which then dominates posting. ``update_rows`` writes new values for many loaded objects in
one ``UPDATE … FROM unnest(…)`` and records them on the objects as their committed state, so the objects stay in
step with the database and the next flush has nothing left to write for them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Numeric, Table, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from nexo.platform.db.base import TenantBase

_DIALECT = postgresql.dialect()  # type: ignore[no-untyped-call]


async def update_rows(
    session: AsyncSession, objects: Sequence[TenantBase], values: Mapping[str, Sequence[Any]]
) -> None:
    """Set column ``name`` of ``objects[i]`` to ``values[name][i]`` for every name, in one statement.

    The objects must be loaded and of one mapped class; numeric values are rounded as the column stores them."""
    if not objects:
        return
    table = type(objects[0]).__table__
    assert isinstance(table, Table) and all(type(o) is type(objects[0]) for o in objects)
    if len({o.id for o in objects}) != len(objects):
        raise ValueError("update_rows: each row can be updated once per statement")
    stored = {name: [_as_stored(table, name, value) for value in column] for name, column in values.items()}
    arrays = ", ".join(f"CAST(:{name} AS {table.c[name].type.compile(dialect=_DIALECT)}[])" for name in ("id", *stored))
    assignments = ", ".join([*(f"{name} = v.{name}" for name in stored), "updated_at = now()"])
    statement = (
        f'UPDATE "{table.name}" t SET {assignments} FROM unnest({arrays}) AS v(id, {", ".join(stored)}) '  # noqa: S608 (table and column names come from the model's Table, values are bound arrays)
        "WHERE t.id = v.id"
    )
    await session.execute(text(statement), {"id": [o.id for o in objects], **stored})
    for name, column in stored.items():
        for obj, value in zip(objects, column, strict=True):
            set_committed_value(obj, name, value)


def _as_stored(table: Table, name: str, value: Any) -> Any:
    """``value`` as the column keeps it (``Numeric(p, s)`` rounds half away from zero to ``s`` places)."""
    column_type = table.c[name].type
    if isinstance(value, Decimal) and isinstance(column_type, Numeric) and column_type.scale is not None:
        return value.quantize(Decimal(1).scaleb(-column_type.scale), rounding=ROUND_HALF_UP)
    return value
