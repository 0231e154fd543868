"""DDL that goes with a module's tables in both ways a schema is built (triggers, seed rows).

A tenant schema is either built directly from the metadata (provisioning, enabling a module) or by replaying the
migrations. Triggers and seed rows must come out the same both ways, so each is declared once here: it is attached
to its table's ``after_create`` event for the first way, and the module's migration runs the same statements.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import DDL, Connection, Table, event


def after_create(table: Table, statements: Callable[[], Sequence[str]]) -> None:
    """Run ``statements()`` right after ``table`` is created by ``metadata.create_all``.

    They are attached as ``DDL`` elements, so provisioning's compiled DDL script (which captures ``create_all``
    on a mock engine) carries them too. ``%`` is doubled because ``DDL`` formats its text."""
    for statement in statements():
        event.listen(table, "after_create", DDL(statement.replace("%", "%%")))  # type: ignore[no-untyped-call]


def run_statements(connection: Connection, statements: Sequence[str]) -> None:
    """The migration side: execute the same statements on the migration's connection."""
    for statement in statements:
        connection.exec_driver_sql(statement)
