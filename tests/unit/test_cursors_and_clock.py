"""API list cursors round-trip and refuse forgeries with a 400; the kernel clock can be fixed and restored."""

from __future__ import annotations

import datetime

import pytest

from nexo.platform import clock
from nexo.platform.api.base import MAX_LIMIT, check_limit, decode_cursor, encode_cursor
from nexo.platform.web.errors import ProblemError


def test_cursor_round_trip() -> None:
    cursor = encode_cursor("name", "Núñez", 42)
    assert "=" not in cursor
    assert decode_cursor(cursor, "name") == ("Núñez", 42)


@pytest.mark.parametrize("cursor", ["not-a-cursor", encode_cursor("created_at", "x", 1), "e30"])
def test_a_forged_or_foreign_cursor_is_a_400(cursor: str) -> None:
    with pytest.raises(ProblemError) as raised:
        decode_cursor(cursor, "name")
    assert raised.value.status_code == 400


def test_limit_bounds() -> None:
    assert check_limit(1) == 1 and check_limit(MAX_LIMIT) == MAX_LIMIT
    for bad in (0, MAX_LIMIT + 1):
        with pytest.raises(ProblemError):
            check_limit(bad)


def test_frozen_clock_is_restored() -> None:
    day = datetime.date(2030, 2, 28)
    with clock.frozen(day):
        assert clock.today() == day and clock.today("Europe/Madrid") == day
        with clock.frozen(day + datetime.timedelta(days=1)):
            assert clock.today() == datetime.date(2030, 3, 1)
        assert clock.today() == day
