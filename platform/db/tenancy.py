"""Binding a tenant to a transaction.

The tenant schema is set with ``set_config('search_path', <schema>, true)`` at the start of every transaction of a
tenant-bound session: ``true`` makes it transaction-local, so a pooled connection (also behind PgBouncer in
transaction mode) carries nothing from one tenant to the next. A session without a tenant has the server's default
search path, where no tenant table exists: unbound access fails closed.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

TENANT_SCHEMA_KEY = "nexo_tenant_schema"
SCHEMA_NAME = re.compile(r"^tenant_[0-9]+$")
_BIND_SQL = text("SELECT set_config('search_path', :schema, true)")


def schema_for_tenant_id(tenant_id: int) -> str:
    """Tenant schemas are named from the immutable tenant id, never from the slug."""
    return f"tenant_{int(tenant_id)}"


def check_schema_name(schema: str) -> str:
    if not SCHEMA_NAME.match(schema):
        raise ValueError(f"not a tenant schema name: {schema!r}")
    return schema


async def bind_tenant(session: AsyncSession, schema: str) -> None:
    """Bind ``session`` to ``schema`` for the current transaction (if one is open) and every later one."""
    check_schema_name(schema)
    session.info[TENANT_SCHEMA_KEY] = schema
    if session.in_transaction():
        await session.execute(_BIND_SQL, {"schema": schema})


def mark_bound(session: AsyncSession | Session, schema: str) -> None:
    """Keep ``session`` bound to ``schema``: the caller's own query bound the current transaction (the workspace
    guard folds ``set_config`` into its lookup), every later transaction is bound on begin."""
    session.info[TENANT_SCHEMA_KEY] = check_schema_name(schema)


def bound_schema(session: AsyncSession | Session) -> str | None:
    value = session.info.get(TENANT_SCHEMA_KEY)
    return value if isinstance(value, str) else None


@event.listens_for(Session, "after_begin")
def _bind_on_begin(session: Session, transaction: SessionTransaction, connection: Connection) -> None:
    schema = session.info.get(TENANT_SCHEMA_KEY)
    if schema:
        connection.execute(_BIND_SQL, {"schema": schema})


def bind_connection(connection: Connection, schema: str) -> Any:
    """Bind a Core connection's current transaction to ``schema`` (migrations, provisioning)."""
    return connection.execute(_BIND_SQL, {"schema": check_schema_name(schema)})
