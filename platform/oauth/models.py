"""OAuth clients, installations (client and tenant), authorization codes and tokens (public schema).

Secrets, codes and tokens are stored as SHA-256 hashes only: they are long random strings, so a fast hash is
enough and a database leak reveals nothing usable.
"""

from __future__ import annotations

import datetime
import enum

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from nexo.platform.db.base import DateTimeUTC, PublicBase, utcnow


class ClientKind(enum.StrEnum):
    PARTNER = "partner"  # a partner app: authorization code + PKCE, installed by tenant admins
    PRIVATE = "private"  # a tenant's own integration: client credentials, bound to that tenant


class OAuthClient(PublicBase):
    __tablename__ = "oauth_clients"

    client_id: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120))
    homepage: Mapped[str | None] = mapped_column(String(300), nullable=True)
    redirect_uris: Mapped[list[str]] = mapped_column(JSON, default=list)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    kind: Mapped[ClientKind] = mapped_column(
        Enum(ClientKind, name="oauth_client_kind", values_callable=lambda e: [m.value for m in e], inherit_schema=True)
    )
    owner_user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("public.users.id", ondelete="CASCADE"), index=True
    )
    tenant_id: Mapped[int | None] = mapped_column(  # private integrations only
        BigInteger, ForeignKey("public.tenants.id", ondelete="CASCADE"), nullable=True, index=True
    )
    secret_rotated_at: Mapped[datetime.datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    disabled_at: Mapped[datetime.datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class Installation(PublicBase):
    """An app installed in a workspace with the scopes an admin granted. Every token belongs to one."""

    __tablename__ = "oauth_installations"
    __table_args__ = (UniqueConstraint("client_pk", "tenant_id"),)

    client_pk: Mapped[int] = mapped_column(BigInteger, ForeignKey("public.oauth_clients.id", ondelete="CASCADE"))
    tenant_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("public.tenants.id", ondelete="CASCADE"), index=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    granted_by_user_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("public.users.id", ondelete="SET NULL"), nullable=True
    )
    revoked_at: Mapped[datetime.datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    last_used_at: Mapped[datetime.datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class AuthorizationCode(PublicBase):
    __tablename__ = "oauth_authorization_codes"

    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_pk: Mapped[int] = mapped_column(BigInteger, ForeignKey("public.oauth_clients.id", ondelete="CASCADE"))
    installation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("public.oauth_installations.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("public.users.id", ondelete="CASCADE"))
    redirect_uri: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(Text)
    code_challenge: Mapped[str] = mapped_column(String(128))
    code_challenge_method: Mapped[str] = mapped_column(String(10))
    expires_at: Mapped[datetime.datetime] = mapped_column(DateTimeUTC(timezone=True))
    used_at: Mapped[datetime.datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class OAuthToken(PublicBase):
    """An access token and (for user grants) its refresh token. Rotation keeps the ``family`` id."""

    __tablename__ = "oauth_tokens"
    __table_args__ = (
        Index("ix_oauth_tokens_family", "family"),
        Index("ix_oauth_tokens_installation", "installation_id"),
    )

    access_hash: Mapped[str] = mapped_column(String(64), unique=True)
    refresh_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    client_pk: Mapped[int] = mapped_column(BigInteger, ForeignKey("public.oauth_clients.id", ondelete="CASCADE"))
    installation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("public.oauth_installations.id", ondelete="CASCADE")
    )
    user_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("public.users.id", ondelete="SET NULL"), nullable=True
    )
    authorization_code_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    family: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(Text)
    access_expires_at: Mapped[datetime.datetime] = mapped_column(DateTimeUTC(timezone=True))
    refresh_expires_at: Mapped[datetime.datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    refresh_used_at: Mapped[datetime.datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    revoked_at: Mapped[datetime.datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)

    def is_access_active(self, now: datetime.datetime | None = None) -> bool:
        return self.revoked_at is None and self.access_expires_at > (now or utcnow())
