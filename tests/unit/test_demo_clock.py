"""The demo clock (`sachstand run --at`, console `zeit …`): parsing and moving forward only."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.clock import ClockError, DemoClock, is_move, parse_at, parse_move

BERLIN = ZoneInfo("Europe/Berlin")


def test_start_and_moves() -> None:
    ticks = [100.0]
    start = parse_at("2027-01-13T17:30", "Europe/Berlin")
    assert start == datetime(2027, 1, 13, 17, 30, tzinfo=BERLIN)
    assert parse_at("13.01.2027 17:30", "Europe/Berlin") == start
    clock = DemoClock(start, monotonic=lambda: ticks[0])
    ticks[0] += 60  # real time runs on
    assert clock() == start + timedelta(minutes=1)
    clock.move_to(parse_move("+3d", clock(), "Europe/Berlin"))
    assert clock() == start + timedelta(days=3, minutes=1)
    clock.move_to(parse_move("18.03.2027 09:05", clock(), "Europe/Berlin"))
    assert clock() == datetime(2027, 3, 18, 9, 5, tzinfo=BERLIN)
    assert parse_move("+1w 2h", clock(), "Europe/Berlin") == clock() + timedelta(days=7, hours=2)
    assert parse_move("+90min", clock(), "Europe/Berlin") == clock() + timedelta(minutes=90)
    assert parse_move("+2 days", clock(), "Europe/Berlin") == clock() + timedelta(days=2)


@pytest.mark.parametrize("raw", ["+", "+3x", "+0d", "gestern", "31.02.2027", "+3d lala"])
def test_nonsense_is_refused(raw: str) -> None:
    with pytest.raises(ClockError):
        parse_move(raw, datetime(2027, 1, 13, 17, 30, tzinfo=BERLIN), "Europe/Berlin")


def test_time_only_moves_forward() -> None:
    clock = DemoClock(datetime(2027, 1, 13, 17, 30, tzinfo=BERLIN), monotonic=lambda: 0.0)
    with pytest.raises(ClockError):
        clock.move_to(datetime(2027, 1, 1, tzinfo=BERLIN))
    with pytest.raises(ClockError):  # 31.12.9999 would overflow every deadline computed from it
        clock.move_to(parse_move("31.12.9999 23:59", clock(), "Europe/Berlin"))
    assert clock() == datetime(2027, 1, 13, 17, 30, tzinfo=BERLIN)


def test_which_lines_move_the_clock() -> None:
    assert is_move("zeit +3d") and is_move("time 18.03.2027") and is_move("zeit")
    assert not is_move("zeitplan anzeigen") and not is_move("zeit für eine pause")
