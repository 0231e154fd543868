"""Today's date, from one place a test can set.

Services that date a document "today" (an invoice issued, a delivery made, a payment received without a date) ask
``today()``. Tests fix the day with ``frozen(day)`` so that no assertion depends on the calendar; production never
sets it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_fixed: datetime.date | None = None


def today(timezone: str | None = None) -> datetime.date:
    """The current date in ``timezone`` (an IANA name; the server's local date without one), or the fixed day.

    A name the zone database does not know falls back to UTC: a workspace's stored zone never breaks a page."""
    if _fixed is not None:
        return _fixed
    if timezone is None:
        return datetime.date.today()
    try:
        zone: datetime.tzinfo = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = datetime.UTC
    return datetime.datetime.now(zone).date()


@contextmanager
def frozen(day: datetime.date) -> Iterator[datetime.date]:
    """Within the block ``today()`` is ``day`` (for the whole process: the app under test runs in it)."""
    global _fixed
    previous, _fixed = _fixed, day
    try:
        yield day
    finally:
        _fixed = previous
