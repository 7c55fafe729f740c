"""Report documents: self-contained, printable HTML (inline CSS and SVG charts, no external
references), for the political bodies.

- `sachstand` — the quarterly Sachstand of one body (its round's answers, item by item);
- `halbjahr` — the steering group's half-yearly report to the Integrationsrat and committees;
- `beirat` — the advisory board's annual pack (every body's reports and meetings);
- `integrationsbericht` — the biennial report: state per field, resources from the measures'
  budgets, indicators with their gender breakdown and trend, charts.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from handlers.labels import STATUS_LABELS
from storage.models import (Change, Field, Indicator, Measure, Meeting, Recommendation, ReportingLine, Round,
                            StatusUpdate)

from . import svgcharts

if TYPE_CHECKING:
    from bot.core.context import Services
    from storage.uow import UnitOfWork

KINDS = ("sachstand", "stand", "halbjahr", "beirat", "integrationsbericht")
TITLES = {"sachstand": "Sachstandsbericht", "stand": "Bericht zum Stand der Umsetzung",
          "halbjahr": "Halbjahresbericht der Steuerungsgruppe",
          "beirat": "Jahresbericht an den Beirat", "integrationsbericht": "Integrationsbericht"}


class ReportError(ValueError):
    """What was asked cannot be reported; the message is German and says what is allowed."""


@dataclass(frozen=True)
class Span:
    label: str
    start: date
    end: date  # inclusive

    def moments(self) -> tuple[datetime, datetime]:
        return (datetime.combine(self.start, time.min, tzinfo=timezone.utc),
                datetime.combine(self.end, time.max, tzinfo=timezone.utc))


def parse_period(text: str) -> Span:
    """2026-Q4, 2026-H2, 2026 or 2025-2026."""
    text = text.strip().upper()
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
        year, q = int(m[1]), int(m[2])
        return Span(text, date(year, 3 * q - 2, 1), _month_end(year, 3 * q))
    if m := re.fullmatch(r"(\d{4})-H([12])", text):
        year, h = int(m[1]), int(m[2])
        return Span(text, date(year, 6 * h - 5, 1), _month_end(year, 6 * h))
    if m := re.fullmatch(r"(\d{4})", text):
        return Span(text, date(int(m[1]), 1, 1), date(int(m[1]), 12, 31))
    if (m := re.fullmatch(r"(\d{4})-(\d{4})", text)) and int(m[1]) <= int(m[2]):
        return Span(text, date(int(m[1]), 1, 1), date(int(m[2]), 12, 31))
    raise ReportError(f"„{text[:30]}“ ist kein Zeitraum; erlaubt: 2026-Q4, 2026-H2, 2026 oder 2025-2026")


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


@dataclass
class FieldState:
    field: Field
    recs: list[Recommendation]
    counts: dict[Any, int]
    progress: int
    overdue: list[Recommendation]
    planned: Decimal
    spent: Decimal
    staff: Decimal


def field_states(uow: UnitOfWork, today: date) -> list[FieldState]:
    fields = uow.session.scalars(select(Field).order_by(Field.position, Field.code).options(
        selectinload(Field.recommendations))).all()
    # the measures' resources summed per field in the database: one query however many there are
    # (a selectinload of every recommendation's measures costs one query per 500 recommendations)
    zero = Decimal(0)
    sums = {row.field_id: (row.planned or zero, row.spent or zero, row.staff or zero)
            for row in uow.session.execute(
                select(Recommendation.field_id, func.sum(Measure.budget_planned).label("planned"),
                       func.sum(Measure.budget_spent).label("spent"), func.sum(Measure.staff).label("staff"))
                .join(Measure, Measure.recommendation_id == Recommendation.id)
                .group_by(Recommendation.field_id))}
    out = []
    for f in fields:
        recs = list(f.recommendations)
        counts: dict[Any, int] = {}
        for r in recs:
            counts[r.status] = counts.get(r.status, 0) + 1
        planned, spent, staff = (Decimal(str(v)).quantize(Decimal("0.01"))
                                 for v in sums.get(f.id, (zero, zero, zero)))
        out.append(FieldState(
            f, recs, counts, round(sum(r.progress for r in recs) / len(recs)) if recs else 0,
            [r for r in recs if r.is_overdue(today)], planned, spent, staff))
    return out


def _progress_chart(states: list[FieldState]) -> str:
    return svgcharts.progress_by_field([s.field.code for s in states], [s.progress for s in states],
                                       "Fortschritt nach Handlungsfeld", "fortschritt")


def _indicators(uow: UnitOfWork, span: Span) -> list[dict[str, Any]]:
    result = []
    for ind in uow.session.scalars(select(Indicator).order_by(Indicator.code).options(
            selectinload(Indicator.values))).all():
        by_gender: dict[str, list[tuple[str, float]]] = {}
        for v in ind.values:
            if not v.district:
                by_gender.setdefault(v.gender, []).append((v.period, float(v.value)))
        totals = by_gender.get("gesamt", [])
        trend = totals[-1][1] - totals[-2][1] if len(totals) > 1 else None
        latest = totals[-1][0] if totals else None
        breakdown = {g: next((val for p, val in series if p == latest), None) for g, series in by_gender.items()}
        # no title in the chart: the heading stands above it
        chart = svgcharts.series_by_gender(ind.unit, by_gender, f"indikator-{ind.code}") if totals else ""
        result.append({"indicator": ind, "totals": totals, "trend": trend, "latest": latest,
                       "breakdown": breakdown, "chart": chart})
    return result


def _rounds(uow: UnitOfWork, span: Span, body_id: int | None = None) -> list[Round]:
    start, end = span.moments()
    stmt = (select(Round).join(ReportingLine).where(Round.due_at >= start, Round.due_at <= end)
            .options(selectinload(Round.reporting_line).selectinload(ReportingLine.from_body))
            .order_by(Round.due_at))
    if body_id is not None:
        stmt = stmt.where(ReportingLine.from_body_id == body_id)
    return list(uow.session.scalars(stmt).all())


def build(uow: UnitOfWork, kind: str, period: str, body_code: str | None, today: date) -> dict[str, Any]:
    if kind not in KINDS:
        raise ReportError(f"„{kind[:30]}“ ist keine Berichtsart; erlaubt: {', '.join(KINDS)}")
    span = parse_period(period)
    concept = uow.catalog.concept()
    base: dict[str, Any] = {"kind": kind, "title": TITLES[kind], "span": span, "concept": concept, "body": None,
                            "labels": STATUS_LABELS, "today": today}
    if kind == "sachstand":
        return {**base, **_sachstand(uow, span, body_code, today)}
    states = field_states(uow, today)
    base.update(states=states, chart=_progress_chart(states), rounds=_rounds(uow, span),
                changes=_change_count(uow, span))
    if kind in ("beirat", "integrationsbericht"):
        base["meetings"] = _meetings_held(uow, span)
    if kind == "integrationsbericht":
        base["indicators"] = _indicators(uow, span)
        base["totals"] = {"planned": sum((s.planned for s in states), Decimal(0)),
                          "spent": sum((s.spent for s in states), Decimal(0)),
                          "staff": sum((s.staff for s in states), Decimal(0))}
    return base


def _sachstand(uow: UnitOfWork, span: Span, body_code: str | None, today: date) -> dict[str, Any]:
    body = uow.bodies.by_code(body_code) if body_code else None
    if body is None:
        raise ReportError("der Sachstandsbericht braucht ein Gremium: --body EG2")
    rounds = _rounds(uow, span, body.id)
    answers: dict[int, StatusUpdate] = {}
    if rounds:
        for upd in uow.rounds.updates(rounds[-1]):
            answers[upd.recommendation_id] = upd
    recs = list(uow.catalog.recommendations_of_body(body.id))
    chart = svgcharts.progress_by_field([r.code for r in recs], [r.progress for r in recs],
                                         f"Fortschritt – {body.code}", f"fortschritt-{body.code}") if recs else ""
    return {"body": body, "round": rounds[-1] if rounds else None, "recs": recs, "answers": answers,
            "chart": chart}


def _change_count(uow: UnitOfWork, span: Span) -> int:
    start, end = span.moments()
    return uow.session.scalar(select(func.count()).select_from(Change).where(Change.at >= start, Change.at <= end)) or 0


def _meetings_held(uow: UnitOfWork, span: Span) -> list[Meeting]:
    start, end = span.moments()
    return list(uow.session.scalars(select(Meeting).where(Meeting.starts_at >= start, Meeting.starts_at <= end,
                                                          Meeting.state == "held").order_by(Meeting.starts_at)))


def render(services: Services, uow: UnitOfWork, kind: str, period: str, body: str | None = None) -> str:
    from zoneinfo import ZoneInfo

    settings = services.settings.general
    today = services.clock().astimezone(ZoneInfo(settings.timezone)).date()
    values = build(uow, kind, period, body, today)
    template = "halbjahr" if kind == "stand" else kind  # the same content under another title
    from bot.web_security import REPORT_CSP

    return services.renderer.render(template, "reports", settings.locale, settings.timezone, csp=REPORT_CSP,
                                    **values)

