"""iCalendar output: RFC 5545 invitations and cancellations, feeds without personal data."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from icalendar import Calendar

from bot.meetings import ics
from storage.models import AgendaItem, Meeting

UTC = timezone.utc
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def _meeting(**kw: object) -> Meeting:
    start = datetime(2027, 3, 29, 8, 0, tzinfo=UTC)  # the day after the switch to summer time: 10:00 CEST
    values = dict(id=1, body_id=1, title="EG2 – Expertengruppe", starts_at=start,
                  ends_at=start + timedelta(minutes=90),
                  place="Rathaus, Raum 12", online_url="", state="invited", uid="abc@sachstand.example", sequence=0)
    values.update(kw)
    meeting = Meeting(**values)
    meeting.agenda = [AgendaItem(position=1, title="Sachstand der Empfehlungen", state="accepted", public=True),
                      AgendaItem(position=2, title="Personalfrage", state="accepted", public=False),
                      AgendaItem(position=3, title="Vorschlag", state="proposed", public=True)]
    return meeting


def test_an_invitation_is_a_request_in_berlin_time_with_a_stable_uid() -> None:
    cal = Calendar.from_ical(ics.invitation(_meeting(), "Europe/Berlin", NOW, "sachstand@example.org"))
    assert str(cal["METHOD"]) == "REQUEST" and str(cal["VERSION"]) == "2.0" and "PRODID" in cal
    [tz] = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Europe/Berlin" and tz.walk("DAYLIGHT") and tz.walk("STANDARD")
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == "abc@sachstand.example" and int(event["SEQUENCE"]) == 0
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event.decoded("DTSTART").strftime("%H:%M %Z") == "10:00 CEST"
    assert event.decoded("DTSTAMP") == NOW and str(event["STATUS"]) == "CONFIRMED"
    assert str(event["ORGANIZER"]) == "mailto:sachstand@example.org"
    # members see every accepted item, not the proposals
    assert str(event["DESCRIPTION"]) == "1. Sachstand der Empfehlungen\n2. Personalfrage"


def test_a_cancellation_keeps_the_uid_and_raises_the_sequence() -> None:
    cal = Calendar.from_ical(ics.invitation(_meeting(state="cancelled", sequence=3), "Europe/Berlin", NOW, "x@y"))
    [event] = cal.walk("VEVENT")
    assert str(cal["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == "abc@sachstand.example" and int(event["SEQUENCE"]) == 3


def test_a_feed_has_no_people_and_only_public_items() -> None:
    online = _meeting(uid="b@x", place="", online_url="https://meet.example.org/eg2")
    data = ics.feed([_meeting(), online], "EG2", "Europe/Berlin", NOW)
    cal = Calendar.from_ical(data)
    assert str(cal["METHOD"]) == "PUBLISH" and str(cal["X-WR-CALNAME"]) == "EG2"
    assert cal.decoded("REFRESH-INTERVAL").total_seconds() == 3600 and str(cal["X-PUBLISHED-TTL"]) == "PT1H"
    events = cal.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == ["abc@sachstand.example", "b@x"]
    assert all(str(e["DESCRIPTION"]) == "1. Sachstand der Empfehlungen" for e in events)
    assert str(events[1]["LOCATION"]) == str(events[1]["URL"]) == "https://meet.example.org/eg2"
    assert b"ORGANIZER" not in data and b"ATTENDEE" not in data and b"Personalfrage" not in data
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))  # folded as RFC 5545 asks
