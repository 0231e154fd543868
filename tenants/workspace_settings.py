"""Workspace settings: name, slug (old addresses keep redirecting members), currency, time zone, logo."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.tenancy.context import TenantContext
from nexo.tenants.audit import record
from nexo.tenants.models import SlugRedirect, Tenant, TenantLogo
from nexo.tenants.slugs import slug_problem

CURRENCIES: dict[str, str] = {
    "AUD": "Australian dollar",
    "BRL": "Brazilian real",
    "CAD": "Canadian dollar",
    "CHF": "Swiss franc",
    "CNY": "Chinese yuan",
    "CZK": "Czech koruna",
    "DKK": "Danish krone",
    "EUR": "Euro",
    "GBP": "Pound sterling",
    "HKD": "Hong Kong dollar",
    "HUF": "Hungarian forint",
    "INR": "Indian rupee",
    "JPY": "Japanese yen",
    "KRW": "South Korean won",
    "MXN": "Mexican peso",
    "NOK": "Norwegian krone",
    "NZD": "New Zealand dollar",
    "PLN": "Polish złoty",
    "RON": "Romanian leu",
    "SEK": "Swedish krona",
    "SGD": "Singapore dollar",
    "TRY": "Turkish lira",
    "USD": "US dollar",
    "ZAR": "South African rand",
}
MAX_NAME = 200
MAX_LOGO_BYTES = 512 * 1024
# Raster formats only: an SVG can carry script, and sniffing the bytes beats trusting the browser's type.
LOGO_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
}


@lru_cache(maxsize=1)
def time_zones() -> list[str]:
    return sorted(zoneinfo.available_timezones())


@dataclass
class SettingsForm:
    name: str = ""
    slug: str = ""
    currency: str = ""
    timezone: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> SettingsForm:
        def value(key: str) -> str:
            raw = data.get(key, "")
            return raw.strip() if isinstance(raw, str) else ""

        return cls(value("name"), value("slug").lower(), value("currency").upper(), value("timezone"))


async def validate(session: AsyncSession, tenant_id: int, form: SettingsForm) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not form.name:
        errors["name"] = "Enter the workspace name."
    elif len(form.name) > MAX_NAME:
        errors["name"] = f"Use at most {MAX_NAME} characters."
    problem = slug_problem(form.slug)
    if problem:
        errors["slug"] = problem
    elif await _slug_taken(session, tenant_id, form.slug):
        errors["slug"] = "This address is taken. Choose another one."
    if form.currency not in CURRENCIES:
        errors["currency"] = "Choose a currency from the list."
    if form.timezone not in time_zones():
        errors["timezone"] = "Choose a time zone from the list."
    return errors


async def _slug_taken(session: AsyncSession, tenant_id: int, slug: str) -> bool:
    """Taken by another workspace, now or as one of its former addresses (which still redirect)."""
    current = await session.scalar(select(Tenant.id).where(Tenant.slug == slug, Tenant.id != tenant_id))
    former = await session.scalar(
        select(SlugRedirect.id).where(SlugRedirect.old_slug == slug, SlugRedirect.tenant_id != tenant_id)
    )
    return bool(current or former)


async def update_settings(session: AsyncSession, actor: TenantContext, form: SettingsForm) -> Tenant | None:
    """Apply ``form`` (``form.errors`` set and ``None`` returned when invalid); each change audited."""
    form.errors = await validate(session, actor.tenant_id, form)
    if form.errors:
        return None
    tenant = await session.scalar(select(Tenant).where(Tenant.id == actor.tenant_id).with_for_update())
    assert tenant is not None
    changes = {
        key: {"from": getattr(tenant, key), "to": getattr(form, key)}
        for key in ("name", "slug", "currency", "timezone")
        if getattr(tenant, key) != getattr(form, key)
    }
    if not changes:
        return tenant
    if "slug" in changes:
        await _move_slug(session, tenant, form.slug)
    for key, change in changes.items():
        setattr(tenant, key, change["to"])
    await session.flush()
    await record(session, "workspace.settings_changed", target=tenant.slug, details=changes, **actor.actor)
    return tenant


async def _move_slug(session: AsyncSession, tenant: Tenant, new_slug: str) -> None:
    """Keep the old slug as a redirect; taking back a former slug removes its redirect."""
    await session.execute(delete(SlugRedirect).where(SlugRedirect.old_slug.in_([new_slug, tenant.slug])))
    session.add(SlugRedirect(old_slug=tenant.slug, tenant_id=tenant.id))


def logo_problem(content: bytes) -> tuple[str | None, str | None]:
    """(content type, problem): the type sniffed from the bytes, or why the file cannot be a logo."""
    if not content:
        return None, "Choose an image file."
    if len(content) > MAX_LOGO_BYTES:
        return None, f"The logo may be at most {MAX_LOGO_BYTES // 1024} KB."
    for content_type, signatures in LOGO_SIGNATURES.items():
        if content.startswith(signatures) and (content_type != "image/webp" or content[8:12] == b"WEBP"):
            return content_type, None
    return None, "Use a PNG, JPEG, GIF or WebP image."


async def set_logo(session: AsyncSession, actor: TenantContext, content: bytes, filename: str) -> str | None:
    """Store the logo; returns the problem with the file, or ``None`` when stored."""
    content_type, problem = logo_problem(content)
    if problem or content_type is None:
        return problem
    logo = await session.scalar(select(TenantLogo).where(TenantLogo.tenant_id == actor.tenant_id))
    if logo is None:
        session.add(TenantLogo(tenant_id=actor.tenant_id, content_type=content_type, data=content))
    else:
        logo.content_type, logo.data = content_type, content
    await session.flush()
    details = {"filename": filename[:200], "bytes": len(content), "type": content_type}
    await record(session, "workspace.logo_changed", target=actor.slug, details=details, **actor.actor)
    return None


async def remove_logo(session: AsyncSession, actor: TenantContext) -> None:
    result = await session.execute(delete(TenantLogo).where(TenantLogo.tenant_id == actor.tenant_id))
    if getattr(result, "rowcount", 0):
        await record(session, "workspace.logo_removed", target=actor.slug, **actor.actor)


async def get_logo(session: AsyncSession, tenant_id: int) -> TenantLogo | None:
    logo: TenantLogo | None = await session.scalar(select(TenantLogo).where(TenantLogo.tenant_id == tenant_id))
    return logo
