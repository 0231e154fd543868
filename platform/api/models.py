"""Stored responses of creates made with an ``Idempotency-Key`` (public schema, per installation)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Integer, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nexo.platform.db.base import PublicBase


class IdempotencyRecord(PublicBase):
    __tablename__ = "api_idempotency_keys"
    __table_args__ = (UniqueConstraint("installation_id", "key"),)

    installation_id: Mapped[int] = mapped_column(BigInteger)
    key: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(300))
    request_hash: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[Any] = mapped_column(JSON)


# Per-installation API call counters shared by every app process (see ``nexo.platform.api.ratelimit``). UNLOGGED:
# a counter is worth nothing after a crash, and skipping the WAL keeps the one upsert per call cheap.
rate_counters = Table(
    "api_rate_counters",
    PublicBase.metadata,
    Column("installation_id", BigInteger, primary_key=True),
    Column("window_start", BigInteger, nullable=False),
    Column("calls", Integer, nullable=False),
    prefixes=["UNLOGGED"],
)
