"""A demo and test clock: starts at a chosen moment, runs on with real time, moves forward on request.

`sachstand run --at 2027-01-13T17:30` builds one; the console's `zeit +3d` / `zeit 18.03.2027 09:05`
(English `time …`) moves it. Everything that asks "what time is it" (deadlines, reminders, the
scheduler's ledger, the outbox) reads the same clock, so a newcomer can walk a year in minutes.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from .commands import N_

MOVE_WORDS = ("zeit", "time", "uhr", "clock")
_UNITS = {
    "w": 7 * 86400, "wo": 7 * 86400, "woche": 7 * 86400, "wochen": 7 * 86400, "week": 7 * 86400, "weeks": 7 * 86400,
    "d": 86400, "t": 86400, "tag": 86400, "tage": 86400, "day": 86400, "days": 86400,
    "h": 3600, "std": 3600, "stunde": 3600, "stunden": 3600, "hour": 3600, "hours": 3600,
    "m": 60, "min": 60, "minute": 60, "minuten": 60, "minutes": 60,
}
_SECONDS = {"s", "sek", "sec", "sekunde", "sekunden", "second", "seconds"}
_STEP = re.compile(r"(\d{1,4})\s*([a-zäöü]+)")
# words people try after `zeit` (finding F23): forward ones move, backward ones get the reason
_FORWARD_WORDS = {"morgen": 1, "tomorrow": 1, "übermorgen": 2, "uebermorgen": 2}
_BACK_WORDS = {"gestern", "vorgestern", "yesterday"}
NOW_WORDS = {"jetzt", "heute", "now", "today"}
_MINUS = ("-", "−", "–")
_WITH_SECONDS = re.compile(r"^(.*\d{1,2}[:.]\d{2}):\d{2}(?:\s*uhr)?$")
_GERMAN = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ ,]+(\d{1,2})[:.](\d{2}))?(?:\s*uhr)?$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[t ](\d{1,2}):(\d{2}))?$")
MAX_JUMP = timedelta(days=2 * 366)  # far enough for a year's walk; far from datetime's limits
USAGE = N_("Move the demo clock forward: “zeit +3d” (also h, min, w) or “zeit 18.03.2027 09:05”.")
MINUTES = N_("The demo clock moves in whole minutes, without seconds: “zeit {example}”.")


class ClockError(ValueError):
    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message)
        self.message = message
        self.values = values


class DemoClock:
    """Now = the chosen start + real time since then + every move forward."""

    def __init__(self, start: datetime, monotonic: Callable[[], float] = time.monotonic) -> None:
        if start.tzinfo is None:
            raise ValueError("the demo clock needs an aware start time")
        self._monotonic = monotonic
        self._base, self._t0 = start, monotonic()

    def __call__(self) -> datetime:
        return self._base + timedelta(seconds=self._monotonic() - self._t0)

    def move_to(self, when: datetime) -> timedelta:
        """Jump forward to `when`; going back is refused (what was sent cannot be unsent)."""
        now = self()
        if when <= now:
            raise ClockError(N_("Time only moves forward; it is already {now}."), now=now)
        if when - now > MAX_JUMP:
            raise ClockError(N_("At most two years at a time."))
        self._base, self._t0 = when, self._monotonic()
        return when - now


def parse_at(text: str, tz: str) -> datetime:
    """`--at 2027-01-13T17:30` (local time of the configured time zone) or `13.01.2027 17:30`."""
    when = _absolute(text.strip().casefold(), tz, None)
    if when is None:
        raise ClockError(N_("“{value}” is not a moment; write it like 2027-01-13T17:30."), value=text[:40])
    return when


def parse_move(text: str, now: datetime, tz: str) -> datetime:
    """The argument of `zeit`: `+3d`, `+1d 2h`, `+90min`, `morgen`, `18.03.2027 09:05`,
    `2027-03-18T09:05`. A step back or seconds are refused with the reason, not just the usage."""
    raw = text.strip().casefold()
    if raw.startswith(_MINUS) or raw in _BACK_WORDS:
        raise ClockError(N_("Time only moves forward; it is already {now}."), now=now)
    if raw in _FORWARD_WORDS:
        return now + timedelta(days=_FORWARD_WORDS[raw])
    if raw.startswith("+"):
        rest, seconds = raw[1:].replace("+", " "), 0
        steps = _STEP.findall(rest)
        if steps and any(u in _SECONDS for _, u in steps):
            raise ClockError(MINUTES, example="+1min")
        if not steps or _STEP.sub("", rest).strip(" ,und and") or any(u not in _UNITS for _, u in steps):
            raise ClockError(USAGE)
        seconds = sum(int(n) * _UNITS[u] for n, u in steps)
        if seconds <= 0:
            raise ClockError(USAGE)
        return now + timedelta(seconds=seconds)
    when = _absolute(raw, tz, now)
    if when is None:
        seconds_given = _WITH_SECONDS.match(raw)
        if seconds_given and _absolute(seconds_given.group(1), tz, now) is not None:
            raise ClockError(MINUTES, example=text.strip()[:len(seconds_given.group(1))])
        raise ClockError(USAGE)
    return when


def _absolute(raw: str, tz: str, now: datetime | None) -> datetime | None:
    match = _GERMAN.match(raw)
    if match:
        day, month, year, hour, minute = match.groups()
    else:
        match = _ISO.match(raw)
        if not match:
            return None
        year, month, day, hour, minute = match.groups()
    zone = ZoneInfo(tz)
    try:
        day_ = date(int(year), int(month), int(day))
    except ValueError:
        return None
    if hour is None:  # a date alone keeps the time of day (or 09:00 at start)
        local = now.astimezone(zone) if now is not None else None
        hour, minute = (local.hour, local.minute) if local is not None else (9, 0)
    if not (0 <= int(hour) < 24 and 0 <= int(minute) < 60):
        return None
    return datetime(day_.year, day_.month, day_.day, int(hour), int(minute), tzinfo=zone)


def is_move(line: str) -> bool:
    """A console line for the clock: `zeit`, `zeit +3d`, `zeit 18.03.2027`, and the tries the
    clock answers with a reason (`zeit -3d`, `zeit morgen`, `time now`); not `zeit für eine pause`."""
    words = line.strip().split(maxsplit=1)
    if not words or words[0].casefold() not in MOVE_WORDS:
        return False
    if len(words) == 1:
        return True
    argument = words[1].strip().casefold()
    return argument[:1] in "+0123456789" or argument.startswith(_MINUS) or \
        argument in _FORWARD_WORDS.keys() | _BACK_WORDS | NOW_WORDS
