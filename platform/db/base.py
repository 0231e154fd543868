"""Declarative bases for the two kinds of tables.

``PublicBase`` tables live in the ``public`` schema and are always schema-qualified. ``TenantBase`` tables carry
no schema: they resolve through the ``search_path`` bound per transaction (see ``nexo.platform.db.tenancy``),
so an unbound session cannot see any tenant's rows. Keys are bigint identities, and no tenant table has a foreign
key into another schema (Citus schema-based sharding needs that).
"""

from __future__ import annotations

import datetime

from advanced_alchemy.base import CommonTableAttributes, create_registry
from advanced_alchemy.mixins import AuditColumns
from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import BigInteger, Identity, func
from sqlalchemy.ext.asyncio import AsyncAttrs
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

PUBLIC_SCHEMA = "public"

public_registry = create_registry()
public_registry.metadata.schema = PUBLIC_SCHEMA
tenant_registry = create_registry()


class IdentityKey:
    """A bigint identity primary key."""

    @declared_attr
    def id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(BigInteger, Identity(always=False), primary_key=True, sort_order=-100)


class Timestamps(AuditColumns):
    """``created_at`` and ``updated_at`` in UTC (set by the database on insert, by the ORM on update)."""


class PublicBase(CommonTableAttributes, IdentityKey, Timestamps, AsyncAttrs, DeclarativeBase):
    """Tables of the public schema: tenants, users, memberships, OAuth, billing, queues."""

    __abstract__ = True
    registry = public_registry
    metadata = public_registry.metadata


class TenantBase(CommonTableAttributes, IdentityKey, Timestamps, AsyncAttrs, DeclarativeBase):
    """Tables of a tenant schema. Set ``__module_key__`` on module tables (``core`` for the always-on ones)."""

    __abstract__ = True
    __module_key__ = "core"
    registry = tenant_registry
    metadata = tenant_registry.metadata

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        table = getattr(cls, "__table__", None)
        if table is not None:
            table.info.setdefault("module", cls.__module_key__)


def utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


__all__ = [
    "PUBLIC_SCHEMA",
    "DateTimeUTC",
    "PublicBase",
    "TenantBase",
    "func",
    "public_registry",
    "tenant_registry",
    "utcnow",
]
