"""iCalendar (RFC 5545/5546) for invitations and feeds: the configured zone with its VTIMEZONE,
a stable UID per meeting, SEQUENCE bumped on every change, METHOD:CANCEL for a cancellation.

iTIP (RFC 5546): an invitation (REQUEST) and its cancellation (CANCEL) carry the ORGANIZER and
the body's members as ATTENDEEs — the one who receives it among them; a feed (PUBLISH) carries
the ORGANIZER and no attendees. Feeds carry no people and no dial-in link (its PIN is for the
members): only the place and the public agenda items.

The VTIMEZONE lists each transition of the years the meetings fall in as its own STANDARD or
DAYLIGHT component with the onset in local time before the change (RFC 5545 3.6.5) — not one
RDATE line with every transition, which ical.js misreads (summer meetings an hour off)."""
from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone, TimezoneDaylight, TimezoneStandard, vCalAddress, vText

from storage.models import Meeting

from .agenda import accepted

PRODID = "-//Sachstand//Gremiensitzungen//DE"
UTC = timezone.utc
PLACE_FOLLOWS = "Ort folgt."  # the calendar of a German office: no place yet
ONLINE = "Online"  # the public location of a meeting held only by video: the same word in German and English


_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]+")


def _calendar(method: str, name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name:  # an X- property is not escaped by icalendar: a body's name with a line break broke the feed (sec2 F8)
        cal.add("x-wr-calname", vText(_CONTROL.sub(" ", name)))
    return cal


def _organizer(organizer: str) -> vCalAddress:
    org = vCalAddress(f"mailto:{organizer}")
    org.params["cn"] = vText("Sachstand")
    return org


def attendee_address(organizer: str, person_id: int) -> str:
    """A member's calendar address: stable, and without the e-mail address (members see each other's)."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"sachstand:{organizer}:person:{person_id}"))


def _attendees(meeting: Meeting, organizer: str) -> list[vCalAddress]:
    body = meeting.body  # None for a meeting not (yet) in a session
    out = []
    for membership in sorted(getattr(body, "memberships", None) or [], key=lambda m: m.person_id):
        person = membership.person
        if person is None or person.anonymized_at is not None:
            continue
        address = vCalAddress(attendee_address(organizer, person.id))
        address.params.update({"cn": vText(person.name), "cutype": "INDIVIDUAL",
                               "role": "CHAIR" if membership.role.value == "chair" else "REQ-PARTICIPANT",
                               "partstat": "NEEDS-ACTION", "rsvp": "FALSE"})  # the answer is given in the chat
        out.append(address)
    return out


def _event(meeting: Meeting, tz: str, now: datetime, *, public: bool, organizer: str,
           cancelled: bool = False) -> Event:
    zone = ZoneInfo(tz)
    ev = Event()
    ev.add("uid", meeting.uid)
    ev.add("sequence", meeting.sequence)
    # a feed's entry was made when the meeting last changed: the same bytes until then (ETag, 304)
    stamp = (meeting.updated_at or now) if public else now
    ev.add("dtstamp", (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).astimezone(UTC))
    ev.add("dtstart", meeting.starts_at.astimezone(zone))
    ev.add("dtend", meeting.ends_at.astimezone(zone))
    ev.add("summary", meeting.title)
    if public:  # never the dial-in link: its PIN is for the members (README)
        location = meeting.place or (ONLINE if meeting.online_url else "")
    else:
        location = ", ".join(x for x in (meeting.place, meeting.online_url) if x)
    if location:
        ev.add("location", location)
    if meeting.online_url and not public:
        ev.add("url", meeting.online_url)
    items = [a for a in accepted(meeting) if a.public or not public]
    lines = [] if location else [PLACE_FOLLOWS]  # no LOCATION until a place is set
    lines += [f"{a.number or i}. {a.title}" for i, a in enumerate(items, start=1)]
    if lines:
        ev.add("description", "\n".join(lines))
    ev["organizer"] = _organizer(organizer)
    if not public:
        for address in _attendees(meeting, organizer):
            ev.add("attendee", address)
    status = "CANCELLED" if cancelled or meeting.state == "cancelled" else "CONFIRMED"
    ev.add("status", status)
    ev.add("transp", "OPAQUE")
    return ev


def invitation(meeting: Meeting, tz: str, now: datetime, organizer: str) -> bytes:
    """One meeting as an invitation (METHOD:REQUEST) or its cancellation (METHOD:CANCEL)."""
    cancelled = meeting.state == "cancelled"
    cal = _calendar("CANCEL" if cancelled else "REQUEST")
    cal.add_component(vtimezone(tz, [meeting.starts_at, meeting.ends_at]))
    cal.add_component(_event(meeting, tz, now, public=False, organizer=organizer, cancelled=cancelled))
    return cal.to_ical()


def feed(meetings: Iterable[Meeting], name: str, tz: str, now: datetime,
         organizer: str = "sachstand@localhost") -> bytes:
    """A subscribable feed (METHOD:PUBLISH): meetings only, public agenda items only."""
    meetings = list(meetings)
    cal = _calendar("PUBLISH", name)
    cal.add("x-wr-timezone", tz)
    cal.add("x-published-ttl", "PT1H")  # Outlook: how often to fetch the feed again
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})  # RFC 7986
    moments = [t for m in meetings for t in (m.starts_at, m.ends_at)] or [now]
    cal.add_component(vtimezone(tz, moments))
    for meeting in meetings:
        cal.add_component(_event(meeting, tz, now, public=True, organizer=organizer))
    return cal.to_ical()


def vtimezone(tz: str, moments: Sequence[datetime]) -> Timezone:
    """The zone from the year before the first moment to the year after the last: one
    component per transition, each with a single DTSTART (no RDATE lists)."""
    zone = ZoneInfo(tz)
    first = min(m.astimezone(UTC) for m in moments).year - 1
    last = max(m.astimezone(UTC) for m in moments).year + 1
    start = datetime(first, 1, 1, tzinfo=UTC)
    out = Timezone()
    out.add("tzid", tz)
    offset = start.astimezone(zone).utcoffset() or timedelta(0)
    out.add_component(_zone_part(zone, start, offset, offset))
    for moment, before, after in _transitions(zone, start, datetime(last + 1, 1, 1, tzinfo=UTC)):
        out.add_component(_zone_part(zone, moment, before, after))
    return out


def _zone_part(zone: ZoneInfo, moment: datetime, before: timedelta,
               after: timedelta) -> TimezoneStandard | TimezoneDaylight:
    local = moment.astimezone(zone)
    part = TimezoneDaylight() if local.dst() else TimezoneStandard()
    part.add("dtstart", (moment + before).replace(tzinfo=None))  # onset in the local time before the change
    part.add("tzoffsetfrom", before)
    part.add("tzoffsetto", after)
    if local.tzname():
        part.add("tzname", local.tzname())
    return part


def _transitions(zone: ZoneInfo, start: datetime, end: datetime) -> Iterable[tuple[datetime, timedelta, timedelta]]:
    """(instant, offset before, offset after) of each change of the UTC offset in [start, end)."""
    def offset(t: datetime) -> timedelta:
        return t.astimezone(zone).utcoffset() or timedelta(0)

    step = timedelta(hours=12)
    t = start
    while t < end:
        nxt = t + step
        if offset(nxt) != offset(t):
            low, high = t, nxt  # the change lies in (low, high]: halve down to the second
            while high - low > timedelta(seconds=1):
                mid = low + (high - low) / 2
                low, high = (mid, high) if offset(mid) == offset(low) else (low, mid)
            yield high.replace(microsecond=0), offset(low), offset(high)
        t = nxt
