"""Cadence maths: candidate slots skip weekends, NRW holidays, busy times and absences."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from bot.meetings.slots import candidates, is_holiday, next_window

BERLIN = ZoneInfo("Europe/Berlin")
HOURS = (time(9, 0), time(16, 0))


def _days(start: date, end: date, **kw: object) -> list[date]:
    slots = candidates(start, end, tz="Europe/Berlin", hours=HOURS, minutes=90, count=500,
                       **kw)  # type: ignore[arg-type]
    return [s.starts_at.astimezone(BERLIN).date() for s in slots]


def test_a_quarterly_body_plans_in_the_next_quarter_without_a_meeting() -> None:
    window = next_window(date(2027, 1, 10), 4, met_in=[date(2027, 2, 3)])
    assert (window.start, window.due) == (date(2027, 4, 1), date(2027, 6, 30))
    # too close to the end of the current quarter: the next one
    assert next_window(date(2027, 3, 25), 4, met_in=[]).start == date(2027, 4, 1)
    assert next_window(date(2027, 3, 1), 1, met_in=[]).label == "2027"


def test_candidates_skip_weekends_and_the_nrw_holidays_of_2027() -> None:
    q2 = _days(date(2027, 4, 1), date(2027, 6, 30))
    q4 = _days(date(2027, 10, 1), date(2027, 12, 31))
    assert all(d.weekday() < 5 for d in q2 + q4)
    # Himmelfahrt, Pfingstmontag, Fronleichnam (NRW), Allerheiligen (NRW): all on working days in 2027
    for holiday in (date(2027, 5, 6), date(2027, 5, 17), date(2027, 5, 27), date(2027, 11, 1)):
        assert is_holiday(holiday) and holiday not in q2 + q4, holiday
    # Christmas Day 25.12.2027 is a Saturday, Boxing Day a Sunday; the working days around them stay
    assert date(2027, 5, 27) not in q2 and date(2027, 5, 26) in q2 and date(2027, 5, 28) in q2
    assert date(2027, 11, 1) not in q4 and date(2027, 11, 2) in q4
    assert date(2027, 12, 23) in q4
    # the same dates are ordinary working days elsewhere: Fronleichnam is no holiday in Berlin
    berlin = _days(date(2027, 5, 24), date(2027, 5, 28), subdivision="BE")
    assert date(2027, 5, 27) in berlin


def test_christmas_on_working_days_is_off() -> None:
    days = _days(date(2026, 12, 21), date(2026, 12, 31))  # 25./26.12.2026: Friday and Saturday
    assert date(2026, 12, 25) not in days and date(2026, 12, 24) in days


def test_an_absence_and_a_clashing_meeting_move_the_candidates() -> None:
    absent = [date(2027, 5, 10), date(2027, 5, 11)]
    days = _days(date(2027, 5, 10), date(2027, 5, 14), absent=absent)
    assert days == [date(2027, 5, 12), date(2027, 5, 13), date(2027, 5, 14)]
    busy = [(datetime(2027, 5, 12, 7, 0, tzinfo=timezone.utc), datetime(2027, 5, 12, 9, 0, tzinfo=timezone.utc))]
    slots = candidates(date(2027, 5, 12), date(2027, 5, 12), tz="Europe/Berlin", hours=HOURS, minutes=90,
                       count=5, busy=busy)
    assert slots[0].starts_at.astimezone(BERLIN).time() == time(11, 0)  # after the 9–11 meeting


def test_candidates_are_spread_over_the_window_in_office_hours() -> None:
    slots = candidates(date(2027, 4, 1), date(2027, 6, 30), tz="Europe/Berlin", hours=HOURS, minutes=90, count=5)
    assert len(slots) == 5
    months = {s.starts_at.astimezone(BERLIN).month for s in slots}
    assert months == {4, 5, 6}
    for s in slots:
        local = s.starts_at.astimezone(BERLIN)
        assert time(9, 0) <= local.time() and s.ends_at.astimezone(BERLIN).time() <= time(16, 0)
