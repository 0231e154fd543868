"""The tenant registry and memberships (public schema)."""

from __future__ import annotations

import datetime
import enum

from sqlalchemy import BigInteger, Enum, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nexo.platform.accounts.models import User
from nexo.platform.db.base import DateTimeUTC, PublicBase
from nexo.platform.tenancy.context import Role


class TenantStatus(enum.StrEnum):
    ACTIVE = "active"
    READ_ONLY = "read_only"
    CANCELED = "canceled"


class Tenant(PublicBase):
    """A workspace. Its schema is named from the immutable ``id``; the ``slug`` may change."""

    __tablename__ = "tenants"

    slug: Mapped[str] = mapped_column(String(63), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    schema_name: Mapped[str] = mapped_column(String(63), unique=True)
    status: Mapped[TenantStatus] = mapped_column(
        Enum(TenantStatus, name="tenant_status", values_callable=lambda e: [m.value for m in e], inherit_schema=True),
        default=TenantStatus.ACTIVE,
    )
    currency: Mapped[str] = mapped_column(String(3), default="EUR", server_default="EUR")
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")


class Membership(PublicBase):
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),)

    tenant_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("public.tenants.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("public.users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="member_role", values_callable=lambda e: [m.value for m in e], inherit_schema=True)
    )

    tenant: Mapped[Tenant] = relationship(lazy="joined", innerjoin=True)
    user: Mapped[User] = relationship(lazy="joined", innerjoin=True)


class TenantModule(PublicBase):
    """A module's state in a workspace. A row exists once the module's tables exist in the tenant schema;
    ``enabled`` says whether it is switched on (its data stays while it is off)."""

    __tablename__ = "tenant_modules"
    __table_args__ = (UniqueConstraint("tenant_id", "module_key"),)

    tenant_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("public.tenants.id", ondelete="CASCADE"), index=True)
    module_key: Mapped[str] = mapped_column(String(63))
    enabled: Mapped[bool] = mapped_column(default=True)


class SlugRedirect(PublicBase):
    """A workspace's former slug: old URLs redirect to the current one, for members only."""

    __tablename__ = "tenant_slug_redirects"

    old_slug: Mapped[str] = mapped_column(String(63), unique=True, index=True)
    tenant_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("public.tenants.id", ondelete="CASCADE"), index=True)


class TenantLogo(PublicBase):
    """The workspace logo, kept in the database so app servers stay stateless."""

    __tablename__ = "tenant_logos"

    tenant_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("public.tenants.id", ondelete="CASCADE"), unique=True, index=True
    )
    content_type: Mapped[str] = mapped_column(String(50))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Invitation(PublicBase):
    """An invitation to join a workspace, sent by e-mail as a signed, expiring link.

    The link carries the invitation id and its random ``nonce``, signed with the secret key; the row makes the link
    single-use and revocable.
    """

    __tablename__ = "invitations"

    tenant_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("public.tenants.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    role: Mapped[Role] = mapped_column(
        Enum(Role, name="member_role", values_callable=lambda e: [m.value for m in e], inherit_schema=True)
    )
    nonce: Mapped[str] = mapped_column(String(64))
    invited_by_user_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("public.users.id", ondelete="SET NULL"), nullable=True
    )
    expires_at: Mapped[datetime.datetime] = mapped_column(DateTimeUTC(timezone=True))
    accepted_at: Mapped[datetime.datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    revoked_at: Mapped[datetime.datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)

    tenant: Mapped[Tenant] = relationship(lazy="joined", innerjoin=True)

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None
