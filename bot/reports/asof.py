"""Recommendations as they stood at the end of a report's period (issue #21, finding F3).

A report for a period that has ended says what was true then, not what is true today: the
half-year report written again in March for an edit in Word says what it said in January. The
history (`changes`, one row per changed attribute) holds each change's old value; the value at
a moment is the old value of the first change after it, or the current value when nothing
changed since. Status, progress and the target metrics' current values are read that way.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import select

from storage.models import Change, Recommendation
from storage.models.base import Status

if TYPE_CHECKING:
    from storage.uow import UnitOfWork


class MetricAsOf:
    """A target metric with its value at the moment; everything else is the metric's own."""

    def __init__(self, metric: Any, current: Decimal | None) -> None:
        self._metric, self.current = metric, current

    def __getattr__(self, name: str) -> Any:
        return getattr(self._metric, name)


class RecommendationAsOf:
    """A recommendation with its status, progress and metric values at the moment."""

    def __init__(self, rec: Recommendation, status: Status, progress: int, metrics: list[Any]) -> None:
        self._rec, self.status, self.progress, self.metrics = rec, status, progress, metrics

    def __getattr__(self, name: str) -> Any:
        return getattr(self._rec, name)

    def is_overdue(self, today: date) -> bool:
        return self.time_target is not None and self.time_target < today and not self.status.closed


@dataclass
class Later:
    """The old values of the first change after the moment, per recommendation and attribute."""

    first_old: dict[tuple[int, str], str | None]

    @functools.cached_property
    def changed(self) -> frozenset[int]:
        return frozenset(rec_id for rec_id, _ in self.first_old)

    def status(self, rec: Recommendation) -> Status:
        key = (rec.id, "status")
        return _status(self.first_old[key], rec.status) if key in self.first_old else rec.status

    def progress(self, rec: Recommendation) -> int:
        key = (rec.id, "progress")
        if key not in self.first_old:
            return rec.progress
        try:
            return int(Decimal(self.first_old[key] or "0"))
        except (InvalidOperation, ValueError):
            return rec.progress

    def metric(self, rec: Recommendation, metric: Any) -> Any:
        key = (rec.id, f"metric:{metric.name}")
        if key not in self.first_old:
            return metric
        old = self.first_old[key]
        try:
            return MetricAsOf(metric, Decimal(old) if old not in (None, "") else None)
        except InvalidOperation:
            return metric

    def view(self, rec: Recommendation) -> Recommendation:
        """The recommendation itself when nothing changed since; else a read-only view that
        answers as a Recommendation does (the reports only read)."""
        if rec.id not in self.changed:
            return rec
        return cast("Recommendation", RecommendationAsOf(rec, self.status(rec), self.progress(rec),
                                  [self.metric(rec, m) for m in rec.metrics]))


def changes_after(uow: UnitOfWork, moment: datetime) -> Later:
    """One query: every status, progress and metric change after the moment, oldest first."""
    rows = uow.session.execute(
        select(Change.recommendation_id, Change.field_name, Change.old)
        .where(Change.at > moment)
        .where(Change.field_name.in_(("status", "progress")) | Change.field_name.like("metric:%"))
        .order_by(Change.at, Change.id)).all()
    first: dict[tuple[int, str], str | None] = {}
    for rec_id, name, old in rows:
        first.setdefault((rec_id, name), old)
    return Later(first)


def _status(text: str | None, current: Status) -> Status:
    try:
        return Status(text)
    except ValueError:
        return current
