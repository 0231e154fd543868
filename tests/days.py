"""The day every test runs on, and dates relative to it.

``tests/conftest.py`` freezes the kernel clock (``nexo.platform.clock``) at :data:`TODAY` for every test, so the
services date documents on it. Tests write their other dates as offsets from it (``days(-18)``), never as calendar
literals: the suite means the same thing on any day it runs, and moving :data:`TODAY` moves every date with it.
"""

from __future__ import annotations

import datetime

TODAY = datetime.date(2026, 11, 20)  # a Friday: offsets that are whole weeks keep their weekday


def days(offset: int) -> datetime.date:
    """The date ``offset`` days from :data:`TODAY` (negative: before it)."""
    return TODAY + datetime.timedelta(days=offset)


def this_year(month: int, day: int) -> datetime.date:
    """A date in :data:`TODAY`'s year (for reports over whole months of the current year)."""
    return TODAY.replace(month=month, day=day)
