"""Workspace slugs: lower-case letters, digits and hyphens; some words are reserved."""

from __future__ import annotations

import re
import unicodedata

from nexo.platform.i18n.catalog import gettext

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
MIN_SLUG_LENGTH = 3
MAX_SLUG_LENGTH = 63
RESERVED_SLUGS = frozenset(
    {
        "admin",
        "api",
        "app",
        "apps",
        "assets",
        "auth",
        "billing",
        "blog",
        "dashboard",
        "docs",
        "help",
        "healthz",
        "readyz",
        "login",
        "logout",
        "mail",
        "new",
        "nexo",
        "oauth",
        "public",
        "root",
        "settings",
        "signup",
        "static",
        "status",
        "support",
        "system",
        "tenant",
        "tenants",
        "www",
        "w",
        "account",
        "accounts",
        "developer",
        "developers",
        "metrics",
        "pg",
        "postgres",
        "security",
        "invite",
        "invitations",
    }
)


def slug_problem(slug: str) -> str | None:
    """Why ``slug`` cannot be a workspace address (uniqueness aside), or ``None``."""
    if not slug:
        return gettext("Choose a workspace address.")
    if len(slug) < MIN_SLUG_LENGTH:
        return gettext("Use at least %(min_slug_length)s characters.", min_slug_length=MIN_SLUG_LENGTH)
    if len(slug) > MAX_SLUG_LENGTH:
        return gettext("Use at most %(max_slug_length)s characters.", max_slug_length=MAX_SLUG_LENGTH)
    if not SLUG_PATTERN.match(slug):
        return gettext("Use lower-case letters, digits and hyphens, starting and ending with a letter or digit.")
    if "--" in slug:
        return gettext("Do not use two hyphens in a row.")
    if slug in RESERVED_SLUGS or slug.startswith(("pg-", "tenant-")):
        return gettext("This address is reserved. Choose another one.")
    return None


def suggest_slug(name: str) -> str:
    """A slug suggested from a company name: ``"Café Zürich GmbH"`` → ``"cafe-zurich-gmbh"``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    slug = re.sub(r"-{2,}", "-", slug)[:MAX_SLUG_LENGTH].strip("-")
    if slug in RESERVED_SLUGS:
        slug = f"{slug}-team"
    return slug
