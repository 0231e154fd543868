"""Organizations and people (tenant schema): THE customer records every module shares.

A CRM contact is a ``Person``, a CRM company an ``Organization``; ERP customers and suppliers will be the same rows.
Module-specific data lives in the module's own tables keyed by ``person_id`` / ``organization_id``; no module adds
columns here. ``owner_id`` is a user id from the public schema, deliberately without a foreign key (no key crosses
schemas). ``email`` and ``phone`` on the record are the primary ones (kept in sync with the typed lists below) so
lists and searches need no join.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, String, Text, false, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from nexo.platform.db.base import TenantBase

EMAIL_KINDS = ("work", "home", "other")
PHONE_KINDS = ("work", "mobile", "home", "fax", "other")
ADDRESS_KINDS = ("billing", "shipping", "office", "home", "other")


class Organization(TenantBase):
    __tablename__ = "organizations"
    __module_key__ = "directory"
    __table_args__ = (
        Index("ix_organizations_tags", "tags", postgresql_using="gin"),
        Index("ix_organizations_name_prefix", text("lower(name) varchar_pattern_ops")),
    )

    name: Mapped[str] = mapped_column(String(200), index=True)
    email: Mapped[str | None] = mapped_column(String(320), nullable=True)
    phone: Mapped[str | None] = mapped_column(String(50), nullable=True)
    website: Mapped[str | None] = mapped_column(String(300), nullable=True)
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    owner_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(60)), default=list, server_default="{}")

    emails: Mapped[list[EmailAddress]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="EmailAddress.id"
    )
    phones: Mapped[list[PhoneNumber]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="PhoneNumber.id"
    )
    addresses: Mapped[list[PostalAddress]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="PostalAddress.id"
    )

    @property
    def display_name(self) -> str:
        return self.name


class Person(TenantBase):
    __tablename__ = "people"
    __module_key__ = "directory"
    __table_args__ = (
        Index("ix_people_tags", "tags", postgresql_using="gin"),
        Index("ix_people_sort_name", "last_name", "first_name", "id"),
        # Search as you type matches prefixes of the last name, full name or e-mail (a first-name prefix is a
        # prefix of the full name): these pattern indexes answer it on any PostgreSQL (pg_trgm is not guaranteed to
        # be installed).
        Index("ix_people_last_name_prefix", text("lower(last_name) varchar_pattern_ops")),
        Index("ix_people_full_name_prefix", text("(lower(first_name) || ' ' || lower(last_name)) text_pattern_ops")),
        Index("ix_people_email_prefix", text("lower(email) varchar_pattern_ops")),
    )

    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100), index=True)
    email: Mapped[str | None] = mapped_column(String(320), nullable=True, index=True)
    phone: Mapped[str | None] = mapped_column(String(50), nullable=True)
    organization_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="SET NULL"), nullable=True, index=True
    )
    notes: Mapped[str | None] = mapped_column(Text, nullable=True)
    job_title: Mapped[str | None] = mapped_column(String(150), nullable=True)
    owner_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(60)), default=list, server_default="{}")

    organization: Mapped[Organization | None] = relationship(lazy="selectin")
    emails: Mapped[list[EmailAddress]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="EmailAddress.id"
    )
    phones: Mapped[list[PhoneNumber]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="PhoneNumber.id"
    )
    addresses: Mapped[list[PostalAddress]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="PostalAddress.id"
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def display_name(self) -> str:
        return self.full_name


class _BelongsToRecord:
    """A row attached to exactly one person or one organization."""

    person_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="CASCADE"), nullable=True, index=True
    )
    organization_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("organizations.id", ondelete="CASCADE"), nullable=True, index=True
    )


class EmailAddress(_BelongsToRecord, TenantBase):
    __tablename__ = "directory_emails"
    __module_key__ = "directory"

    kind: Mapped[str] = mapped_column(String(20), default="work")
    address: Mapped[str] = mapped_column(String(320), index=True)
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class PhoneNumber(_BelongsToRecord, TenantBase):
    __tablename__ = "directory_phones"
    __module_key__ = "directory"

    kind: Mapped[str] = mapped_column(String(20), default="work")
    number: Mapped[str] = mapped_column(String(50))
    # Digits only (with a leading + kept), so "+33 1 23" and "+33123" match when looking for duplicates.
    normalized: Mapped[str] = mapped_column(String(50), index=True, default="")
    is_primary: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class PostalAddress(_BelongsToRecord, TenantBase):
    __tablename__ = "directory_addresses"
    __module_key__ = "directory"

    kind: Mapped[str] = mapped_column(String(20), default="office")
    line1: Mapped[str] = mapped_column(String(200), default="")
    line2: Mapped[str | None] = mapped_column(String(200), nullable=True)
    postal_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    city: Mapped[str | None] = mapped_column(String(100), nullable=True)
    region: Mapped[str | None] = mapped_column(String(100), nullable=True)
    country: Mapped[str | None] = mapped_column(String(2), nullable=True)  # ISO 3166-1 alpha-2

    @property
    def one_line(self) -> str:
        parts = [
            self.line1,
            self.line2,
            " ".join(p for p in (self.postal_code, self.city) if p),
            self.region,
            self.country,
        ]
        return ", ".join(p for p in parts if p)
