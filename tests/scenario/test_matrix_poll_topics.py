"""Polls of different questions are independent (the Matrix tester's findings F7 and F3, issue #14).

The real App sends through the Matrix transport's own Sender and question memory (the
database), as into encrypted direct rooms: every choice is a native poll. The homeserver is a
recording fake; votes are poll responses parsed by the transport's parser, as Element sends them.

- F7: a meeting invitation arriving mid-conversation must not end the step's open poll; the
  next typed answer must not end the invitation's attendance poll; a "Ja" vote on it is an RSVP
  (recorded, confirmed); a vote on a poll that has ended is told so, not silently dropped.
- F3: a refused answer leaves the step's poll open (no "✓", no second poll) and names the
  options once.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import pytest
from nio import UploadResponse
from sqlalchemy import select

from bot.core.events import ChannelRef, IncomingMessage, OutgoingMessage, PersonRef
from bot.transports.matrix import polls
from bot.transports.matrix.memory import QuestionMemory
from bot.transports.matrix.outgoing import Sender
from bot.transports.matrix.parse import Addressing, parse_event
from storage.models import Meeting, Rsvp
from tests.helpers.harness import Bot, MemoryTransport, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
HOW = Addressing("@sachstand:koeln.example", ("!s",))
_events = itertools.count(1)


@dataclass
class FakeClient:
    async def upload(self, data: Any, content_type: str = "", filename: str = "", encrypt: bool = False,
                     filesize: int = 0) -> tuple[UploadResponse, dict[str, Any] | None]:
        return UploadResponse(f"mxc://koeln.example/{next(_events)}"), ({"key": {}} if encrypt else None)


@dataclass
class PollTransport(MemoryTransport):
    """The memory transport, but sending like Matrix in encrypted rooms: polls, poll ends."""

    events: list[tuple[str, str, str, dict[str, Any]]] = field(default_factory=list)  # room, id, type, content
    memory: QuestionMemory | None = None

    async def send(self, message: OutgoingMessage) -> str | None:
        self.sent.append(message)
        assert self.memory is not None and message.channel is not None
        sender = Sender(self._room_send, self.memory, lambda: b"secret")
        return await sender.send(FakeClient(), message.channel.id, message, "", encrypted=True)  # type: ignore[arg-type]

    async def _room_send(self, client: Any, room_id: str, kind: str, content: dict[str, Any],
                         txn_id: str | None) -> str:
        event_id = f"${next(_events)}"
        self.events.append((room_id, event_id, kind, content))
        return event_id

    def polls(self, room: str) -> list[tuple[str, dict[str, Any]]]:
        return [(e, c[polls.START[0]]) for r, e, k, c in self.events if r == room and k == polls.START[0]]

    def ends(self, room: str) -> dict[str, str]:
        """poll id → the text of its end"""
        return {c["m.relates_to"]["event_id"]: c["body"] for r, _e, k, c in self.events
                if r == room and k == polls.END[0]}


async def vote(bot: Bot, user: str, poll_id: str, label: str) -> list[OutgoingMessage]:
    """A poll response as Element sends it, read by the transport's parser and dispatched."""
    transport = bot.transport
    assert isinstance(transport, PollTransport) and transport.memory is not None
    room = f"dm:{user}"
    poll = dict(transport.polls(room))[poll_id]
    answer = next(a["id"] for a in poll["answers"] if a["body"] == label)
    source = {"type": polls.RESPONSE[0], "sender": user, "event_id": f"$vote{next(_events)}",
              "content": {"m.relates_to": {"rel_type": "m.reference", "event_id": poll_id},
                          polls.RESPONSE[0]: {"answers": [answer]}}}
    asked = await transport.memory.lookup(poll_id, room)
    parsed = parse_event(source, room, True, HOW, question=lambda _id: asked)
    assert parsed is not None
    before = len(transport.sent)
    await bot.app.dispatch(IncomingMessage(ChannelRef("console", room, True), PersonRef("console", user),
                                           parsed.text, parsed.event_id, kind=parsed.kind))
    await bot.app.settle()
    return transport.sent[before:]


def matrix_bot(db_url: str) -> Bot:
    transport = PollTransport(formats=("plain", "matrix"))
    bot = Bot(make_settings(db_url), transport=transport)
    transport.memory = QuestionMemory(bot.app.uow_factory, bot.app.run_sync, "console")
    return bot


