from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from ..models import (Change, Concept, Field, Indicator, Measure, Person, Recommendation,
                      Status, utcnow)


@dataclass(frozen=True)
class RecommendationFilter:
    field: str | None = None
    body: str | None = None
    owner: str | None = None
    status: Status | None = None
    overdue_on: date | None = None


class CatalogRepository:
    def __init__(self, session: Session, clock: Callable[[], datetime] = utcnow) -> None:
        self.session = session
        self.clock = clock

    def concept(self) -> Concept | None:
        return self.session.scalar(select(Concept).order_by(Concept.id))

    def concept_by_code(self, code: str) -> Concept | None:
        return self.session.scalar(select(Concept).where(Concept.code == code))

    def fields(self) -> Sequence[Field]:
        return self.session.scalars(select(Field).order_by(Field.position, Field.code)).all()

    def field(self, code: str) -> Field | None:
        return self.session.scalar(select(Field).where(Field.code == code.upper()))

    def recommendation(self, code: str) -> Recommendation | None:
        stmt = (select(Recommendation).where(Recommendation.code == code.upper())
                .options(selectinload(Recommendation.metrics), selectinload(Recommendation.measures),
                         selectinload(Recommendation.indicators)))
        return self.session.scalar(stmt)

    def measure(self, code: str) -> Measure | None:
        return self.session.scalar(select(Measure).where(Measure.code == code.upper()))

    def indicator(self, code: str) -> Indicator | None:
        return self.session.scalar(select(Indicator).where(Indicator.code == code.upper()))

    def indicators(self) -> Sequence[Indicator]:
        return self.session.scalars(select(Indicator).order_by(Indicator.code)).all()

    def recommendations(self, flt: RecommendationFilter = RecommendationFilter(),
                        limit: int | None = None) -> Sequence[Recommendation]:
        stmt = self._filtered(flt).order_by(Recommendation.code).options(
            selectinload(Recommendation.owner), selectinload(Recommendation.field),
            selectinload(Recommendation.body))
        if limit:
            stmt = stmt.limit(limit)
        return self.session.scalars(stmt).all()

    def recommendations_of_body(self, body_id: int) -> Sequence[Recommendation]:
        stmt = select(Recommendation).where(Recommendation.body_id == body_id).order_by(Recommendation.code)
        return self.session.scalars(stmt).all()

    def count_recommendations(self, flt: RecommendationFilter = RecommendationFilter()) -> int:
        sub = self._filtered(flt).subquery()
        return self.session.scalar(select(func.count()).select_from(sub)) or 0

    def _filtered(self, flt: RecommendationFilter) -> Select[Recommendation]:
        from ..models import Body

        stmt = select(Recommendation)
        if flt.field:
            stmt = stmt.join(Field, Recommendation.field_id == Field.id).where(Field.code == flt.field.upper())
        if flt.body:
            stmt = stmt.join(Body, Recommendation.body_id == Body.id).where(Body.code == flt.body.upper())
        if flt.owner:
            stmt = stmt.join(Person, Recommendation.owner_id == Person.id).where(
                Person.handle == flt.owner.lower())
        if flt.status:
            stmt = stmt.where(Recommendation.status == flt.status)
        if flt.overdue_on:
            stmt = stmt.where(Recommendation.time_target < flt.overdue_on,
                              Recommendation.status.not_in([Status.DONE, Status.DROPPED]))
        return stmt

    def record_change(self, rec: Recommendation, field_name: str, old: object, new: object,
                      actor: Person | None, source: str) -> None:
        """History for `verlauf`: one row per changed attribute."""
        self.session.add(Change(recommendation_id=rec.id, at=self.clock(), actor_id=actor.id if actor else None,
                                field_name=field_name, old=_text(old), new=_text(new), source=source))

    def history(self, rec: Recommendation, limit: int = 50) -> Sequence[Change]:
        stmt = (select(Change).where(Change.recommendation_id == rec.id)
                .order_by(Change.at.desc(), Change.id.desc()).limit(limit))
        return self.session.scalars(stmt).all()


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, Status):
        return value.value
    return str(value)
