"""The independent checkers catch what they are there for (tests/helpers/validators.py, libical.py):
each is shown the defect of issue #15 and must object — so that their 0 errors elsewhere mean something."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from tests.helpers import libical
from tests.helpers.validators import atom_errors, ical_js

FEED = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x:feed</id><title>T</title><updated>2026-11-23T09:00:00Z</updated>
{author}<entry><id>urn:x:1</id><title>E</title><updated>2026-11-23T09:00:00Z</updated>{content}</entry></feed>"""


def test_atom_rules_beyond_the_grammar() -> None:
    good = FEED.format(author="<author><name>Stadt</name></author>", content="<content>x</content>").encode()
    assert atom_errors(good) == []
    no_author = atom_errors(FEED.format(author="", content="<content>x</content>").encode())
    assert any("must have an atom:author" in e for e in no_author)  # the rule feedparser does not check
    no_content = atom_errors(FEED.format(author="<author><name>S</name></author>", content="").encode())
    assert any("atom:link element with a rel attribute of 'alternate'" in e for e in no_content)
    bad_date = FEED.format(author="<author><name>S</name></author>", content="<content>x</content>")
    assert atom_errors(bad_date.replace("2026-11-23T09:00:00Z</updated>\n", "gestern</updated>\n").encode())


def _one_rdate_line_calendar(method: str, attendee: bool) -> bytes:
    """What the bot wrote before: icalendar's VTIMEZONE with every transition in one RDATE line."""
    cal = Calendar()
    cal.add("prodid", "-//t//t//DE")
    cal.add("version", "2.0")
    cal.add("method", method)
    event = Event()
    event.add("uid", "u@x")
    event.add("dtstamp", datetime(2026, 11, 23, tzinfo=timezone.utc))
    event.add("dtstart", datetime(2027, 6, 15, 10, tzinfo=ZoneInfo("Europe/Berlin")))
    event.add("dtend", datetime(2027, 6, 15, 12, tzinfo=ZoneInfo("Europe/Berlin")))
    event.add("summary", "S")
    event.add("organizer", "mailto:s@x")
    if attendee:
        event.add("attendee", "mailto:a@x")
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def test_ical_js_misreads_a_one_line_rdate_vtimezone(tmp_path: Path) -> None:
    path = tmp_path / "old.ics"
    path.write_bytes(_one_rdate_line_calendar("PUBLISH", False))
    [event] = ical_js([path])[str(path)]
    truth = datetime(2027, 6, 15, 8, tzinfo=timezone.utc)  # 10:00 CEST
    read = datetime.fromisoformat(event["start"].replace("Z", "+00:00"))
    assert read - truth == timedelta(hours=1)  # the defect the per-transition VTIMEZONE removes


def test_libical_refuses_a_request_without_attendee() -> None:
    if not libical.available():
        import pytest

        pytest.skip("libical (Debian libical3) not installed")
    errors = libical.restriction_errors(_one_rdate_line_calendar("REQUEST", False))
    assert any("ATTENDEE" in e for e in errors)
    assert libical.restriction_errors(_one_rdate_line_calendar("REQUEST", True)) == []
