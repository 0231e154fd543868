"""Password reset links: signed, expiring and single-use, with no table of their own.

A token carries the user id and a fingerprint of the user's current password hash, signed with
``NEXO_SECRET_KEY`` (itsdangerous). It expires after ``password_reset_max_age_seconds``; it dies once used, because
setting the new password changes the hash and so the fingerprint no longer matches.
"""

from __future__ import annotations

import hashlib
import hmac

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.accounts.models import User
from nexo.platform.accounts.passwords import hash_password_off_loop
from nexo.platform.mail import Mail
from nexo.platform.settings import Settings

SALT = "nexo.password-reset"


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.app.secret_key, salt=SALT)


def password_fingerprint(settings: Settings, password_hash: str) -> str:
    """A short keyed digest of the hash: the token never carries the hash itself."""
    key = settings.app.secret_key.encode()
    return hmac.new(key, password_hash.encode(), hashlib.sha256).hexdigest()[:32]


def make_reset_token(settings: Settings, user: User) -> str:
    return _serializer(settings).dumps({"u": user.id, "f": password_fingerprint(settings, user.password_hash)})


async def user_for_reset_token(session: AsyncSession, settings: Settings, token: str) -> User | None:
    """The user a valid token belongs to, or ``None`` if it is forged, expired, already used or the user is gone."""
    try:
        payload = _serializer(settings).loads(token, max_age=settings.security.password_reset_max_age_seconds)
    except BadSignature:  # includes SignatureExpired
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        return None
    user = await session.get(User, payload["u"])
    if user is None or not user.is_active:
        return None
    if not hmac.compare_digest(str(payload.get("f", "")), password_fingerprint(settings, user.password_hash)):
        return None
    return user


async def set_password(session: AsyncSession, user: User, password: str) -> None:
    user.password_hash = await hash_password_off_loop(password)
    await session.flush()


def reset_mail(settings: Settings, user: User, token: str) -> Mail:
    minutes = max(1, settings.security.password_reset_max_age_seconds // 60)
    link = f"{settings.app.base_url}/password/reset/{token}"
    text = (
        f"Hello {user.full_name},\n\n"
        "Someone asked to reset the password of your Nexo account. If it was you, open this link to choose a new "
        f"password (it works once, for {minutes} minutes):\n\n{link}\n\n"
        "If it was not you, ignore this e-mail: your password stays as it is.\n"
    )
    return Mail(to=user.email, subject="Reset your Nexo password", text=text)
