"""Every calendar the bot makes, read by independent parsers (issue #15).

Meetings in winter and in summer (and one moved from winter into summer, one cancelled):
each invitation, update and cancellation the members receive, and the public feeds of one
body and of all bodies, are read by ical.js (as web calendars read them) and by Python
(icalendar, from the file's own VTIMEZONE): each event's UTC start and end must be the
meeting's. libical's iTIP restriction check (RFC 5546) finds nothing to object to; the
invitation names the organizer and its recipient as attendee, updates and cancellations
keep the UID and raise the SEQUENCE. The public feeds never carry the dial-in link with
its PIN, answer conditional GETs with 304 and are open to other origins (CORS)."""
from __future__ import annotations

from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from icalendar import Calendar

from bot.meetings import ics
from storage.models import Meeting
from tests.helpers import libical
from tests.helpers.harness import Bot, make_settings
from tests.helpers.validators import ical_js

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
UTC = timezone.utc
DIAL_IN = "https://meet.example.org/eg3?pwd=4711geheim"
ORGANIZER = "mailto:sachstand@127.0.0.1"  # web.public_base_url's host


def _python_times(data: bytes) -> dict[str, tuple[datetime, datetime]]:
    """UID → UTC start and end, the local times resolved by the file's VTIMEZONE (not by name)."""
    cal = Calendar.from_ical(data)
    zones = {str(tz["TZID"]): tz.to_tz() for tz in cal.walk("VTIMEZONE")}
    out = {}
    for event in cal.walk("VEVENT"):
        times = []
        for key in ("DTSTART", "DTEND"):
            prop = event[key]
            zone = zones[prop.params["TZID"]]
            naive = prop.dt.replace(tzinfo=None)
            local = zone.localize(naive) if hasattr(zone, "localize") else naive.replace(tzinfo=zone)
            times.append(local.astimezone(UTC))
        out[str(event["UID"])] = (times[0], times[1])
    return out


def _meetings(bot: Bot) -> dict[str, tuple[datetime, datetime, int, str]]:
    with bot.app.uow_factory() as uow:
        return {m.uid: (_utc(m.starts_at), _utc(m.ends_at), m.sequence, m.state)
                for m in uow.session.query(Meeting).all()}


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _person_ids(bot: Bot) -> dict[str, int]:
    with bot.app.uow_factory() as uow:
        return {p.handle: p.id for p in uow.people.all()}


async def _fetch(base: str, path: str, **headers: str) -> tuple[int, bytes, Any]:
    async with aiohttp.ClientSession() as http, http.get(base + path, headers=headers) as resp:
        return resp.status, await resp.read(), resp.headers.copy()


