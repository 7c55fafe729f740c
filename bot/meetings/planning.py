"""Planning a meeting as an office would (issue #16): candidate dates in a chosen period
(`2027-Q1`, `2027-H2`, `2027`, `ab 10.1.`, `10.1.-28.2.`) or the body's next cadence window,
never in a blackout period (`[meetings] blackout`, default 24.12.–1.1.), never clashing with
meetings of the body or of bodies sharing members; a clash of a meeting set by hand is named."""
from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.core.argtypes import ArgError, parse_german_date
from bot.core.commands import N_
from bot.core.context import Context
from bot.core.periods import Period
from storage.models import Body, DatePoll, Meeting, PollOption

from .queries import ACTIVE, MeetingError, meetings_of, members, open_poll
from .slots import MIN_LEAD_DAYS, candidates, next_window

PERIOD = re.compile(r"^(\d{4})(?:-(Q[1-4]|H[12]|\d{2}))?$", re.IGNORECASE)


def parse_period(words: list[str], today: date) -> tuple[date, date] | None:
    """`2027-Q1` | `2027-H2` | `2027-03` | `2027` | `ab 10.1.` | `ab 10.1. bis 28.2.` | `10.1.-28.2.`."""
    if not words:
        return None
    text = " ".join(words).strip()
    match = PERIOD.match(text)
    if match:
        year, part = int(match[1]), (match[2] or "").upper()
        if not part:
            return date(year, 1, 1), date(year, 12, 31)
        if part[0] == "Q":
            first = (int(part[1]) - 1) * 3 + 1
            last = first + 2
        elif part[0] == "H":
            first, last = (1, 6) if part[1] == "1" else (7, 12)
        else:
            first = last = int(part)
            if not 1 <= first <= 12:
                raise ArgError(N_("“{value}” is not a period. Write it like 2027-Q1, 2027-H2 or ab 10.1."),
                               value=text[:30])
        return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])
    span = re.fullmatch(r"(?:ab|from|von)?\s*(\S+?)\s*(?:(?:-|–|bis|to|until)\s*(\S+))?", text, re.IGNORECASE)
    if not span:
        raise ArgError(N_("“{value}” is not a period. Write it like 2027-Q1, 2027-H2 or ab 10.1."), value=text[:30])
    if _has_year(span[1]):
        start = parse_german_date(span[1], today)
        end = _end(span[2], start)
    else:
        # a day and month alone (`ab 10.1. bis 28.2.`): this year's period while any of it is still
        # ahead, not next year's because its first day has passed (findings-meet2 F1)
        start = parse_german_date(span[1], date(today.year, 1, 1))
        end = _end(span[2], start)
        if end < today:
            start = parse_german_date(span[1], date(today.year + 1, 1, 1))
            end = _end(span[2], start)
    if end < start:
        raise ArgError(N_("The period ends before it begins."))
    return start, end


def _has_year(word: str) -> bool:
    return bool(re.search(r"^\d{4}-|\d{4}$|\.\d{2}$", word.strip().rstrip(",")))


def _end(word: str | None, start: date) -> date:
    return parse_german_date(word, start) if word else start + timedelta(days=90)


def blackout_days(specs: list[str], start: date, end: date) -> set[date]:
    """The days between start and end that fall into a blackout period."""
    days: set[date] = set()
    for spec in specs:
        first, last = (part.strip() for part in re.split(r"\s*[-–]\s*(?=\d)", spec.strip(), maxsplit=1))
        for year in range(start.year - 1, end.year + 1):
            a = _day(first, year)
            b = _day(last, year)
            if a is None or b is None:
                continue
            if b < a:  # across the new year: 24.12.–01.01.
                b = _day(last, year + 1) or b
            day = max(a, start)
            while day <= min(b, end):
                days.add(day)
                day += timedelta(days=1)
            if re.search(r"\d{4}$", first):
                break  # a dated period happens once
    return days


def _day(spec: str, year: int) -> date | None:
    match = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})?", spec)
    if not match:
        return None
    try:
        return date(int(match[3] or year), int(match[2]), int(match[1]))
    except ValueError:
        return None


