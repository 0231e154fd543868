"""Random secrets and their stored form."""

from __future__ import annotations

import hashlib
import hmac
import secrets

ACCESS_PREFIX = "nxo_at_"
REFRESH_PREFIX = "nxo_rt_"
CODE_PREFIX = "nxo_ac_"
SECRET_PREFIX = "nxo_cs_"  # noqa: S105 -- a prefix, not a secret


def new_secret(prefix: str, nbytes: int = 32) -> str:
    return prefix + secrets.token_urlsafe(nbytes)


def digest(value: str) -> str:
    """SHA-256 hex of a high-entropy secret (what the database keeps)."""
    return hashlib.sha256(value.encode()).hexdigest()


def matches(value: str, stored_digest: str) -> bool:
    return hmac.compare_digest(digest(value), stored_digest)
