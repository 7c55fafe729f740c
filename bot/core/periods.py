"""Reporting periods from a cadence: `per_year` rounds split the year into equal blocks of
months, each due on its last day (a quarterly line reports "2027-Q1" by 31 March)."""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_PREFIX = {4: "Q", 2: "H", 3: "T", 6: "B"}
DUE_TIME = time(23, 59)  # a round is due at the end of its due day
REMIND_TIME = time(9, 0)  # reminders go out in office hours


@dataclass(frozen=True)
class Period:
    label: str  # "2027-Q1"
    start: date
    due: date  # the last day of the period


def _months(per_year: int) -> int:
    # 12 must split evenly; an odd cadence (5×/year) falls back to the next finer one
    for months in (12, 6, 4, 3, 2, 1):
        if 12 // months >= per_year:
            return months
    return 1


def period_of(day: date, per_year: int) -> Period:
    months = _months(max(1, per_year))
    index = (day.month - 1) // months  # 0-based block within the year
    first = index * months + 1
    last = first + months - 1
    due = date(day.year, last, calendar.monthrange(day.year, last)[1])
    count = 12 // months
    if count == 1:
        label = str(day.year)
    elif count == 12:
        label = f"{day.year}-{first:02d}"
    else:
        label = f"{day.year}-{_PREFIX.get(count, 'P')}{index + 1}"
    return Period(label, date(day.year, first, 1), due)


def local_at(day: date, at: time, tz: str) -> datetime:
    """A local wall-clock time as an aware datetime (the database stores UTC)."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(tz))


def due_at(day: date, tz: str) -> datetime:
    return local_at(day, DUE_TIME, tz)


def due_day(moment: datetime, tz: str) -> date:
    return moment.astimezone(ZoneInfo(tz)).date()


def reminder_times(due: date, days: list[int], tz: str) -> list[tuple[int, datetime]]:
    """(days before, when) for each configured reminder, earliest first."""
    return sorted(((d, local_at(due - timedelta(days=d), REMIND_TIME, tz)) for d in set(days)),
                  key=lambda pair: pair[1])
