"""Meetings as a body lives them (issue #6, "must show"): a date poll run to a confirmed
meeting, invitations with a valid .ics, RSVPs counted, a reschedule (SEQUENCE+1) and a
cancellation (METHOD:CANCEL); agenda; compliance in `gremium EG2`.

EG2 (room #eg-arbeit-wirtschaft): beispiel chairs; ersatz (English), testmann, vorschau,
skizze and attrappe are members; koordination is a coordinator. The clock starts on
Monday 23.11.2026 09:00 UTC.
"""
from __future__ import annotations

import itertools

import pytest
from icalendar import Calendar

from bot.core.events import ChannelRef, IncomingMessage, OutgoingMessage, PersonRef
from storage.models import Meeting
from tests.helpers.harness import Bot, make_settings

# the whole flow once on SQLite and once on PostgreSQL
pytestmark = pytest.mark.parametrize("db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                                     indirect=True)
ROOM = "#eg-arbeit-wirtschaft"
MEMBERS = ("beispiel", "ersatz", "testmann", "vorschau", "skizze", "attrappe")
_clicks = itertools.count(1)


async def click(bot: Bot, user: str, value: str, room: str = ROOM, kind: str = "action") -> list[OutgoingMessage]:
    """A button press (Slack) or reaction (Matrix) arrives as the choice's value."""
    before = len(bot.transport.sent)
    event = IncomingMessage(ChannelRef("console", room), PersonRef("console", user), value, f"click{next(_clicks)}",
                            kind=kind, addressed=False)  # type: ignore[arg-type]
    await bot.app.dispatch(event)
    await bot.app.settle()
    return bot.transport.sent[before:]


def ics_of(message: OutgoingMessage) -> Calendar:
    [attachment] = message.attachments
    assert attachment.mimetype.startswith("text/calendar")
    return Calendar.from_ical(attachment.data)


def event_of(cal: Calendar):  # noqa: ANN201
    [event] = cal.walk("VEVENT")
    return event


def meeting_row(bot: Bot) -> Meeting:
    with bot.app.uow_factory() as uow:
        meeting = uow.session.query(Meeting).one()
        uow.session.expunge(meeting)
        return meeting


async def test_poll_to_meeting_invitation_rsvp_change_cancel(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        planned = await bot.text("beispiel", "sitzung planen EG2")
        assert "Terminvorschläge für EG2" in planned
        assert "1) " in planned and "5) " in planned  # five candidates (config: candidates = 5)

        await bot.say("beispiel", "umfrage EG2")
        [poll] = [m for m in bot.transport.sent if m.channel and m.channel.id == ROOM]
        assert len(poll.choices) == 5
        assert poll.choices[2].value == "abstimmen EG2 +3" and poll.choices[2].key == "3"

        # votes: typed in the room, a click, a reaction and typed in a DM
        typed = await bot.say("testmann", "abstimmen 1 3", room=ROOM)
        # confirmed by DM: the poll stays the room's latest question (Matrix maps reactions to it)
        assert bot.to(ROOM, typed) == [] and "Optionen 1, 3" in bot.to("dm:testmann", typed)[0]
        await click(bot, "ersatz", "abstimmen EG2 +3")
        await click(bot, "vorschau", "abstimmen EG2 +2", kind="reaction")
        await click(bot, "vorschau", "abstimmen EG2 +3", kind="reaction")
        assert "Optionen 3" in await bot.text("beispiel", "abstimmen EG2 3")
        # a non-member may not vote
        assert "Nur Mitglieder von EG2" in await bot.text("mustermann", "abstimmen EG2 1")

        tally = await bot.text("beispiel", "umfrage EG2")  # asked again: where the votes stand
        assert "1) " + poll.choices[0].label + ": 1 Stimme – Paul Testmann" in tally
        assert "3) " + poll.choices[2].label + ": 4 Stimmen" in tally
        assert "4) " + poll.choices[3].label + ": 0 Stimmen" in tally

        before = len(bot.transport.sent)
        await bot.say("beispiel", "sitzung festlegen", room=ROOM)
        sent = bot.transport.sent[before:]
        invitations = [m for m in sent if m.attachments]
        # the room and each of the six members by DM, each with the calendar file
        assert {m.channel.id for m in invitations} == {ROOM, *(f"dm:{h}" for h in MEMBERS)}
        meeting = meeting_row(bot)
        winner = poll.choices[2].label
        assert winner.split()[1] in invitations[0].text()  # the date with most votes (option 3)
        assert "Sachstand der Empfehlungen" in invitations[0].text()
        to_ersatz = next(m for m in invitations if m.channel.id == "dm:ersatz")
        assert "Invitation" in to_ersatz.text() and "accept" not in to_ersatz.text().split("Invitation")[0]
        assert [c.value for c in to_ersatz.choices] == [f"zusagen {meeting.id}", f"absagen {meeting.id}",
                                                        f"vielleicht {meeting.id}"]
        assert [c.key for c in to_ersatz.choices] == ["✅", "❌", "❔"]  # reactions on Matrix
        cal = ics_of(to_ersatz)
        assert str(cal["METHOD"]) == "REQUEST"
        assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
        event = event_of(cal)
        assert str(event["UID"]) == meeting.uid and int(event["SEQUENCE"]) == 0
        assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
        assert event.decoded("DTSTART") == meeting.starts_at
        assert event.decoded("DTEND") - event.decoded("DTSTART") == meeting.ends_at - meeting.starts_at
        assert "DTSTAMP" in event and "ORGANIZER" in event

        # RSVPs: typed in a DM, a button in the room, typed in the room
        assert "kommt zu EG2" in await bot.text("testmann", "zusagen")
        await click(bot, "ersatz", f"absagen {meeting.id}")
        answered = await bot.say("vorschau", "vielleicht", room=ROOM)
        assert bot.to(ROOM, answered) == [] and "kommt vielleicht" in bot.to("dm:vorschau", answered)[0]
        await bot.say("vorschau", "vielleicht", room=ROOM)  # answering again changes nothing
        status = await bot.text("koordination", "sitzung EG2")
        assert "Antworten: 1 ja, 1 nein, 1 vielleicht, 3 noch nicht." in status
        assert "Ja: Paul Testmann" in status and "Nein: Lena Ersatz" in status and "Vielleicht: " in status
        # members see the counts, not the names
        member_view = await bot.text("skizze", "sitzung EG2")
        assert "1 ja, 1 nein" in member_view and "Testmann" not in member_view

        # a new time: everyone invited is told, with the same UID and SEQUENCE 1
        before = len(bot.transport.sent)
        await bot.say("beispiel", "sitzung verschieben EG2 17.12.2026 14:00 2h")
        changed = [m for m in bot.transport.sent[before:] if m.attachments]
        assert {m.channel.id for m in changed} == {ROOM, *(f"dm:{h}" for h in MEMBERS)}
        event = event_of(ics_of(changed[0]))
        assert str(event["UID"]) == meeting.uid and int(event["SEQUENCE"]) == 1
        assert event.decoded("DTSTART").strftime("%d.%m.%Y %H:%M") == "17.12.2026 14:00"
        assert "Neue Zeit" in changed[0].text()
        # a new place only (an online link is allowed)
        await bot.say("beispiel", "sitzung verschieben EG2 https://meet.example.org/eg2")
        assert meeting_row(bot).online_url == "https://meet.example.org/eg2"
        assert meeting_row(bot).sequence == 2

        # cancellation: METHOD:CANCEL, SEQUENCE 3, to everyone invited
        before = len(bot.transport.sent)
        await bot.say("beispiel", "sitzung absagen EG2")
        cancelled = [m for m in bot.transport.sent[before:] if m.attachments]
        assert {m.channel.id for m in cancelled} == {ROOM, *(f"dm:{h}" for h in MEMBERS)}
        cal = ics_of(cancelled[0])
        assert str(cal["METHOD"]) == "CANCEL"
        event = event_of(cal)
        assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 3
        assert str(event["UID"]) == meeting.uid
        assert "findet nicht statt" in cancelled[0].text()
        assert "keine Sitzung geplant" in await bot.text("koordination", "sitzung EG2")
