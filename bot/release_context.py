"""What `freigabe` shows per entry so the office can decide (issue #18): who reported it and when,
what the public sees now and what it would see after the release, and the language of a summary
(a summary in English went public verbatim once: the page is German)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from bot import catalog_edits as edits
from bot.catalog_edits import EDIT_PREFIX
from bot.core.language import summary_language
from storage.models import MetricValue, Person, Recommendation, Release, Status, StatusUpdate

if TYPE_CHECKING:
    from storage.uow import UnitOfWork


@dataclass
class Shown:
    status: Status | None
    progress: int | None
    text: str
    edit_value: Any = None  # for a catalog edit: the value of its attribute


@dataclass
class Entry:
    release: Release
    rec: Recommendation | None
    who: str  # who reported (or proposed) it; "" unknown
    when: datetime
    now: Shown
    after: Shown
    language: str | None
    attribute: str | None  # a catalog edit's attribute (`catalog_edits.Held`), else None
    subject: str  # the measure code or metric name a catalog edit concerns, else ""
    metrics: list[tuple[str, Any, Any, str]] = field(default_factory=list)  # (name, public now, after, unit)
    newer_public: datetime | None = None  # the public stand was reported after this one (site2 F10)


def _metrics(uow: UnitOfWork, rec: Recommendation, upd: StatusUpdate) -> list[tuple[str, Any, Any, str]]:
    """The target-metric values a report brings: releasing it publishes them too (site finding F12)."""
    from bot.public import monitoring

    reported = {v.metric_id: v.value for v in uow.session.scalars(
        select(MetricValue).where(MetricValue.status_update_id == upd.id)).all()}
    return [(pm.metric.name, pm.value, reported[pm.metric.id], pm.metric.unit)
            for pm in monitoring.metrics(uow, rec) if pm.metric.id in reported]


def _display(value: Any) -> Any:
    """A held value as `freigabe` shows it: a person by name, a body by code (dates and statuses stay)."""
    if isinstance(value, Person):
        return value.name
    return getattr(value, "code", value) if not isinstance(value, Status) else value


def _edit(uow: UnitOfWork, r: Release, rec: Recommendation) -> tuple[str, str, Any, Any]:
    """(attribute, subject, public now, after release) of a catalog edit."""
    held = edits.held(uow.session, r)
    if r.kind in edits.CREATIONS:
        return held.attribute, held.subject, None, _created(rec, r.kind, held.subject)
    if r.kind == edits.MEASURE:
        measure = next((m for m in rec.measures if m.code == held.subject), None)
        now = getattr(measure, held.attribute.removeprefix("measure:")) if measure is not None else None
        return held.attribute, held.subject, _display(now), _display(held.value)
    return held.attribute, "", _display(getattr(rec, held.attribute)), _display(held.value)


def _created(rec: Recommendation, kind: str, subject: str) -> Any:
    if kind == edits.NEW_REC:
        return rec.title
    if kind == edits.NEW_MEASURE:
        return next((m.title for m in rec.measures if m.code == subject), subject)
    return next((m for m in rec.metrics if m.name == subject), subject)  # the template shows target and baseline


def entries(uow: UnitOfWork, pending: list[Release]) -> list[Entry]:
    from bot.public import data

    out = []
    for r in pending:
        rec = uow.session.get(Recommendation, r.recommendation_id)
        upd = uow.session.get(StatusUpdate, r.status_update_id) if r.status_update_id else None
        person_id = r.proposed_by_id or (upd.author_id if upd else None)
        person = uow.session.get(Person, person_id) if person_id else None
        when = (upd.submitted_at if upd and upd.submitted_at else None) or r.created_at
        public = data.item(uow, rec.code) if rec is not None else None
        latest = public.latest if public else None
        now = Shown(latest.status if latest else None, latest.progress if latest else None, latest.text if latest else "")
        if r.kind.startswith(EDIT_PREFIX) and rec is not None:
            attribute, subject, now.edit_value, value = _edit(uow, r, rec)
            after = Shown(now.status, now.progress, now.text, value)
            out.append(Entry(r, rec, person.name if person else "", when, now, after, None, attribute, subject))
            continue
        after = Shown(r.status if r.status is not None else now.status,
                      r.progress if r.progress is not None else now.progress, r.text or now.text)
        newer = latest.reported if latest and latest.reported and latest.reported > r.created_at else None
        if newer is not None:  # older than what is public: releasing it keeps the public picture
            after = Shown(now.status, now.progress, now.text)
        # too few common words to tell ("Digital advice now available …"): the reporter's language
        language = (summary_language(r.text) or (person.locale if person else None)) if r.text else None
        out.append(Entry(r, rec, person.name if person else "", when, now, after, language, None, "",
                         _metrics(uow, rec, upd) if rec is not None and upd is not None else [], newer))
    return out
