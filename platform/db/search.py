"""Substring search with LIKE: what a person types is matched literally, and its length is bounded."""

from __future__ import annotations

MAX_SEARCH_LENGTH = 200  # the API refuses longer input (400); pages cut it: a long pattern only costs the database


def contains_pattern(text: str) -> str:
    """A ``LIKE`` pattern (use with ``escape="\\\\"``) matching ``text`` anywhere, literally.

    ``%`` and ``_`` typed by a person are characters to find, not wildcards (``50%`` must not match ``5000``)."""
    cut = text.strip()[:MAX_SEARCH_LENGTH]
    escaped = cut.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
