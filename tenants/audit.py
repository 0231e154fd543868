"""The tenant's audit log (tenant schema): who did what, and when."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, String
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from nexo.platform.db.base import TenantBase


class AuditEntry(TenantBase):
    __tablename__ = "audit_log"

    actor_user_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    actor_label: Mapped[str] = mapped_column(String(320), default="system")
    action: Mapped[str] = mapped_column(String(100), index=True)  # e.g. "module.enabled", "member.removed"
    target: Mapped[str] = mapped_column(String(200), default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)


async def record(
    session: AsyncSession,
    action: str,
    *,
    actor_user_id: int | None = None,
    actor_label: str = "system",
    target: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an audit entry in the caller's (tenant-bound) transaction, so it lands with the change or not at all."""
    entry = AuditEntry(
        actor_user_id=actor_user_id, actor_label=actor_label, action=action, target=target, details=details or {}
    )
    session.add(entry)
    await session.flush()
    return entry
