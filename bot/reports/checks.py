"""Whether a report can be written for what was asked (issue #21, findings F2 and F4): a period
that has begun and that the data reaches back to, of the kind's length, and a body only where
the kind is one body's report. Each refusal is German (the reports' language) and says what is
allowed; nothing is written."""
from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from storage.models import Change, MetricValue, Recommendation, StatusUpdate

if TYPE_CHECKING:
    from storage.uow import UnitOfWork

    from .documents import Span

# which period forms each kind is written for: Q quarter, H half-year, Y year, YY several years
FORMS = {"sachstand": ("Q", "H", "Y"), "stand": ("Q", "H", "Y", "YY"), "halbjahr": ("H",), "beirat": ("Y",),
         "integrationsbericht": ("Y", "YY")}
EXAMPLES = {"Q": "2026-Q4", "H": "2026-H2", "Y": "2026", "YY": "2025-2026"}


class ReportError(ValueError):
    """What was asked cannot be reported; the message is German and says what is allowed."""


def form(span: Span) -> str:
    label = span.label
    return "Q" if "-Q" in label else "H" if "-H" in label else "YY" if "-" in label else "Y"


def fits(uow: UnitOfWork, kind: str, span: Span, body_code: str | None, today: date) -> None:
    allowed = FORMS[kind]
    if form(span) not in allowed:
        raise ReportError(f"„{span.label}“ passt nicht zu „{kind}“; erlaubt: "
                          f"{' oder '.join(EXAMPLES[f] for f in allowed)}")
    if body_code and kind != "sachstand":
        raise ReportError(f"--body gilt nur für den Sachstandsbericht (sachstand); „{kind}“ berichtet über alle Gremien")
    if span.start > today:
        raise ReportError(f"der Zeitraum {span.label} beginnt erst am {span.start:%d.%m.%Y}; "
                          "berichtet wird über einen begonnenen oder vergangenen Zeitraum")
    first = earliest(uow)
    if first is not None and span.end < first:
        raise ReportError(f"für {span.label} gibt es keine Daten: die ersten stammen vom {first:%d.%m.%Y}")


def earliest(uow: UnitOfWork) -> date | None:
    """The day the first recommendation was entered (the catalog's import), or of an earlier recorded
    change, answer or metric value (a catalog with its history): before it, the data says nothing."""
    stamps = [uow.session.scalar(select(func.min(Recommendation.created_at))),
              uow.session.scalar(select(func.min(Change.at))),
              uow.session.scalar(select(func.min(StatusUpdate.submitted_at))),
              uow.session.scalar(select(func.min(MetricValue.as_of)))]
    known = [s.date() if isinstance(s, datetime) else s for s in stamps if s is not None]
    return min(known) if known else None


def period_end(span: Span, zone: str) -> datetime:
    """The last moment of the period's last day, in the configured time zone."""
    return datetime.combine(span.end, time(23, 59, 59), tzinfo=ZoneInfo(zone))
