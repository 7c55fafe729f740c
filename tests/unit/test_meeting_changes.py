"""Pure parsing of meeting changes and planning periods (issue #16)."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest

from bot.core.argtypes import ArgError
from bot.meetings.changes import new_times, parse
from bot.meetings.planning import blackout_days, parse_period

TODAY = date(2026, 12, 1)


def test_shapes_are_recognised_in_any_order() -> None:
    said = parse(["https://meet.example.org/x", "2h", "14:30", "17.03.2027", '"Rathaus,', 'Raum 12"', "trotzdem"],
                 TODAY)
    assert said.day == date(2027, 3, 17) and said.at == time(14, 30) and said.minutes == 120
    assert said.url == "https://meet.example.org/x" and said.place == "Rathaus, Raum 12" and said.anyway


def test_a_date_alone_keeps_time_and_length() -> None:
    start = datetime(2027, 3, 16, 9, 0, tzinfo=timezone.utc)  # 10:00 in Berlin
    end = datetime(2027, 3, 16, 10, 30, tzinfo=timezone.utc)
    said = parse(["17.03.2027"], TODAY)
    assert said.place is None and said.url is None
    assert new_times(said, start, end, "Europe/Berlin") == (datetime(2027, 3, 17, 9, 0, tzinfo=timezone.utc),
                                                            datetime(2027, 3, 17, 10, 30, tzinfo=timezone.utc))


def test_bad_times_and_lengths_are_refused() -> None:
    with pytest.raises(ArgError):
        parse(["25:00"], TODAY)
    with pytest.raises(ArgError):
        parse(["11h"], TODAY)


@pytest.mark.parametrize(("words", "expected"), [
    (["2027-Q1"], (date(2027, 1, 1), date(2027, 3, 31))),
    (["2027-H2"], (date(2027, 7, 1), date(2027, 12, 31))),
    (["2027-03"], (date(2027, 3, 1), date(2027, 3, 31))),
    (["2027"], (date(2027, 1, 1), date(2027, 12, 31))),
    (["ab", "10.1."], (date(2027, 1, 10), date(2027, 4, 10))),
    (["ab", "10.1.", "bis", "28.2."], (date(2027, 1, 10), date(2027, 2, 28))),
    (["10.1.-28.2."], (date(2027, 1, 10), date(2027, 2, 28))),
])
def test_planning_periods(words: list[str], expected: tuple[date, date]) -> None:
    assert parse_period(words, TODAY) == expected


@pytest.mark.parametrize(("words", "expected"), [
    # typed on 11.01.2027 (findings-meet2 F1): the period still mostly ahead is this year's
    (["ab", "10.1.", "bis", "28.2."], (date(2027, 1, 10), date(2027, 2, 28))),
    (["ab", "10.1."], (date(2027, 1, 10), date(2027, 4, 10))),
    (["1.12.-5.1."], (date(2027, 12, 1), date(2028, 1, 5))),
    (["ab", "1.11.", "bis", "30.11."], (date(2027, 11, 1), date(2027, 11, 30))),
])
def test_a_day_and_month_alone_is_the_period_still_current(words: list[str], expected: tuple[date, date]) -> None:
    assert parse_period(words, date(2027, 1, 11)) == expected


def test_blackouts_every_year_and_once() -> None:
    days = blackout_days(["24.12.-01.01.", "29.03.2027-09.04.2027"], date(2026, 12, 1), date(2027, 12, 31))
    assert date(2026, 12, 24) in days and date(2027, 1, 1) in days and date(2027, 1, 2) not in days
    assert date(2027, 12, 31) in days and date(2027, 12, 23) not in days
    assert date(2027, 4, 1) in days and date(2027, 4, 10) not in days
