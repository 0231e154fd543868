"""Stored responses of creates made with an ``Idempotency-Key`` (public schema, per installation)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, UniqueConstraint
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
