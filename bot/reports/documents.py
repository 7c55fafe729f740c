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
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bot.core.labels import STATUS_LABELS
from storage.models import (Change, Field, Indicator, Measure, Meeting, Recommendation, ReportingLine, Round,
                            StatusUpdate)

from . import asof, checks, content, svgcharts
from .asof import Later
from .checks import ReportError
from .kinds import kind_for

if TYPE_CHECKING:
    from bot.core.context import Services
    from storage.uow import UnitOfWork

__all__ = ["KINDS", "Report", "ReportError", "document", "render"]
KINDS = ("sachstand", "stand", "halbjahr", "beirat", "integrationsbericht")
LONG = ("stand", "halbjahr", "beirat", "integrationsbericht")  # with a table of contents
TITLES = {"sachstand": "Sachstandsbericht", "stand": "Bericht zum Stand der Umsetzung",
          "halbjahr": "Halbjahresbericht der Steuerungsgruppe",
          "beirat": "Jahresbericht an den Beirat", "integrationsbericht": "Integrationsbericht"}


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


def field_states(uow: UnitOfWork, today: date, later: Later | None = None) -> list[FieldState]:
    """Each field's recommendations, counts, progress and overdue items; with `later`, as they
    stood before those changes (a past period's end)."""
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
        recs = [later.view(r) for r in f.recommendations] if later else list(f.recommendations)
        counts: dict[Any, int] = {}
        for r in recs:
            counts[r.status] = counts.get(r.status, 0) + 1
        planned, spent, staff = (Decimal(str(v)).quantize(Decimal("0.01"))
                                 for v in sums.get(f.id, (zero, zero, zero)))
        out.append(FieldState(
            f, recs, counts, round(sum(r.progress for r in recs) / len(recs)) if recs else 0,
            [r for r in recs if r.is_overdue(today)], planned, spent, staff))
    return out


def _progress_chart(states: list[FieldState], figures: dict[str, Any]) -> str:
    labels, values = [s.field.code for s in states], [s.progress for s in states]
    figures[svgcharts.chart_id("fortschritt")] = ("bars", labels, values, "Fortschritt nach Handlungsfeld")
    return svgcharts.progress_by_field(labels, values, "Fortschritt nach Handlungsfeld", "fortschritt")


def _indicators(uow: UnitOfWork, span: Span, figures: dict[str, Any]) -> list[dict[str, Any]]:
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
        chart = svgcharts.series_by_gender(ind.unit, by_gender, f"indikator-{ind.code}", ind.name) if totals else ""
        if totals:
            figures[svgcharts.chart_id(f"indikator-{ind.code}")] = ("lines", ind.unit, by_gender, ind.name)
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


def build(uow: UnitOfWork, kind: str, period: str, body_code: str | None, today: date,
          zone: str = "Europe/Berlin") -> dict[str, Any]:
    if kind not in KINDS:
        raise ReportError(f"„{kind[:30]}“ ist keine Berichtsart; erlaubt: {', '.join(KINDS)}")
    span = parse_period(period)
    checks.fits(uow, kind, span, body_code, today)
    concept = uow.catalog.concept()
    # a period that has ended is reported as it stood at its end (F3); a running one as it stands
    end = checks.period_end(span, zone)
    ended = span.end < today
    later = asof.changes_after(uow, end) if ended else None
    state = content.data_state(uow)
    base: dict[str, Any] = {"kind": kind, "title": TITLES[kind], "span": span, "concept": concept, "body": None,
                            "labels": STATUS_LABELS, "today": span.end if ended else today,
                            "data_state": min(state, end) if ended else state, "ended": ended,
                            "written": today, "toc": kind in LONG, "lang_mark": content.marked,
                            "recipients": _recipients(uow, kind), "figures": {}}
    if kind == "sachstand":
        return {**base, **_sachstand(uow, span, body_code, base["today"], base["figures"], later)}
    today = base["today"]
    states = field_states(uow, today, later)
    rounds = _rounds(uow, span)
    base.update(states=states, chart=_progress_chart(states, base["figures"]), rounds=content.round_rows(uow, rounds),
                changes=_change_count(uow, span), total_recs=sum(len(s.recs) for s in states))
    if kind in ("stand", "halbjahr"):
        # each blocker beside its recommendation's status at the period's end, as everywhere else (rep2 F2)
        found = [replace(b, rec=later.view(b.rec)) if later else b for b in content.blockers(uow, rounds)]
        base["blockers"] = found
        base["decisions"] = content.decisions(uow, states, span, today, {b.rec.id: b.text for b in found})
    if kind in ("beirat", "integrationsbericht"):
        base["meetings"] = _meetings_held(uow, span)
        base["meeting_label"] = content.meeting_label
    if kind == "integrationsbericht":
        base["indicators"] = _indicators(uow, span, base["figures"])
        base["totals"] = {"planned": sum((s.planned for s in states), Decimal(0)),
                          "spent": sum((s.spent for s in states), Decimal(0)),
                          "staff": sum((s.staff for s in states), Decimal(0))}
    return base


