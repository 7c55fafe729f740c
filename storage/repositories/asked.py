"""The questions a transport asked (storage/models/asked.py): a room has at most one open one.

A closed question is forgotten at once (an answer to it is ignored either way), a closed poll as
soon as its end was sent: the table holds one row per room with an open question, whatever the
number of rooms, and nothing of questions long answered."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..models import AskedQuestion, utcnow


class AskedQuestionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def ask(self, transport: str, room_id: str, event_id: str, choices: Sequence[Sequence[str]],
            several: str = "", poll: bool = False, question: str = "",
            now: datetime | None = None) -> AskedQuestion:
        """The new open question of its room; the room's earlier one is closed."""
        self.close_room(transport, room_id)
        existing = self.by_event(transport, event_id)  # sent again after a crash: the same event
        if existing is not None:
            existing.choices, existing.several, existing.poll = [list(c) for c in choices], several, poll
            existing.is_open, existing.ended, existing.question = True, False, question
            return existing
        row = AskedQuestion(transport=transport, room_id=room_id, event_id=event_id,
                            choices=[list(c) for c in choices], several=several, poll=poll,
                            question=question, asked_at=now or utcnow())
        self.session.add(row)
        self.session.flush()
        return row

    def close_room(self, transport: str, room_id: str) -> None:
        mine = (AskedQuestion.transport == transport, AskedQuestion.room_id == room_id)
        self.session.execute(delete(AskedQuestion).where(*mine, AskedQuestion.poll.is_(False))
                             .execution_options(synchronize_session="fetch"))
        self.session.execute(update(AskedQuestion).where(*mine, AskedQuestion.is_open.is_(True))
                             .values(is_open=False).execution_options(synchronize_session="fetch"))

    def by_event(self, transport: str, event_id: str) -> AskedQuestion | None:
        return self.session.scalars(select(AskedQuestion).where(
            AskedQuestion.transport == transport, AskedQuestion.event_id == event_id)).first()

    def open_question(self, transport: str, event_id: str) -> AskedQuestion | None:
        """The question with that event id, if it is still its room's open one."""
        row = self.by_event(transport, event_id)
        return row if row is not None and row.is_open else None

    def polls_to_end(self, transport: str, room_id: str) -> list[AskedQuestion]:
        """Closed polls of a room whose end was not sent yet (oldest first)."""
        return list(self.session.scalars(select(AskedQuestion).where(
            AskedQuestion.transport == transport, AskedQuestion.room_id == room_id,
            AskedQuestion.poll.is_(True), AskedQuestion.is_open.is_(False), AskedQuestion.ended.is_(False))
            .order_by(AskedQuestion.id)))

    def mark_ended(self, transport: str, event_id: str) -> None:
        """The poll's end was sent: nothing about it is needed any more."""
        self.session.execute(delete(AskedQuestion).where(
            AskedQuestion.transport == transport, AskedQuestion.event_id == event_id, AskedQuestion.is_open.is_(False)))
