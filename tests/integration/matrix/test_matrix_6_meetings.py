"""A meeting of EG2 on a real Synapse (issue #6): planned and put to a date poll in the body's
room (the catalog names it by its alias), voted on by reaction, fixed by the chair; the invitation
reaches the room and each member's encrypted direct room with its `.ics` file attached; members
answer by poll in their encrypted direct room (issue #14: no plaintext reactions there), by typing
in the room and by typing in their direct room; `sitzung EG2` shows the answers.

koordination (the office) and the EG2 members beispiel (chair), testmann and ersatz (English) act
here; EG2's other members get accounts so the bot can reach them too.
"""
from __future__ import annotations

import asyncio
import re
from zoneinfo import ZoneInfo

import pytest
from conftest import BOT, PASSWORD
from helpers_matrix import bot_message, bot_reaction, planning_period
from helpers_polls import answer_ids, bot_poll, poll_of, vote
from icalendar import Calendar
from matrix_member import Member, Seen
from nio import RoomResolveAliasResponse
from nio.crypto.attachments import decrypt_attachment

from storage.models import DatePoll, Meeting, OutboxMessage, Person, PollVote, Rsvp

pytestmark = pytest.mark.matrix
ALIAS = "#koeln-eg-arbeit-wirtschaft:koeln.example"  # EG2's room in examples/koeln.yaml
KEYCAPS = [f"{n}\ufe0f\u20e3" for n in range(1, 6)]  # 1️⃣ … 5️⃣: the five proposed dates
YES, NO, MAYBE = "✅", "❌", "❔"
OTHER_MEMBERS = ("vorschau", "skizze", "attrappe")  # members of EG2 nobody logs in as here
EG2_MEMBERS = ("beispiel", "ersatz", "testmann", *OTHER_MEMBERS)


async def _in_room(m: Member, room: str, user: str, timeout: float = 60) -> None:
    """Until `m`'s client knows `user` as joined to `room`."""
    async def joined() -> None:
        while not (room in m.client.rooms and user in m.client.rooms[room].users):
            await asyncio.sleep(0.1)
    await asyncio.wait_for(joined(), timeout)


async def _eg2_room(k: Member, guests: list[Member]) -> str:
    """EG2's room under its catalog alias: created by the office here, or the one an earlier test
    (test_a_bodys_room_is_addressed_by_its_alias_from_the_catalog) created with the bot in it."""
    resolved = await k.client.room_resolve_alias(ALIAS)
    if isinstance(resolved, RoomResolveAliasResponse):
        room = resolved.room_id
        await k.client.join(room)
        for guest in guests:
            await k.client.room_invite(room, guest.user_id)  # an error if already there: fine
    else:
        created = await k.client.room_create(alias=ALIAS[1:].split(":", 1)[0],
                                             invite=[BOT, *(g.user_id for g in guests)])
        room = created.room_id
    for user in (BOT, *(g.user_id for g in guests)):
        await _in_room(k, room, user)
    for guest in guests:
        await _in_room(guest, room, guest.user_id)
    return room


def _from_bot(room: str | None = None, contains: str = "", msgtype: str = "", outside: str = ""):  # type: ignore[no-untyped-def]
    def check(s: Seen) -> bool:
        return (s.sender == BOT and s.type == "m.room.message" and (room is None or s.room_id == room)
                and (not outside or s.room_id != outside) and contains in s.body
                and (not msgtype or s.content.get("msgtype") == msgtype))
    return check


async def _calendar(m: Member, file: Seen) -> Calendar:
    """The .ics of an m.file event, downloaded (and decrypted, in an encrypted room) as Element does."""
    content = file.content
    assert content["msgtype"] == "m.file", content
    assert content["info"]["mimetype"].startswith("text/calendar"), content
    assert content["body"].endswith(".ics")
    if "file" in content:  # encrypted room: the keys travel in the (encrypted) event
        keys = content["file"]
        downloaded = await m.client.download(keys["url"])
        data = decrypt_attachment(downloaded.body, keys["key"]["k"], keys["hashes"]["sha256"], keys["iv"])
    else:
        downloaded = await m.client.download(content["url"])
        data = downloaded.body
    return Calendar.from_ical(data)


