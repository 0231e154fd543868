"""Password hashing with argon2id (pwdlib) and the password policy."""

from __future__ import annotations

from functools import lru_cache

import anyio.to_thread
from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
COMMON_PASSWORDS = frozenset(
    {
        "password",
        "password1",
        "password123",
        "passw0rd",
        "1234567890",
        "12345678910",
        "qwertyuiop",
        "iloveyou123",
        "letmein123",
        "welcome123",
        "administrator",
        "changeme123",
        "abc1234567",
    }
)


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash((Argon2Hasher(),))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    try:
        return _hasher().verify(password, password_hash)
    except Exception:  # a malformed hash is a failed login, never a 500
        return False


async def hash_password_off_loop(password: str) -> str:
    """``hash_password`` in a worker thread: argon2id takes tens of milliseconds of CPU on purpose, and on the event
    loop it would stall every other request of the process meanwhile."""
    return await anyio.to_thread.run_sync(hash_password, password)


async def verify_password_off_loop(password: str, password_hash: str) -> bool:
    """``verify_password`` in a worker thread (see ``hash_password_off_loop``)."""
    return await anyio.to_thread.run_sync(verify_password, password, password_hash)


def password_problem(password: str, *, email: str = "", name: str = "") -> str | None:
    """Why ``password`` is too weak, or ``None`` when it is acceptable."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 4:
        return "This password is too easy to guess."
    local_part = email.split("@", 1)[0].lower()
    if (local_part and len(local_part) >= 4 and local_part in lowered) or (name and name.lower() == lowered):
        return "Do not use your name or e-mail in the password."
    return None