async def test_every_calendar_reads_the_same_in_ical_js_python_and_libical(db_url: str, tmp_path: Path) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        handles = _person_ids(bot)
        produced: list[tuple[str, bytes, str | None, dict[str, Any]]] = []  # (kind, data, recipient, truth)

        async def act(user: str, command: str) -> None:
            sent = await bot.say(user, command)
            truth = _meetings(bot)
            invitations = [(m, a) for m in sent for a in m.attachments if a.mimetype.startswith("text/calendar")]
            assert invitations, command
            for message, attachment in invitations:
                recipient = message.channel.id.removeprefix("dm:") if message.channel.id.startswith("dm:") else None
                produced.append(("invitation", attachment.data, recipient, truth))

        await act("beispiel", 'sitzung anlegen EG2 14.01.2027 10:00 90min "Rathaus, Raum 12"')  # winter, CET
        await act("koordination", f'sitzung anlegen EG3 15.06.2027 10:00 2h "{DIAL_IN}"')  # summer, CEST
        await act("beispiel", "sitzung verschieben EG2 06.07.2027 14:00 2h")  # from winter into summer
        await act("exempel", "sitzung anlegen EG3 11.11.2027 09:30 1h")  # after the switch back to CET
        feeds = {}
        for code in ("EG2", "EG3", "all"):
            status, data, headers = await _fetch(base, f"calendar/{code}.ics")
            assert status == 200 and headers["Content-Type"].startswith("text/calendar")
            feeds[code] = (data, headers)
            produced.append(("feed", data, None, _meetings(bot)))
        await act("koordination", "sitzung absagen EG2")  # the cancellation, in summer

        files = []
        for i, (kind, data, _, _) in enumerate(produced):
            files.append(tmp_path / f"{i:02d}-{kind}.ics")
            files[-1].write_bytes(data)
        read_by_js = ical_js(files)

        months = set()
        last_sequence: dict[str, int] = {}
        for path, (kind, data, _, truth) in zip(files, produced):
            cal = Calendar.from_ical(data)
            events = cal.walk("VEVENT")
            assert events, path.name
            by_python = _python_times(data)
            by_js = {e["uid"]: (datetime.fromisoformat(e["start"].replace("Z", "+00:00")),
                                datetime.fromisoformat(e["end"].replace("Z", "+00:00")))
                     for e in read_by_js[str(path)]}
            for event in events:
                uid = str(event["UID"])
                start, end, _, _ = truth[uid]
                assert by_js[uid] == by_python[uid] == (start, end), (path.name, uid)
                months.add(start.month)
        assert {1, 6, 7, 11} <= months  # winter and summer meetings were compared
        print(f"ical.js = Python = database: {len(files)} calendars, {sum(len(v) for v in read_by_js.values())} events")

        for path, (kind, data, recipient, truth) in zip(files, produced):
            cal = Calendar.from_ical(data)
            events = cal.walk("VEVENT")
            if libical.available():
                assert libical.restriction_errors(data) == [], path.name  # libical's RFC 5546 table
            assert all(str(e["ORGANIZER"]) == ORGANIZER for e in events)  # REQUEST, CANCEL and PUBLISH

            method = str(cal["METHOD"])
            if kind == "feed":
                assert method == "PUBLISH" and b"ATTENDEE" not in data
                unfolded = data.replace(b"\r\n ", b"")
                assert b"meet.example.org" not in unfolded and b"4711geheim" not in unfolded, path.name
                continue
            [event] = events
            uid, sequence = str(event["UID"]), int(event["SEQUENCE"])
            assert sequence >= last_sequence.get(uid, 0)  # an update or cancellation never goes back
            last_sequence[uid] = sequence
            assert sequence == truth[uid][2]
            assert method == ("CANCEL" if truth[uid][3] == "cancelled" else "REQUEST")
            assert (str(event["STATUS"]) == "CANCELLED") == (method == "CANCEL")
            attendees = [str(a) for a in event.get("ATTENDEE", [])]
            assert attendees, path.name
            if recipient:  # the member who received it is among the attendees
                assert ics.attendee_address("sachstand@127.0.0.1", handles[recipient]) in attendees
        eg3_invitation = next(d for k, d, _, t in produced if k == "invitation" and b"EG3" in d)
        assert DIAL_IN.encode() in eg3_invitation.replace(b"\r\n ", b"")  # the members have the link

        # the public feeds: ETag and Last-Modified, 304 for a client that has them, CORS
        headers = feeds["all"][1]
        assert headers["Access-Control-Allow-Origin"] == "*" and headers["ETag"] and headers["Last-Modified"]
        status, _, again = await _fetch(base, "calendar/all.ics")
        assert status == 200 and again["ETag"] != headers["ETag"]  # the cancellation changed the feed
        assert (await _fetch(base, "calendar/all.ics", **{"If-None-Match": again["ETag"]}))[0] == 304
        assert (await _fetch(base, "calendar/all.ics", **{"If-Modified-Since": again["Last-Modified"]}))[0] == 304
        stale = format_datetime(datetime(2026, 1, 1, tzinfo=UTC), usegmt=True)
        assert (await _fetch(base, "calendar/all.ics", **{"If-Modified-Since": stale}))[0] == 200
        assert (await _fetch(base, "calendar/NOPE.ics"))[0] == 404
        if not libical.available():
            pytest.skip("all else passed; libical (Debian libical3) is missing for the iTIP restriction check")
