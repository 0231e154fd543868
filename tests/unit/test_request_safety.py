"""Small request-safety rules: anchored CSRF exemptions, argon2 hashing off the event loop."""

from __future__ import annotations

import asyncio

import pytest
from litestar.middleware._utils import build_exclude_path_pattern

from nexo.platform.accounts.passwords import hash_password_off_loop, verify_password_off_loop
from nexo.platform.core import CSRF_EXEMPT


@pytest.mark.parametrize(
    ("path", "exempt"),
    [
        ("/api/v1/directory/people", True),
        ("/oauth/token", True),
        ("/oauth/revoke", True),
        ("/oauth/introspect", True),
        ("/billing/webhooks/stripe", True),
        ("/oauth/authorize", False),
        ("/oauth/token/extra", False),
        ("/oauth/tokens", False),
        ("/w/acme/api/settings", False),
        ("/w/acme/x/oauth/token", False),
        ("/w/acme/billing/webhooks/x", False),
        ("/login", False),
    ],
)
def test_csrf_exemptions_are_anchored(path: str, exempt: bool) -> None:
    pattern = build_exclude_path_pattern(exclude=CSRF_EXEMPT)
    assert pattern is not None
    assert bool(pattern.search(path)) is exempt


async def test_argon2_runs_off_the_event_loop() -> None:
    """While a password is hashed and verified, the loop keeps running other work (a ticker advances)."""
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0)

    ticking = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    hashed = await hash_password_off_loop("correct horse battery staple")
    assert await verify_password_off_loop("correct horse battery staple", hashed)
    assert not await verify_password_off_loop("wrong horse battery staple", hashed)
    done.set()
    await ticking
    assert ticks > 3  # on the loop, the hashing would have run without a single tick in between
