"""The questions a transport asked (storage/models/asked.py): a room has at most one open one per
topic ("" is the conversation's step; an invitation's attendance poll or a date poll has its own,
so a new step does not close them, nor they the step).

A closed question without a poll is forgotten at once (a reaction to it is just a reaction). A
closed poll is kept, ended, for KEEP_ENDED: a vote that still arrives on it is told the poll has
ended instead of being lost without a word. So the table holds the open questions and the polls of
the last weeks, whatever the number of rooms."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..models import AskedQuestion, utcnow

KEEP_ENDED = timedelta(days=60)


class AskedQuestionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def ask(self, transport: str, room_id: str, event_id: str, choices: Sequence[Sequence[str]],
            several: str = "", poll: bool = False, question: str = "", topic: str = "",
            now: datetime | None = None) -> AskedQuestion:
        """The new open question of its room and topic; the room's earlier one of that topic is closed."""
        self.close_room(transport, room_id, topic)
        existing = self.by_event(transport, event_id)  # sent again after a crash: the same event
        if existing is not None:
            existing.choices, existing.several, existing.poll = [list(c) for c in choices], several, poll
            existing.is_open, existing.ended, existing.question = True, False, question
            existing.topic = topic
            return existing
        row = AskedQuestion(transport=transport, room_id=room_id, event_id=event_id,
                            choices=[list(c) for c in choices], several=several, poll=poll,
                            question=question, topic=topic, asked_at=now or utcnow())
        self.session.add(row)
        self.session.flush()
        return row

    def close_room(self, transport: str, room_id: str, topic: str = "") -> None:
        """The room's open question of that topic is answered (or replaced)."""
        mine = (AskedQuestion.transport == transport, AskedQuestion.room_id == room_id,
                AskedQuestion.topic == topic)
        self.session.execute(delete(AskedQuestion).where(*mine, AskedQuestion.poll.is_(False))
                             .execution_options(synchronize_session="fetch"))
        self.session.execute(update(AskedQuestion).where(*mine, AskedQuestion.is_open.is_(True))
                             .values(is_open=False).execution_options(synchronize_session="fetch"))

    def by_event(self, transport: str, event_id: str) -> AskedQuestion | None:
        return self.session.scalars(select(AskedQuestion).where(
            AskedQuestion.transport == transport, AskedQuestion.event_id == event_id)).first()

    def open_question(self, transport: str, event_id: str) -> AskedQuestion | None:
        """The question with that event id, if it is still open."""
        row = self.by_event(transport, event_id)
        return row if row is not None and row.is_open else None

    def polls_to_end(self, transport: str, room_id: str) -> list[AskedQuestion]:
        """Closed polls of a room whose end was not sent yet (oldest first)."""
        return list(self.session.scalars(select(AskedQuestion).where(
            AskedQuestion.transport == transport, AskedQuestion.room_id == room_id,
            AskedQuestion.poll.is_(True), AskedQuestion.is_open.is_(False), AskedQuestion.ended.is_(False))
            .order_by(AskedQuestion.id)))

    def mark_ended(self, transport: str, event_id: str, now: datetime | None = None) -> None:
        """The poll's end was sent: kept (a late vote is told) until KEEP_ENDED; the room's polls
        ended longer ago are forgotten now."""
        row = self.by_event(transport, event_id)
        if row is None or row.is_open:
            return
        row.ended = True
        self.session.execute(delete(AskedQuestion).where(
            AskedQuestion.transport == transport, AskedQuestion.room_id == row.room_id,
            AskedQuestion.ended.is_(True), AskedQuestion.asked_at < (now or utcnow()) - KEEP_ENDED)
            .execution_options(synchronize_session="fetch"))
