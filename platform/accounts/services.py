"""Account rules: authenticate, look users up."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nexo.platform.accounts.models import User
from nexo.platform.accounts.passwords import hash_password, hash_password_off_loop, verify_password_off_loop
from nexo.platform.db.base import utcnow

# Verifying against a real hash even for unknown e-mails keeps the response time from telling which exist.
_DUMMY_HASH = hash_password("nexo-timing-equaliser-password")


async def get_user_by_email(session: AsyncSession, email: str) -> User | None:
    user: User | None = await session.scalar(select(User).where(User.email == email.strip().lower()))
    return user


async def authenticate(session: AsyncSession, email: str, password: str) -> User | None:
    user = await get_user_by_email(session, email)
    if user is None or not user.is_active:
        await verify_password_off_loop(password, _DUMMY_HASH)
        return None
    if not await verify_password_off_loop(password, user.password_hash):
        return None
    user.last_login_at = utcnow()
    return user


async def create_user(session: AsyncSession, *, email: str, full_name: str, password: str) -> User:
    user = User(
        email=email.strip().lower(), full_name=full_name.strip(), password_hash=await hash_password_off_loop(password)
    )
    session.add(user)
    await session.flush()
    return user
