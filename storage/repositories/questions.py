"""Submissions from the public page (storage/models/questions.py)."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..models import PublicQuestion


class QuestionRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, question: PublicQuestion) -> PublicQuestion:
        self.session.add(question)
        return question

    def get(self, number: int) -> PublicQuestion | None:
        return self.session.get(PublicQuestion, number)

    def open(self) -> Sequence[PublicQuestion]:
        """Waiting for moderation: new or forwarded to an owner."""
        return self.session.scalars(select(PublicQuestion).where(
            PublicQuestion.state.in_(("new", "forwarded"))).order_by(PublicQuestion.id)).all()

    def reply_owed(self) -> Sequence[PublicQuestion]:
        """Answered or published, with an address, and not yet marked as answered by e-mail (`frage erledigt`)."""
        return self.session.scalars(select(PublicQuestion).where(
            PublicQuestion.email.is_not(None), or_(PublicQuestion.answer != "", PublicQuestion.state == "published"),
            PublicQuestion.state != "rejected").order_by(PublicQuestion.id)).all()

    def published(self, recommendation_id: int | None = None, *, general: bool = False,
                  limit: int | None = None) -> Sequence[PublicQuestion]:
        stmt = select(PublicQuestion).where(PublicQuestion.state == "published")
        if recommendation_id is not None:
            stmt = stmt.where(PublicQuestion.recommendation_id == recommendation_id)
        elif general:
            stmt = stmt.where(PublicQuestion.recommendation_id.is_(None))
        stmt = stmt.order_by(PublicQuestion.published_at.desc(), PublicQuestion.id.desc())
        return self.session.scalars(stmt.limit(limit) if limit else stmt).all()

    def recent_from(self, sender_key: str, since: datetime) -> int:
        return self.session.scalar(select(func.count(PublicQuestion.id)).where(
            PublicQuestion.sender_key == sender_key, PublicQuestion.created_at >= since)) or 0

    def same_from(self, sender_key: str, recommendation_id: int | None, text: str,
                  since: datetime) -> PublicQuestion | None:
        """The same text about the same item from the same sender, sent since `since` (a resent form)."""
        return self.session.scalars(select(PublicQuestion).where(
            PublicQuestion.sender_key == sender_key, PublicQuestion.recommendation_id == recommendation_id,
            PublicQuestion.text == text, PublicQuestion.created_at >= since).limit(1)).first()

    def of(self, *, email: str | None = None, person_id: int | None = None) -> Sequence[PublicQuestion]:
        """Submissions written from an e-mail address, or moderated/answered by a person."""
        conditions = []
        if email:
            conditions.append(func.lower(PublicQuestion.email) == email.strip().lower())
        if person_id is not None:
            conditions += [PublicQuestion.answered_by_id == person_id, PublicQuestion.forwarded_to_id == person_id,
                           PublicQuestion.decided_by_id == person_id]
        if not conditions:
            return []
        return self.session.scalars(select(PublicQuestion).where(or_(*conditions))
                                    .order_by(PublicQuestion.id)).all()

    def last_published(self) -> datetime | None:
        return self.session.scalar(select(func.max(PublicQuestion.updated_at))
                                   .where(PublicQuestion.state == "published"))
