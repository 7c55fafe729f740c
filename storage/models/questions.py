"""Questions and comments the public leaves on the status page (issue #8).

Nothing of a submission is public until a coordinator publishes it; what of it is public is
decided in bot/public/data.py (text, answer, the name only with its author's consent)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Timestamped

QUESTION_STATES = ("new", "forwarded", "published", "rejected")


class PublicQuestion(Timestamped, Base):
    __tablename__ = "public_questions"
    __table_args__ = (Index("ix_public_questions_state", "state"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    # None: asked on the overview, about the concept as a whole
    recommendation_id: Mapped[int | None] = mapped_column(
        ForeignKey("recommendations.id", ondelete="SET NULL"), index=True)
    text: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(200), default="")
    show_name: Mapped[bool] = mapped_column(default=False)  # the author agreed to show the name
    email: Mapped[str | None] = mapped_column(String(254), index=True)  # deleted once answered
    email_erased_at: Mapped[datetime | None]
    consent_at: Mapped[datetime]  # when the author agreed to the data-protection notice
    # HMAC of the sender's address, for the rate limit only; cleared once the window has passed
    sender_key: Mapped[str | None] = mapped_column(String(64), index=True)
    state: Mapped[str] = mapped_column(String(16), default="new")  # new|forwarded|published|rejected
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    forwarded_to_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    reject_reason: Mapped[str] = mapped_column(Text, default="")
