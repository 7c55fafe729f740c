"""What a chat transport remembers about the questions it asked: which event carries which
choices, and which question is a room's open one (so a reaction or a poll response maps back
to the value it stands for, after a restart and for any number of questions)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, utcnow


class AskedQuestion(Base):
    """One question the bot sent with choices: the event id the platform gave it, its choices
    (value, label, key and the opaque answer id a poll offers it under), and whether it is
    still the room's open question. `poll` questions are ended on the platform when closed."""

    __tablename__ = "asked_questions"
    __table_args__ = (UniqueConstraint("transport", "event_id"),
                      Index("ix_asked_questions_room", "transport", "room_id", "is_open"))
    id: Mapped[int] = mapped_column(primary_key=True)
    transport: Mapped[str] = mapped_column(String(16))
    room_id: Mapped[str] = mapped_column(String(255))
    event_id: Mapped[str] = mapped_column(String(255))
    choices: Mapped[list] = mapped_column(default=list)  # [[value, label, key, answer id], …]
    several: Mapped[str] = mapped_column(String(255), default="")  # the answer for several keys
    question: Mapped[str] = mapped_column(Text, default="")  # what a poll's end says (its question, closed)
    poll: Mapped[bool] = mapped_column(default=False)  # offered as a native poll
    # what it asks about ("" the conversation's step, "rsvp:7" a meeting's attendance, "dates:EG2"
    # a body's date poll): a new question replaces only the open one of its topic
    topic: Mapped[str] = mapped_column(String(100), default="", server_default="")
    is_open: Mapped[bool] = mapped_column(default=True)
    ended: Mapped[bool] = mapped_column(default=False)  # the poll's end was sent (kept a while: a late vote is told)
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
