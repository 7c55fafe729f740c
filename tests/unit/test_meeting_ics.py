"""iCalendar output: RFC 5545 invitations and cancellations as iTIP (RFC 5546) REQUEST/CANCEL
with ORGANIZER and the members as ATTENDEEs; feeds (PUBLISH) with ORGANIZER and without
people or dial-in links; a VTIMEZONE that ical.js and Python read alike (tests/integration/
test_calendar_standards.py drives both parsers and libical over every calendar the bot makes)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from icalendar import Calendar

from bot.meetings import ics
from storage.models import AgendaItem, Body, Meeting, Membership, Person
from storage.models.bodies import MemberRole

UTC = timezone.utc
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DIAL_IN = "https://meet.example.org/eg2?pwd=4711geheim"


def _body() -> Body:
    body = Body(id=1, code="EG2", name="Expertengruppe Arbeit")
    body.memberships = [Membership(person_id=7, role=MemberRole.CHAIR, person=Person(id=7, handle="a", name="Anna Vorsitz")),
                        Membership(person_id=8, role=MemberRole.MEMBER, person=Person(id=8, handle="b", name="Ben Mitglied",
                                                                                      email="ben@example.org"))]
    return body


def _meeting(**kw: object) -> Meeting:
    start = datetime(2027, 3, 29, 8, 0, tzinfo=UTC)  # the day after the switch to summer time: 10:00 CEST
    values = dict(id=1, body_id=1, title="EG2 – Expertengruppe", starts_at=start,
                  ends_at=start + timedelta(minutes=90),
                  place="Rathaus, Raum 12", online_url="", state="invited", uid="abc@sachstand.example", sequence=0)
    values.update(kw)
    meeting = Meeting(**values)
    meeting.body = _body()
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


def test_an_invitation_names_every_member_as_attendee_without_their_email() -> None:
    data = ics.invitation(_meeting(), "Europe/Berlin", NOW, "sachstand@example.org")
    [event] = Calendar.from_ical(data).walk("VEVENT")
    attendees = event["ATTENDEE"]
    assert [(str(a.params["CN"]), a.params["ROLE"]) for a in attendees] == [
        ("Anna Vorsitz", "CHAIR"), ("Ben Mitglied", "REQ-PARTICIPANT")]
    assert [str(a) for a in attendees] == [ics.attendee_address("sachstand@example.org", 7),
                                           ics.attendee_address("sachstand@example.org", 8)]
    assert all(str(a).startswith("urn:uuid:") and a.params["PARTSTAT"] == "NEEDS-ACTION" for a in attendees)
    assert b"ben@example.org" not in data  # members see each other's names, not their addresses


def test_a_cancellation_keeps_the_uid_and_raises_the_sequence() -> None:
    cal = Calendar.from_ical(ics.invitation(_meeting(state="cancelled", sequence=3), "Europe/Berlin", NOW, "x@y"))
    [event] = cal.walk("VEVENT")
    assert str(cal["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == "abc@sachstand.example" and int(event["SEQUENCE"]) == 3
    assert str(event["ORGANIZER"]) == "mailto:x@y" and len(event["ATTENDEE"]) == 2  # RFC 5546 3.2.5


def test_a_feed_has_no_people_no_dial_in_link_and_only_public_items() -> None:
    online = _meeting(uid="b@x", place="", online_url=DIAL_IN)
    both = _meeting(uid="c@x", online_url=DIAL_IN)
    data = ics.feed([_meeting(), online, both], "EG2", "Europe/Berlin", NOW, "sachstand@example.org")
    cal = Calendar.from_ical(data)
    assert str(cal["METHOD"]) == "PUBLISH" and str(cal["X-WR-CALNAME"]) == "EG2"
    assert cal.decoded("REFRESH-INTERVAL").total_seconds() == 3600 and str(cal["X-PUBLISHED-TTL"]) == "PT1H"
    events = cal.walk("VEVENT")
    assert [str(e["UID"]) for e in events] == ["abc@sachstand.example", "b@x", "c@x"]
    assert all(str(e["DESCRIPTION"]) == "1. Sachstand der Empfehlungen" for e in events)
    assert [str(e["LOCATION"]) for e in events] == ["Rathaus, Raum 12", "Online", "Rathaus, Raum 12"]
    assert all("URL" not in e for e in events)
    unfolded = data.replace(b"\r\n ", b"")
    assert b"meet.example.org" not in unfolded and b"4711geheim" not in unfolded  # the link and its PIN
    assert all(str(e["ORGANIZER"]) == "mailto:sachstand@example.org" for e in events)  # RFC 5546 3.2.1
    assert b"ATTENDEE" not in data and b"Personalfrage" not in data and b"Mitglied" not in data
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))  # folded as RFC 5545 asks


def test_the_same_feed_twice_is_the_same_bytes() -> None:
    """A feed's DTSTAMP is the meeting's last change, not the request's time: ETag and 304 work."""
    changed = datetime(2026, 11, 1, 12, tzinfo=UTC)
    first = ics.feed([_meeting(updated_at=changed)], "EG2", "Europe/Berlin", NOW, "s@x")
    later = ics.feed([_meeting(updated_at=changed)], "EG2", "Europe/Berlin", NOW + timedelta(hours=5), "s@x")
    assert first == later and b"DTSTAMP:20261101T120000Z" in first


def test_the_vtimezone_has_one_component_per_transition_with_the_local_onset() -> None:
    moments = [datetime(2027, 1, 10, 9, tzinfo=UTC), datetime(2027, 7, 10, 9, tzinfo=UTC)]
    tz = ics.vtimezone("Europe/Berlin", moments)
    parts = [(p.name, p.decoded("DTSTART"), p["TZOFFSETFROM"].td, p["TZOFFSETTO"].td) for p in tz.subcomponents]
    assert "RDATE" not in tz.to_ical().decode()
    h = timedelta(hours=1)
    assert ("DAYLIGHT", datetime(2027, 3, 28, 2, 0), h, 2 * h) in parts  # 02:00 CET becomes 03:00 CEST
    assert ("STANDARD", datetime(2027, 10, 31, 3, 0), 2 * h, h) in parts  # 03:00 CEST becomes 02:00 CET
    assert len(parts) == 1 + 2 * 3  # 2026 to 2028
    # the zone it describes is the zone: every hour of 2027 has the offset zoneinfo gives
    zone, described = ZoneInfo("Europe/Berlin"), tz.to_tz()
    for hour in range(0, 365 * 24, 7):
        moment = datetime(2027, 1, 1, tzinfo=UTC) + timedelta(hours=hour)
        assert moment.astimezone(described).utcoffset() == moment.astimezone(zone).utcoffset(), moment


def test_sec2_f8_a_body_name_with_line_breaks_stays_one_calendar_name() -> None:
    """Second outside attack, F8: a body name with CRLF (from an import) made /calendar/EG8.ics a 500."""
    import icalendar

    from bot.meetings.ics import feed
    data = feed([], "EG8 – angle\r\nEND:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:INJECTED\r\nEND:VEVENT\rX",
                "Europe/Berlin", datetime(2027, 1, 11, tzinfo=timezone.utc))
    cal = icalendar.Calendar.from_ical(data)
    assert "INJECTED" in str(cal["X-WR-CALNAME"]) and "\n" not in str(cal["X-WR-CALNAME"])
    assert not [c for c in cal.walk("VEVENT")] and data.count(b"BEGIN:VCALENDAR") == 1
