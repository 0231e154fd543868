"""Billing tables (public schema): the price catalog, each tenant's billing account and items, the webhook inbox."""

from __future__ import annotations

import datetime
import enum
from typing import Any

from advanced_alchemy.types import DateTimeUTC
from sqlalchemy import BigInteger, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from nexo.platform.db.base import PublicBase


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, values_callable=lambda e: [m.value for m in e], inherit_schema=True)


class BillingState(enum.StrEnum):
    """The tenant's standing with the payment provider (the tenant's own ``status`` follows from it)."""

    TRIALING = "trialing"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELED = "canceled"


class InboxStatus(enum.StrEnum):
    RECEIVED = "received"
    PROCESSING = "processing"
    PROCESSED = "processed"
    FAILED = "failed"


class ModulePrice(PublicBase):
    """A paid module's product and monthly price at the provider (written by ``nexo billing sync``)."""

    __tablename__ = "billing_module_prices"

    module_key: Mapped[str] = mapped_column(String(63), unique=True)
    product_id: Mapped[str] = mapped_column(String(255))
    price_id: Mapped[str] = mapped_column(String(255))
    unit_amount: Mapped[int] = mapped_column(Integer)  # minor units (cents)
    currency: Mapped[str] = mapped_column(String(3))


class BillingAccount(PublicBase):
    """One per tenant: the provider customer, the trial, and the derived billing state."""

    __tablename__ = "billing_accounts"

    tenant_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("public.tenants.id", ondelete="CASCADE"), unique=True)
    customer_id: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)
    state: Mapped[BillingState] = mapped_column(_enum(BillingState, "billing_state"), default=BillingState.TRIALING)
    trial_ends_at: Mapped[datetime.datetime] = mapped_column(DateTimeUTC(timezone=True))
    past_due_since: Mapped[datetime.datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    canceled_at: Mapped[datetime.datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    default_payment_method: Mapped[str | None] = mapped_column(String(255), nullable=True)
    card_label: Mapped[str] = mapped_column(String(100), default="")


class SubscriptionItem(PublicBase):
    """A paid module billed to a tenant: the provider subscription item that charges for it, and its subscription.

    Several rows may share one subscription (one subscription with an item per module); today each module has its
    own (see :mod:`nexo.billing.layout`). The item id is what is unique.
    """

    __tablename__ = "billing_subscription_items"
    __table_args__ = (UniqueConstraint("tenant_id", "module_key"),)

    tenant_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("public.tenants.id", ondelete="CASCADE"), index=True)
    module_key: Mapped[str] = mapped_column(String(63))
    subscription_id: Mapped[str] = mapped_column(String(255), index=True)
    item_id: Mapped[str] = mapped_column(String(255), unique=True)
    price_id: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32), default="trialing")  # the provider's subscription status


class WebhookEvent(PublicBase):
    """The webhook inbox: every verified event once, keyed by the provider's event id."""

    __tablename__ = "billing_webhook_events"

    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    event_type: Mapped[str] = mapped_column(String(100), index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    status: Mapped[InboxStatus] = mapped_column(
        _enum(InboxStatus, "billing_inbox_status"), default=InboxStatus.RECEIVED
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(Text, default="")
    tenant_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    processed_at: Mapped[datetime.datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
