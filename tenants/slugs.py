"""Workspace slugs: lower-case letters, digits and hyphens; some words are reserved."""

from __future__ import annotations

import re
import unicodedata

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
        return "Choose a workspace address."
    if len(slug) < MIN_SLUG_LENGTH:
        return f"Use at least {MIN_SLUG_LENGTH} characters."
    if len(slug) > MAX_SLUG_LENGTH:
        return f"Use at most {MAX_SLUG_LENGTH} characters."
    if not SLUG_PATTERN.match(slug):
        return "Use lower-case letters, digits and hyphens, starting and ending with a letter or digit."
    if "--" in slug:
        return "Do not use two hyphens in a row."
    if slug in RESERVED_SLUGS or slug.startswith(("pg-", "tenant-")):
        return "This address is reserved. Choose another one."
    return None


def suggest_slug(name: str) -> str:
    """A slug suggested from a company name: ``"Café Zürich GmbH"`` → ``"cafe-zurich-gmbh"``."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    slug = re.sub(r"-{2,}", "-", slug)[:MAX_SLUG_LENGTH].strip("-")
    if slug in RESERVED_SLUGS:
        slug = f"{slug}-team"
    return slug
