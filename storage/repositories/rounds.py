"""Rounds and their status updates. Every query here is bounded: per person, per round or
per batch, so the work per answer does not grow with the size of a round."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from ..db import rowcount
from ..models import Recommendation, ReportingLine, Round, StatusUpdate


class RoundRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, round_: Round) -> Round:
        self.session.add(round_)
        return round_

    def get(self, round_id: int) -> Round | None:
        return self.session.get(Round, round_id)

    def find(self, line: ReportingLine, period: str) -> Round | None:
        return self.session.scalar(select(Round).where(Round.reporting_line_id == line.id,
                                                       Round.period == period))

    def open_rounds(self) -> Sequence[Round]:
        stmt = (select(Round).where(Round.state == "open").order_by(Round.due_at, Round.id)
                .options(selectinload(Round.reporting_line).selectinload(ReportingLine.from_body)))
        return self.session.scalars(stmt).all()

    def due_to_close(self, now: datetime) -> Sequence[Round]:
        return self.session.scalars(select(Round).where(Round.state == "open", Round.due_at <= now)).all()

    def latest_for_body(self, body_id: int) -> Round | None:
        stmt = (select(Round).join(ReportingLine).where(ReportingLine.from_body_id == body_id)
                .order_by((Round.state == "open").desc(), Round.due_at.desc(), Round.id.desc()))
        return self.session.scalars(stmt).first()

    def updates(self, round_: Round) -> Sequence[StatusUpdate]:
        stmt = (select(StatusUpdate).where(StatusUpdate.round_id == round_.id)
                .options(selectinload(StatusUpdate.recommendation), selectinload(StatusUpdate.asked))
                .order_by(StatusUpdate.id))
        return self.session.scalars(stmt).all()

    def counts(self, round_: Round) -> dict[str, int]:
        stmt = (select(StatusUpdate.state, func.count()).where(StatusUpdate.round_id == round_.id)
                .group_by(StatusUpdate.state))
        return {state: count for state, count in self.session.execute(stmt).all()}

    def pending_for(self, person_id: int) -> Sequence[StatusUpdate]:
        """The person's unanswered items in open rounds, oldest round first."""
        stmt = (select(StatusUpdate).join(Round)
                .where(Round.state == "open", StatusUpdate.asked_id == person_id,
                       StatusUpdate.state == "pending")
                .order_by(Round.due_at, StatusUpdate.id))
        return self.session.scalars(stmt).all()

    def in_open_round(self, rec: Recommendation) -> StatusUpdate | None:
        stmt = (select(StatusUpdate).join(Round)
                .where(Round.state == "open", StatusUpdate.recommendation_id == rec.id))
        return self.session.scalars(stmt).first()

    def unprompted(self, limit: int) -> Sequence[StatusUpdate]:
        """The fan-out's next batch: items nobody has been asked about yet, by person."""
        stmt = (select(StatusUpdate).join(Round)
                .where(Round.state == "open", StatusUpdate.state == "pending",
                       StatusUpdate.prompted_at.is_(None), StatusUpdate.asked_id.is_not(None))
                .order_by(StatusUpdate.asked_id, StatusUpdate.id).limit(limit))
        return self.session.scalars(stmt).all()

    def waiting_people(self, round_: Round) -> Sequence[int]:
        """People with unanswered items in a round (for reminders)."""
        stmt = (select(StatusUpdate.asked_id).where(StatusUpdate.round_id == round_.id,
                                                     StatusUpdate.state == "pending",
                                                     StatusUpdate.asked_id.is_not(None))
                .distinct())
        return [pid for pid in self.session.scalars(stmt).all() if pid is not None]

    def mark_no_report(self, round_: Round) -> int:
        result = self.session.execute(
            update(StatusUpdate).where(StatusUpdate.round_id == round_.id, StatusUpdate.state == "pending")
            .values(state="no_report"))
        return rowcount(result)