def _sachstand(uow: UnitOfWork, span: Span, body_code: str | None, today: date,
               figures: dict[str, Any], later: Later | None) -> dict[str, Any]:
    body = uow.bodies.by_code(body_code) if body_code else None
    if body is None:
        raise ReportError("der Sachstandsbericht braucht ein Gremium: --body EG2")
    rounds = _rounds(uow, span, body.id)
    answers: dict[int, StatusUpdate] = {}
    if rounds:
        for upd in uow.rounds.updates(rounds[-1]):
            answers[upd.recommendation_id] = upd
    recs = [later.view(r) if later else r for r in uow.catalog.recommendations_of_body(body.id)]
    chart = svgcharts.progress_by_field([r.code for r in recs], [r.progress for r in recs],
                                         f"Fortschritt – {body.code}", f"fortschritt-{body.code}") if recs else ""
    if recs:
        figures[svgcharts.chart_id(f"fortschritt-{body.code}")] = (
            "bars", [r.code for r in recs], [r.progress for r in recs], f"Fortschritt – {body.code}")
    return {"body": body, "round": rounds[-1] if rounds else None, "recs": recs, "answers": answers,
            "chart": chart, "rows": content.round_rows(uow, rounds[-1:]),
            "recipients": sorted({line.to_body.name for line in uow.bodies.reporting_lines() if line.from_body_id == body.id})}


def _recipients(uow: UnitOfWork, kind: str) -> list[str]:
    """Whom the report goes to: the receiving bodies of the lines that deliver this kind."""
    with_recs = {b for b in uow.session.scalars(select(Recommendation.body_id).distinct()) if b is not None}
    return sorted({line.to_body.name for line in uow.bodies.reporting_lines() if kind_for(uow, line, with_recs) == kind})


def _change_count(uow: UnitOfWork, span: Span) -> int:
    start, end = span.moments()
    return uow.session.scalar(select(func.count()).select_from(Change).where(Change.at >= start, Change.at <= end)) or 0


def _meetings_held(uow: UnitOfWork, span: Span) -> list[Meeting]:
    start, end = span.moments()
    return list(uow.session.scalars(select(Meeting).where(Meeting.starts_at >= start, Meeting.starts_at <= end,
                                                          Meeting.state == "held")
                                    .options(selectinload(Meeting.body)).order_by(Meeting.starts_at, Meeting.id)))


@dataclass(frozen=True)
class Report:
    """One rendered report: its HTML and the data it was made of (for PDF and DOCX)."""

    kind: str
    html: str
    values: dict[str, Any]  # read them inside the unit of work; the title and data state also after
    title: str

    @property
    def data_state(self) -> datetime:
        return self.values["data_state"]


def document(services: Services, uow: UnitOfWork, kind: str, period: str, body: str | None = None) -> Report:
    from zoneinfo import ZoneInfo

    settings = services.settings.general
    today = services.clock().astimezone(ZoneInfo(settings.timezone)).date()
    values = build(uow, kind, period, body, today, settings.timezone)
    template = "halbjahr" if kind == "stand" else kind  # the same content under another title
    from bot.csp import REPORT_CSP

    html = services.renderer.render(template, "reports", settings.locale, settings.timezone, csp=REPORT_CSP,
                                    **values)
    body_name = values["body"].name if values.get("body") else ""
    title = f"{values['title']} {values['span'].label}" + (f" – {body_name}" if body_name else "")
    return Report(kind, _with_toc(html), values, title)


def render(services: Services, uow: UnitOfWork, kind: str, period: str, body: str | None = None) -> str:
    return document(services, uow, kind, period, body).html


_H2 = re.compile(r"<h2>(.*?)</h2>", re.S)


def _with_toc(html: str) -> str:
    """Numbers the sections (`<h2 id="abschnitt-1">`) and lists them where the template left
    `<!--toc-->` (the long reports); in print each entry gets its page number (CSS)."""
    if "<!--toc-->" not in html:
        return html
    entries: list[str] = []

    def number(m: re.Match[str]) -> str:
        entries.append(m[1])
        return f'<h2 id="abschnitt-{len(entries)}">{m[1]}</h2>'

    html = _H2.sub(number, html)
    items = "".join(f'<li><a href="#abschnitt-{i}">{text}</a></li>' for i, text in enumerate(entries, start=1))
    nav = f'<nav class="toc" aria-labelledby="inhalt"><h2 id="inhalt">Inhalt</h2><ol>{items}</ol></nav>'
    return html.replace("<!--toc-->", nav, 1)
