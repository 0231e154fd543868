"""Waiting for htmx in browser tests."""

from __future__ import annotations

HTMX_BUSY = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"


async def htmx_idle(page: object) -> None:
    """Wait until htmx has no request in flight and has processed what it swapped in.

    An element swapped in gets its htmx listeners only when htmx processes it; typing into it before that is lost
    (a real user cannot type that fast, a browser test on a loaded machine can)."""
    await page.wait_for_function(f"() => !document.querySelector({HTMX_BUSY!r})")  # type: ignore[attr-defined]
