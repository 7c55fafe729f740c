"""iCalendar (RFC 5545/5546) for invitations and feeds: Europe/Berlin with its VTIMEZONE,
a stable UID per meeting, SEQUENCE bumped on every change, METHOD:CANCEL for a cancellation.
Feeds carry no people: no attendees, only public agenda items."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

from storage.models import Meeting

PRODID = "-//Sachstand//Gremiensitzungen//DE"


def _calendar(method: str | None, name: str | None = None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def _event(meeting: Meeting, tz: str, now: datetime, *, public: bool, organizer: str,
           cancelled: bool = False) -> Event:
    zone = ZoneInfo(tz)
    ev = Event()
    ev.add("uid", meeting.uid)
    ev.add("sequence", meeting.sequence)
    ev.add("dtstamp", now.astimezone(ZoneInfo("UTC")))
    ev.add("dtstart", meeting.starts_at.astimezone(zone))
    ev.add("dtend", meeting.ends_at.astimezone(zone))
    ev.add("summary", meeting.title)
    location = ", ".join(x for x in (meeting.place, meeting.online_url) if x)
    if location:
        ev.add("location", location)
    if meeting.online_url:
        ev.add("url", meeting.online_url)
    items = [a for a in meeting.agenda if a.state == "accepted" and (a.public or not public)]
    if items:
        ev.add("description", "\n".join(f"{i}. {a.title}" for i, a in enumerate(items, start=1)))
    if organizer and not public:
        org = vCalAddress(f"mailto:{organizer}")
        org.params["cn"] = vText("Sachstand")
        ev["organizer"] = org
    status = "CANCELLED" if cancelled or meeting.state == "cancelled" else "CONFIRMED"
    ev.add("status", status)
    ev.add("transp", "OPAQUE")
    return ev


def invitation(meeting: Meeting, tz: str, now: datetime, organizer: str) -> bytes:
    """One meeting as an invitation (METHOD:REQUEST) or its cancellation (METHOD:CANCEL)."""
    cancelled = meeting.state == "cancelled"
    cal = _calendar("CANCEL" if cancelled else "REQUEST")
    cal.add_component(_event(meeting, tz, now, public=False, organizer=organizer, cancelled=cancelled))
    cal.add_missing_timezones()
    return cal.to_ical()


def feed(meetings: Iterable[Meeting], name: str, tz: str, now: datetime) -> bytes:
    """A subscribable feed (METHOD:PUBLISH): meetings only, public agenda items only."""
    cal = _calendar("PUBLISH", name)
    cal.add("x-wr-timezone", tz)
    cal.add("x-published-ttl", "PT1H")  # Outlook: how often to fetch the feed again
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})  # RFC 7986
    for meeting in meetings:
        cal.add_component(_event(meeting, tz, now, public=True, organizer=""))
    cal.add_missing_timezones()
    return cal.to_ical()
