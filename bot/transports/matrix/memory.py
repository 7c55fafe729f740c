"""What the Matrix transport remembers about its questions, in the database (no cap).

Which event carries which choices (and, for a poll, which opaque answer id stands for which
choice) and which questions are a room's open ones: one per topic, so an invitation's attendance
poll stays open beside the conversation's step and a new step does not end it (topic "" is the
step). An ended poll is remembered a while, so a late vote on it is told. The database work runs
off the event loop (`run_sync`), as the outbox's does. Rooms known to have no open question and no poll left to end
are noted in this process, so an ordinary reply costs no database round trip.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.events import Choice
from bot.core.runtime import RunSync

from .parse import Asked

if TYPE_CHECKING:
    from storage.uow import UnitOfWorkFactory

@dataclass(frozen=True)
class EndingPoll:
    event_id: str
    text: str  # what the end says


class QuestionMemory:
    def __init__(self, uow_factory: UnitOfWorkFactory, run_sync: RunSync, transport: str = "matrix") -> None:
        self.uow_factory = uow_factory
        self.run_sync = run_sync
        self.transport = transport
        self._no_question: set[str] = set()  # rooms without an open question
        self._nothing_to_end: set[str] = set()  # rooms without a poll whose end is still to be sent

    async def ask(self, room_id: str, event_id: str, choices: list[Choice], answer_ids: list[str] | None = None,
                  end_text: str = "", topic: str = "") -> None:
        """`event_id` is now the room's open question of `topic` (a poll's start event when answer
        ids are given; `end_text` is what its end will say)."""
        ids = answer_ids or []
        rows = [[c.value, c.label, c.key, ids[i] if i < len(ids) else ""] for i, c in enumerate(choices)]
        several = next((c.several for c in choices if c.several), "")
        if not topic:
            self._no_question.discard(room_id)
        self._nothing_to_end.discard(room_id)  # the room's earlier poll of this topic, if any, is closed now
        await self.run_sync(self._ask, room_id, event_id, rows, several, bool(ids), end_text, topic)

    def _ask(self, room_id: str, event_id: str, rows: list[list[str]], several: str, poll: bool,
             end_text: str, topic: str) -> None:
        with self.uow_factory() as uow:
            uow.asked.ask(self.transport, room_id, event_id, rows, several, poll, end_text, topic)
            uow.commit()

    async def close(self, room_id: str, topic: str = "") -> None:
        """The room's open question of `topic` is over: by default the step's (it was answered);
        questions of other topics (an invitation's attendance poll) stay open."""
        if not topic and room_id in self._no_question:
            return
        self._nothing_to_end.discard(room_id)
        await self.run_sync(self._close, room_id, topic)
        if not topic:
            self._no_question.add(room_id)

    def _close(self, room_id: str, topic: str) -> None:
        with self.uow_factory() as uow:
            uow.asked.close_room(self.transport, room_id, topic)
            uow.commit()

    async def lookup(self, event_id: str, room_id: str) -> Asked | None:
        """The question with that event id in that room: open, or a poll already closed (`closed`:
        a vote on it is told so). None for anything else (an unknown event, or one of another
        room that an answer elsewhere merely points to: ignored)."""
        return await self.run_sync(self._lookup, event_id, room_id)

    def _lookup(self, event_id: str, room_id: str) -> Asked | None:
        with self.uow_factory() as uow:
            row = uow.asked.by_event(self.transport, event_id)
            if row is None or row.room_id != room_id or not (row.is_open or row.poll):
                return None
            choices = [Choice(c[0], c[1], c[2], row.several) for c in row.choices]
            return Asked(choices, [c[3] for c in row.choices] if row.poll else [], closed=not row.is_open)

    async def polls_to_end(self, room_id: str) -> list[EndingPoll]:
        if room_id in self._nothing_to_end:
            return []
        polls: list[EndingPoll] = await self.run_sync(self._polls_to_end, room_id)
        if not polls:
            self._nothing_to_end.add(room_id)
        return polls

    def _polls_to_end(self, room_id: str) -> list[EndingPoll]:
        with self.uow_factory() as uow:
            return [EndingPoll(r.event_id, r.question) for r in uow.asked.polls_to_end(self.transport, room_id)]

    async def ended(self, event_id: str) -> None:
        await self.run_sync(self._ended, event_id)

    def _ended(self, event_id: str) -> None:
        with self.uow_factory() as uow:
            uow.asked.mark_ended(self.transport, event_id)
            uow.commit()

    async def adopt(self, questions: list[tuple[str, str, list[list[str]]]]) -> None:
        """Open questions an older version kept in its JSON file (reactions, no polls)."""
        for room_id, event_id, choices in questions:
            await self.ask(room_id, event_id, [Choice(*c[:3]) for c in choices])