async def test_an_invitation_and_a_step_are_independent_polls_and_a_late_vote_is_told(db_url: str) -> None:
    async with matrix_bot(db_url) as bot:
        t: PollTransport = bot.transport  # type: ignore[assignment]
        dm = "dm:testmann"
        await bot.say("testmann", "einstellungen")
        [(step_poll, step)] = t.polls(dm)
        assert "Einstellungen (1/4)" in step["question"]["body"]

        await bot.say("beispiel", "sitzung anlegen EG2 14.12.2026 10:00")  # the invitation, by DM too
        rsvp_poll, rsvp = t.polls(dm)[-1]
        assert rsvp_poll != step_poll and [a["body"] for a in rsvp["answers"]] == ["Ja", "Nein", "Vielleicht"]
        assert t.ends(dm) == {}  # the invitation did not end the step's poll

        moved_on = await bot.text("testmann", "1")  # typed: the step is answered, the conversation goes on
        assert "Zeitzone" in moved_on
        ended = t.ends(dm)
        assert set(ended) == {step_poll}  # the answered step's poll ended – the invitation's did not
        assert ended[step_poll] == "Umfrage beendet: " + step["question"]["body"]  # no "✓"

        confirmed = await vote(bot, "testmann", rsvp_poll, "Ja")  # the RSVP counts, mid-conversation
        assert any("kommt zu EG2" in m.text() for m in confirmed), [m.text() for m in confirmed]
        with bot.app.uow_factory() as uow:
            meeting = uow.session.scalars(select(Meeting)).one()
            answers = [r.answer for r in uow.session.scalars(select(Rsvp).where(Rsvp.meeting_id == meeting.id))
                       if r.answered_at is not None]
        assert answers == ["yes"]
        assert "Zeitzone" in await bot.text("testmann", "hilfe")  # and the conversation still waits there

        late = await vote(bot, "testmann", step_poll, "English")  # on the ended step poll
        assert [m.text() for m in late] == ["Diese Umfrage ist beendet; Ihre Stimme wurde nicht gezählt."]
        assert "Zeitzone" in await bot.text("testmann", "hilfe")  # it changed nothing: still at step 2


async def test_a_late_vote_on_an_ended_attendance_poll_says_how_to_answer_still(db_url: str) -> None:
    async with matrix_bot(db_url) as bot:
        t: PollTransport = bot.transport  # type: ignore[assignment]
        dm = "dm:testmann"
        await bot.say("beispiel", "sitzung anlegen EG2 14.12.2026 10:00")
        first, _ = t.polls(dm)[-1]
        await bot.say("beispiel", "sitzung verschieben EG2 15.12.2026 10:00")  # invited anew: a new poll
        second, _ = t.polls(dm)[-1]
        assert second != first and first in t.ends(dm) and second not in t.ends(dm)
        with bot.app.uow_factory() as uow:
            meeting_id = uow.session.scalars(select(Meeting)).one().id
        [told] = await vote(bot, "testmann", first, "Nein")
        assert told.text() == ("Diese Umfrage ist beendet; Ihre Stimme wurde nicht gezählt. "
                               f"Wenn sie noch gilt, schreiben Sie „absagen {meeting_id}“.").replace(". W", ".\nW")
        with bot.app.uow_factory() as uow:
            assert all(r.answered_at is None for r in uow.session.scalars(select(Rsvp)))


async def test_a_refused_answer_keeps_the_steps_poll_open_and_names_the_options_once(db_url: str) -> None:
    async with matrix_bot(db_url) as bot:
        t: PollTransport = bot.transport  # type: ignore[assignment]
        dm = "dm:testmann"
        await bot.say("testmann", "einstellungen")
        [(poll_id, _)] = t.polls(dm)
        [refusal] = await bot.say("testmann", "7")
        assert t.ends(dm) == {} and len(t.polls(dm)) == 1  # no "✓" end, no second poll
        plain = refusal.text("plain")
        assert plain.count("Deutsch") == 1 and plain.count("English") == 1, plain
        assert "Wählen Sie die Sprache" not in plain  # the step's help would name them again
        answered = await vote(bot, "testmann", poll_id, "English")  # the open poll still answers the step
        assert "Settings (2/4)" in answered[0].text()
        assert set(t.ends(dm)) == {poll_id}
        await bot.say("testmann", "unchanged")
        [(consent_poll, _)] = [p for p in t.polls(dm) if p[0] != poll_id]
        [told] = await vote(bot, "testmann", poll_id, "Deutsch")  # late, on the first step's poll
        assert "not counted" in told.text() and consent_poll not in t.ends(dm)  # the open step's poll stays


async def test_the_date_poll_ends_when_the_meeting_is_fixed_and_attendance_polls_when_it_is_cancelled(
        db_url: str) -> None:
    async with matrix_bot(db_url) as bot:
        t: PollTransport = bot.transport  # type: ignore[assignment]
        room, dm = "#eg-arbeit-wirtschaft", "dm:testmann"
        await bot.say("beispiel", "sitzung planen EG2", room=room)
        await bot.say("beispiel", "umfrage EG2", room=room)
        [(date_poll, _)] = t.polls(room)
        await bot.say("testmann", "einstellungen")  # a step open in the DM meanwhile
        [(step_poll, _)] = t.polls(dm)
        await bot.say("beispiel", "sitzung festlegen EG2 1", room=room)
        room_rsvp, _ = t.polls(room)[-1]
        dm_rsvp, _ = t.polls(dm)[-1]
        assert set(t.ends(room)) == {date_poll} and t.ends(dm) == {}  # fixed: only the date poll is over
        await bot.say("beispiel", "sitzung absagen EG2", room=room)
        assert set(t.ends(room)) == {date_poll, room_rsvp}  # cancelled: nobody is asked to come any more
        assert set(t.ends(dm)) == {dm_rsvp}  # … and the step's poll is still open
        assert step_poll not in t.ends(dm)
