"""Webhook subscriptions of installations and their delivery log (public schema)."""

from __future__ import annotations

import datetime
import enum
from typing import Any

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from nexo.platform.db.base import DateTimeUTC, PublicBase


class WebhookSubscription(PublicBase):
    __tablename__ = "webhook_subscriptions"

    installation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("public.oauth_installations.id", ondelete="CASCADE"), index=True
    )
    tenant_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("public.tenants.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    secret: Mapped[str] = mapped_column(String(80))  # shared signing secret: the partner needs it to verify
    active: Mapped[bool] = mapped_column(default=True)


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    SUCCEEDED = "succeeded"
    RETRYING = "retrying"
    FAILED = "failed"


class WebhookDelivery(PublicBase):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_subscription", "subscription_id", "id"),)

    subscription_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("public.webhook_subscriptions.id", ondelete="CASCADE")
    )
    installation_id: Mapped[int] = mapped_column(BigInteger, index=True)
    tenant_id: Mapped[int] = mapped_column(BigInteger, index=True)
    event_id: Mapped[str] = mapped_column(String(40))
    event_type: Mapped[str] = mapped_column(String(80))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[DeliveryStatus] = mapped_column(
        Enum(
            DeliveryStatus,
            name="webhook_delivery_status",
            values_callable=lambda e: [m.value for m in e],
            inherit_schema=True,
        ),
        default=DeliveryStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_attempt_at: Mapped[datetime.datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    delivered_at: Mapped[datetime.datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
