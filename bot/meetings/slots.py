"""Cadence maths (pure): the next window a body should meet in, and candidate slots in it
on working days, in office hours, off public holidays, clear of other meetings and absences."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib

from bot.core.periods import Period, period_of

MIN_LEAD_DAYS = 14  # invitations need time: no candidate sooner than this


@dataclass(frozen=True)
class Slot:
    starts_at: datetime  # aware, UTC
    ends_at: datetime


@lru_cache(maxsize=32)
def _holidays(country: str, subdivision: str, year: int) -> frozenset[date]:
    found = holidays_lib.country_holidays(country, subdiv=subdivision or None, years=year)
    return frozenset(found.keys())


def is_holiday(day: date, country: str = "DE", subdivision: str = "NW") -> bool:
    return day in _holidays(country, subdivision, day.year)


def next_window(today: date, per_year: int, met_in: Iterable[date]) -> Period:
    """The first cadence period (from the current one on) in which the body has no meeting yet.
    A body meeting "as needed" (0) plans in the current quarter."""
    per_year = per_year or 4
    met = set(met_in)
    period = period_of(today, per_year)
    for _ in range(per_year * 2):
        free = not any(period.start <= d <= period.due for d in met)
        if free and period.due >= today + timedelta(days=MIN_LEAD_DAYS):
            return period
        period = period_of(period.due + timedelta(days=1), per_year)
    return period


def candidates(start: date, end: date, *, tz: str, hours: tuple[time, time], minutes: int, count: int,
               country: str = "DE", subdivision: str = "NW",
               busy: Iterable[tuple[datetime, datetime]] = (), absent: Iterable[date] = ()) -> list[Slot]:
    """Up to `count` slots spread evenly over the eligible days between start and end: one a
    day, at the first start in office hours that clashes with no busy interval."""
    zone, blocked, busy_list = ZoneInfo(tz), set(absent), list(busy)
    days = []
    day = start
    while day <= end:
        if day.weekday() < 5 and not is_holiday(day, country, subdivision) and day not in blocked:
            slot = _first_free(day, zone, hours, minutes, busy_list)
            if slot is not None:
                days.append(slot)
        day += timedelta(days=1)
    if len(days) <= count:
        return days
    step = len(days) / count
    return [days[int(i * step + step / 2)] for i in range(count)]


def _first_free(day: date, zone: ZoneInfo, hours: tuple[time, time], minutes: int,
                busy: list[tuple[datetime, datetime]]) -> Slot | None:
    begin = datetime.combine(day, hours[0], tzinfo=zone)
    last = datetime.combine(day, hours[1], tzinfo=zone) - timedelta(minutes=minutes)
    while begin <= last:
        finish = begin + timedelta(minutes=minutes)
        if not any(b_start < finish and begin < b_end for b_start, b_end in busy):
            return Slot(begin.astimezone(ZoneInfo("UTC")), finish.astimezone(ZoneInfo("UTC")))
        begin += timedelta(minutes=30)
    return None