async def test_a_meeting_planned_polled_by_reaction_and_answered_on_matrix(bot, synapse, member_factory) -> None:  # type: ignore[no-untyped-def]
    for name in OTHER_MEMBERS:  # every member of EG2 has an account: each gets the invitation by DM
        synapse.register(name, PASSWORD.format(name))
    with bot.uow() as uow:
        eg2 = uow.bodies.by_code("EG2").id
        assert not uow.session.query(Meeting).filter_by(body_id=eg2).count(), "EG2 has a meeting already"
        first_row = max([r.id for r in uow.session.query(OutboxMessage)], default=0)
    async with member_factory("koordination") as k, member_factory("beispiel") as b, \
            member_factory("testmann") as t, member_factory("ersatz") as e:
        room = await _eg2_room(k, [b, t])

        # the office plans: five dates in a period clear of the holidays, then the poll in the room
        mark = k.mark()
        asked = await k.say(room, f"!s sitzung planen EG2 {planning_period()}")
        planned = await k.wait_for(bot_message(room, asked, "Terminvorschläge für EG2"), mark)
        proposed = _options(planned.body)
        assert [o[:3] for o in proposed] == ["1) ", "2) ", "3) ", "4) ", "5) "], planned.body  # [meetings] candidates
        await k.say(room, "!s umfrage EG2")
        poll = await k.wait_for(bot_message(room, contains="Terminumfrage für die nächste Sitzung von EG2"), mark)
        for key in KEYCAPS:  # the dates are offered as reactions on the poll
            await t.wait_for(bot_reaction(room, poll.event_id, key))
        assert _options(poll.body) == proposed, poll.body  # the dates proposed, numbered
        assert "abstimmen 1 3" in poll.body, poll.body

        # members vote by reaction; each is confirmed by DM, so the poll stays the room's question
        t_mark, b_mark = t.mark(), b.mark()
        voting = b_mark
        await t.react(room, poll.event_id, KEYCAPS[2])
        await b.react(room, poll.event_id, KEYCAPS[4])
        await b.react(room, poll.event_id, KEYCAPS[2])
        noted = await t.wait_for(_from_bot(contains="Notiert, Paul Testmann: Optionen 3.", outside=room), t_mark)
        t_dm = noted.room_id
        assert noted.event.decrypted and set(t.client.rooms[t_dm].users) == {BOT, t.user_id}
        await b.wait_for(_from_bot(contains="Notiert, Ayşe Beispiel: Optionen 3, 5.", outside=room), b_mark)
        with bot.uow() as uow:
            open_poll = uow.session.query(DatePoll).filter_by(body_id=eg2, state="open").one()
            votes = {(o.position, uow.session.get(Person, v.person_id).handle) for o in open_poll.options
                     for v in uow.session.query(PollVote).filter_by(option_id=o.id)}
            assert votes == {(3, "testmann"), (3, "beispiel"), (5, "beispiel")}, votes
            third = next(o for o in open_poll.options if o.position == 3)
            third_starts, poll_id = third.starts_at, open_poll.id

        # the chair fixes the meeting: the date with most votes; the invitation goes to the room …
        mark, t_mark, e_mark = b.mark(), t.mark(), e.mark()
        await b.say(room, "!s sitzung festlegen EG2")
        invitation = await b.wait_for(bot_message(room, contains="Einladung: EG2"), mark)
        assert "Sachstand der Empfehlungen" in invitation.body  # the standing agenda item
        for key in (YES, NO, MAYBE):
            await b.wait_for(bot_reaction(room, invitation.event_id, key), mark)
        room_file = await b.wait_for(_from_bot(room, msgtype="m.file"), mark)
        # nothing else in the room since the votes (the outbox keeps order: a vote's answer would be earlier)
        assert [s.event_id for s in b.after(voting, room, BOT, "m.room.message")] == [
            invitation.event_id, room_file.event_id]
        with bot.uow() as uow:
            meeting = uow.session.query(Meeting).filter_by(body_id=eg2).one()
            assert meeting.state == "invited" and meeting.starts_at == third_starts
            assert uow.session.get(DatePoll, poll_id).state == "closed"
            uid, starts, ends, meeting_id = meeting.uid, meeting.starts_at, meeting.ends_at, meeting.id
            meeting_number = meeting.number
        # the words to type name this very meeting (findings-meet2 F17)
        words = [f"„{word} EG2 {meeting_number}“" for word in ("zusagen", "absagen", "vielleicht")]
        assert f"{words[0]}, {words[1]} oder {words[2]}" in invitation.body, invitation.body
        assert f"{starts.astimezone(ZoneInfo('Europe/Berlin')):%d.%m.%Y}" in invitation.body, invitation.body
        cal = await _calendar(b, room_file)
        assert str(cal["METHOD"]) == "REQUEST"
        [event] = cal.walk("VEVENT")
        assert str(event["UID"]) == uid and int(event["SEQUENCE"]) == 0
        assert event.decoded("DTSTART") == starts and event.decoded("DTEND") == ends
        assert event["DTSTART"].params["TZID"] == "Europe/Berlin"

        # … and to each member in an encrypted direct room, with the same calendar entry
        dm_invitation = await t.wait_for(_from_bot(t_dm, "Einladung: EG2"), t_mark)
        assert dm_invitation.event.decrypted
        rsvp_poll = await t.wait_for(bot_poll(t_dm, "Einladung: EG2"), t_mark)  # encrypted: a poll
        assert rsvp_poll.event.decrypted and list(answer_ids(rsvp_poll.content)) == ["Ja", "Nein", "Vielleicht"]
        assert poll_of(rsvp_poll.content)["max_selections"] == 1
        assert not t.after(t_mark, t_dm, BOT, "m.reaction")
        dm_file = await t.wait_for(_from_bot(t_dm, msgtype="m.file"), t_mark)
        assert dm_file.event.decrypted and "file" in dm_file.content and "url" not in dm_file.content
        cal = await _calendar(t, dm_file)
        assert str(cal["METHOD"]) == "REQUEST" and str(cal.walk("VEVENT")[0]["UID"]) == uid

        # ersatz reads English: the invitation in her direct room is in English, with the same entry
        e_invitation = await e.wait_for(_from_bot(contains="Invitation: EG2", outside=room), e_mark)
        e_dm = e_invitation.room_id
        assert e_invitation.event.decrypted and "Einladung" not in e_invitation.body
        cal = await _calendar(e, await e.wait_for(_from_bot(e_dm, msgtype="m.file"), e_mark))
        assert str(cal.walk("VEVENT")[0]["UID"]) == uid

        # answers: testmann taps „Ja“ in the poll in his direct room, the chair types „absagen“ in the
        # room, ersatz types "!maybe" in her direct room
        t_mark, b_mark, e_mark, mark = t.mark(), b.mark(), e.mark(), k.mark()
        await vote(t, t_dm, rsvp_poll, "Ja")
        await t.wait_for(_from_bot(t_dm, "Paul Testmann kommt zu EG2 am"), t_mark)
        await b.say(room, "!s absagen")
        b_dm = (await b.wait_for(_from_bot(contains="Ayşe Beispiel kommt nicht zu EG2 am", outside=room),
                                 b_mark)).room_id
        assert b_dm != room
        # a round question may still be open in her DM (earlier tests in the session leave one), and a
        # bare "maybe" would answer that; the leading "!" makes any input a command (README)
        said = await e.say(e_dm, "!maybe")
        await e.wait_for(bot_message(e_dm, said, "Lena Ersatz may come to EG2 on"), e_mark)  # a reply
        with bot.uow() as uow:
            rsvps = {uow.session.get(Person, r.person_id).handle: r.answer
                     for r in uow.session.query(Rsvp).filter_by(meeting_id=meeting_id)}
            assert rsvps == {"testmann": "yes", "beispiel": "no", "ersatz": "maybe"}, rsvps

        # the office asks in the room: counts and, for the office, the names
        asked = await k.say(room, "!s sitzung EG2")
        status = await k.wait_for(bot_message(room, asked), mark)
        assert "Antworten: 1 ja, 1 nein, 1 vielleicht, 3 noch nicht." in status.body, status.body
        assert "Ja: Paul Testmann" in status.body and "Nein: Ayşe Beispiel" in status.body, status.body
        assert "Vielleicht: Lena Ersatz" in status.body, status.body
        # the answers were confirmed privately: in the room, only the status answered the office
        in_room = [s.body[:50] for s in k.after(mark, room, BOT, "m.room.message")]
        assert len(in_room) == 1, in_room

    with bot.uow() as uow:  # every member of EG2 was sent the invitation by DM (the file is not kept)
        to_people = {row.payload["to_person"]: row.state for row in uow.session.query(OutboxMessage)
                     .filter(OutboxMessage.id > first_row)
                     if row.payload["meta"].get("template") == "meeting_invitation" and row.payload["direct"]}
        assert to_people == {f"@{n}:koeln.example": "sent" for n in EG2_MEMBERS}, to_people


def _options(body: str) -> list[str]:
    """The numbered dates of a proposal or poll: ["1) Mo. 07.12.2026 09:00–10:30", …]."""
    return [line.strip(" •-*") for line in body.splitlines() if re.match(r"^\W*\d\) ", line)]
