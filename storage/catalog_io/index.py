"""Everything the importer compares against, loaded up front in a few queries.

Loading once (instead of a lookup per row) keeps large imports fast and means the
apply phase issues no queries at all, so autoflush can never write half a file.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import (Body, Concept, Field, Indicator, Measure, Membership, Person, Recommendation,
                      ReportingLine)


@dataclass
class DbIndex:
    concepts: dict[str, Concept] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    bodies: dict[str, Body] = field(default_factory=dict)
    lines: dict[tuple[str, str], ReportingLine] = field(default_factory=dict)
    indicators: dict[str, Indicator] = field(default_factory=dict)
    fields: dict[str, Field] = field(default_factory=dict)
    recommendations: dict[str, Recommendation] = field(default_factory=dict)
    measures: dict[str, Measure] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, *, full: bool = True) -> DbIndex:
        """`full=False` skips what a recommendation list (CSV/XLSX) never touches."""
        idx = cls()
        idx.people = {p.handle: p for p in session.scalars(select(Person).options(
            selectinload(Person.identities), selectinload(Person.absences)))}
        idx.bodies = {b.code: b for b in session.scalars(select(Body).options(
            selectinload(Body.rooms), selectinload(Body.memberships).selectinload(Membership.person)))}
        idx.fields = {f.code: f for f in session.scalars(select(Field).options(
            selectinload(Field.concept), selectinload(Field.body)))}
        idx.indicators = {i.code: i for i in session.scalars(
            select(Indicator).options(selectinload(Indicator.values)))}
        idx.recommendations = {r.code: r for r in session.scalars(select(Recommendation).options(
            selectinload(Recommendation.field), selectinload(Recommendation.body),
            selectinload(Recommendation.owner), selectinload(Recommendation.indicators),
            selectinload(Recommendation.metrics), selectinload(Recommendation.measures)))}
        if full:
            idx.concepts = {c.code: c for c in session.scalars(select(Concept))}
            idx.lines = {(ln.from_body.code, ln.to_body.code): ln for ln in session.scalars(
                select(ReportingLine).options(selectinload(ReportingLine.from_body),
                                              selectinload(ReportingLine.to_body)))}
            idx.measures = {m.code: m for m in session.scalars(select(Measure).options(
                selectinload(Measure.owner), selectinload(Measure.recommendation)))}
        return idx
