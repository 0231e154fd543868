"""Users live in the public schema: one account can belong to several workspaces."""

from __future__ import annotations

import datetime

from advanced_alchemy.extensions.litestar.session import SessionModelMixin
from advanced_alchemy.extensions.litestar.store import StoreModelMixin
from sqlalchemy import Boolean, String, UniqueConstraint
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from nexo.platform.db.base import PUBLIC_SCHEMA, DateTimeUTC, PublicBase


class User(PublicBase):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(320), unique=True, index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)  # NULL: the workspace's language
    last_login_at: Mapped[datetime.datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class UserSession(SessionModelMixin):
    """Server-side login sessions (Litestar's session middleware with advanced-alchemy's backend).

    advanced-alchemy's mixins carry their own declarative base, so these two tables sit in its metadata, pinned to
    the public schema; the public migration tree covers both metadatas.
    """

    __tablename__ = "user_sessions"

    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> tuple[object, ...]:
        return (UniqueConstraint(cls.session_id, name="uq_user_sessions_session_id"), {"schema": PUBLIC_SCHEMA})


class KeyValueEntry(StoreModelMixin):
    """Litestar stores (rate-limit counters and the like) in PostgreSQL, so app servers stay stateless."""

    __tablename__ = "kv_store"

    @declared_attr.directive
    @classmethod
    def __table_args__(cls) -> tuple[object, ...]:
        return (UniqueConstraint(cls.key, cls.namespace, name="uq_kv_store_key_namespace"), {"schema": PUBLIC_SCHEMA})