def bodies_sharing_members(ctx: Context, body: Body) -> list[Body]:
    """The body itself and every body one of its members sits in: their meetings are busy time."""
    ids = {m.person_id for m in body.memberships}
    return [b for b in ctx.uow.bodies.all() if b.id == body.id or ids & {m.person_id for m in b.memberships}]


def clashes(ctx: Context, body: Body, starts_at: datetime, ends_at: datetime,
            exclude: Meeting | None = None) -> list[Meeting]:
    return [m for b in bodies_sharing_members(ctx, body) for m in meetings_of(ctx, b)
            if m is not exclude and m.starts_at < ends_at and starts_at < m.ends_at]


def refuse_clash(ctx: Context, body: Body, starts_at: datetime, ends_at: datetime,
                 exclude: Meeting | None = None) -> None:
    found = clashes(ctx, body, starts_at, ends_at, exclude)
    if found:
        tz = ZoneInfo(ctx.tz)
        other = found[0]
        raise MeetingError(N_("That clashes with meeting {number} of {other} on {date}, {start}–{end}. "
                              "Add “trotzdem” to set it anyway."),
                           number=other.number, other=other.body.code,
                           date=other.starts_at.astimezone(tz).strftime("%d.%m.%Y"),
                           start=other.starts_at.astimezone(tz).strftime("%H:%M"),
                           end=other.ends_at.astimezone(tz).strftime("%H:%M"))


def propose(ctx: Context, body: Body, period: tuple[date, date] | None = None, said: str = "") -> DatePoll:
    """Candidate slots in the chosen period (`said` as typed) or the next window of the cadence,
    as a draft poll."""
    if open_poll(ctx, body, ("open",)) is not None:
        raise MeetingError(N_("A date poll for {code} is already open. "
                              "Confirm it with “sitzung festlegen {code}”."),
                           code=body.code)
    settings, tz = ctx.services.settings, ctx.services.settings.general.timezone
    today = ctx.today()
    earliest = today + timedelta(days=MIN_LEAD_DAYS)
    if period is None:
        held = [m.starts_at.astimezone(ZoneInfo(tz)).date() for m in meetings_of(ctx, body, (*ACTIVE, "held"))]
        window: Period = next_window(today, body.cadence_per_year, held)
        start, end = max(window.start, earliest), window.due
    else:
        start, end = max(period[0], earliest), period[1]
        if end < today:  # F2: said so, not "between 25.01.2027 and 31.12.2026"
            raise MeetingError(N_("The period {period} is in the past."), period=said[:40])
        if end < start:
            raise MeetingError(N_("The period {period} ends before {earliest}: invitations need {days} days, "
                                  "so no meeting can be planned in it any more."), period=said[:40],
                               earliest=earliest.strftime("%d.%m.%Y"), days=MIN_LEAD_DAYS)
    busy = [(m.starts_at, m.ends_at) for b in bodies_sharing_members(ctx, body) for m in meetings_of(ctx, b)]
    absent = {d for p in members(body) for a in p.absences for d in _days(a.start, a.end)}
    absent |= blackout_days(settings.meetings.blackout, start, end)
    slots = candidates(start, end, tz=tz, hours=(settings.meetings.office_hours_start,
                       settings.meetings.office_hours_end), minutes=settings.meetings.slot_minutes,
                       count=settings.meetings.candidates, country=settings.general.holiday_country,
                       subdivision=settings.general.holiday_subdivision, busy=busy, absent=absent)
    if not slots:
        raise MeetingError(N_("No free slot for {code} between {start} and {end}."), code=body.code,
                           start=start.strftime("%d.%m.%Y"), end=end.strftime("%d.%m.%Y"))
    old = open_poll(ctx, body, ("draft",))
    if old is not None:
        ctx.uow.session.delete(old)
    poll = DatePoll(body_id=body.id, state="draft", options=[
        PollOption(position=i, starts_at=s.starts_at, ends_at=s.ends_at) for i, s in enumerate(slots, start=1)])
    ctx.uow.session.add(poll)
    ctx.uow.flush()
    ctx.uow.audit.record(ctx.person, "propose_dates", "meeting", body.code, new={"options": len(slots)})
    return poll


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]
