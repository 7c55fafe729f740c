"""Opening, answering and closing rounds. Functions get a Context: who acts, when, how to send.

Nothing here sends prompts directly: opening a round only writes one pending status update
per item; the fan-out job (bot/rounds/jobs.py) asks the people in batches.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from bot.core.commands import N_
from bot.core.context import Context
from bot.core.events import ChannelRef
from sqlalchemy import select

from storage.models import (Absence, MetricValue, Person, Recommendation, Release, ReportingLine, Round,
                            Status, StatusUpdate)

from bot.core.periods import due_at, due_day, period_of


class RoundError(Exception):
    """A round cannot be opened or changed as asked; the message says why (msgid)."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message)
        self.message = message
        self.values = values


def line_for(ctx: Context, body_code: str) -> ReportingLine:
    """The reporting line a body's rounds belong to (to the coordinating office first)."""
    body = ctx.uow.bodies.by_code(body_code)
    if body is None:
        raise RoundError(N_("There is no body {code}. “gremien” lists them."), code=body_code)
    lines = [line for line in ctx.uow.bodies.reporting_lines(body) if line.from_body_id == body.id]
    if not lines:
        raise RoundError(N_("{code} does not report to any body, so it has no rounds."), code=body.code)
    return sorted(lines, key=lambda line: (not line.to_body.coordinating, line.id))[0]


def in_scope(ctx: Context, line: ReportingLine) -> list[Recommendation]:
    """The recommendations a round asks about: the reporting body's, not yet done or dropped."""
    recs = ctx.uow.catalog.recommendations_of_body(line.from_body_id)
    return [rec for rec in recs if not rec.status.closed]


def open_round(ctx: Context, line: ReportingLine, due: date) -> Round:
    period = period_of(due, line.per_year)
    existing = ctx.uow.rounds.find(line, period.label)
    if existing is not None:
        if existing.state == "open":  # the date in the reader's format (ctx.t)
            raise RoundError(N_("The round {period} of {code} is already open (deadline {due})."),
                             period=period.label, code=line.from_body.code, due=due_day(existing.due_at, ctx.tz))
        raise RoundError(N_("The round {period} of {code} was already held and is closed."),
                         period=period.label, code=line.from_body.code)
    items = in_scope(ctx, line)
    if not items:
        raise RoundError(N_("{code} has no open recommendations to ask about."), code=line.from_body.code)
    round_ = ctx.uow.rounds.add(Round(
        reporting_line=line, period=period.label, opens_at=ctx.now(), due_at=due_at(due, ctx.services.settings.general.timezone),
        state="open", result={}, opened_by_id=ctx.person.id if ctx.person else None))
    ctx.uow.session.add_all([StatusUpdate(round=round_, recommendation_id=rec.id, asked_id=rec.owner_id,
                                          state="pending", metric_values={}) for rec in items])
    ctx.uow.flush()
    ctx.uow.audit.record(ctx.person, "open_round", "round", f"{line.from_body.code} {period.label}",
                         new={"due": due.isoformat(), "items": len(items)})
    return round_


# -- what the status of a round is -------------------------------------------------------


@dataclass
class PersonState:
    person: Person | None
    total: int = 0
    answered: int = 0
    codes: list[str] = field(default_factory=list)
    absent_until: date | None = None
    snoozed: bool = False
    handed_from: list[str] = field(default_factory=list)


@dataclass
class RoundView:
    round: Round
    due: date
    counts: dict[str, int]
    people: list[PersonState]
    unowned: list[str]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def view(ctx: Context, round_: Round) -> RoundView:
    today = ctx.today()
    people: dict[int, PersonState] = {}
    unowned: list[str] = []
    for upd in ctx.uow.rounds.updates(round_):
        if upd.asked is None:
            unowned.append(upd.recommendation.code)
            continue
        entry = people.setdefault(upd.asked.id, PersonState(upd.asked))
        entry.total += 1
        entry.answered += upd.state == "submitted"
        if upd.state != "submitted":
            entry.codes.append(upd.recommendation.code)
        entry.snoozed = entry.snoozed or upd.snoozed_until is not None and upd.state == "pending"
        if upd.delegated_to_id == upd.asked_id and upd.author_id is None:
            entry.handed_from.append(upd.recommendation.code)
        entry.absent_until = next((a.end for a in upd.asked.absences if a.start <= today <= a.end), None)
    ordered = sorted(people.values(), key=lambda p: (p.answered == p.total, p.person.name if p.person else ""))
    return RoundView(round_, due_day(round_.due_at, ctx.tz), ctx.uow.rounds.counts(round_), ordered, unowned)


# -- answering ---------------------------------------------------------------------------


_GERMAN = re.compile(r"[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?")  # 1.234,5 · 1234,5 · 12
_ENGLISH = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?")  # 1,234.5 · 1234.5 · 12
_POINT = re.compile(r"[+-]?\d+\.\d+")  # 12.5, when there is no comma
LIMIT = Decimal("1e12")


def parse_number(text: str, locale: str = "de") -> Decimal | None:
    """German first: `1.234,5`, `1234,5`, `12`; `12.5` also reads as a decimal point.
    In English a number reads as the bot writes it there: `1,280` is 1280, `1,234.5`, `12.5`;
    what is no English number (`1.234,5`, `25,5`) is read the German way."""
    raw = text.strip().replace("\u00a0", "").replace(" ", "")
    if locale == "en" and _ENGLISH.fullmatch(raw):
        value = Decimal(raw.replace(",", ""))
    elif _GERMAN.fullmatch(raw):
        value = Decimal(raw.replace(".", "").replace(",", "."))
    elif _POINT.fullmatch(raw) and not re.fullmatch(r"[+-]?\d{1,3}\.\d{3}", raw):
        value = Decimal(raw)
    else:
        return None
    return value if abs(value) < LIMIT else None


def submit(ctx: Context, upd: StatusUpdate, item: dict[str, Any]) -> None:
    """Save one answered item and apply it to the recommendation, with history."""
    rec, actor, source = upd.recommendation, ctx.person, "round" if upd.round_id else "update"
    new_status = Status(item["status"])
    if new_status != rec.status:
        ctx.uow.catalog.record_change(rec, "status", rec.status, new_status, actor, source)
        rec.status = new_status
    progress = item.get("progress")
    if progress is not None and not rec.progress_from_measures and progress != rec.progress:
        ctx.uow.catalog.record_change(rec, "progress", rec.progress, progress, actor, source)
        rec.progress = progress
    _metrics(ctx, upd, rec, item.get("metrics", {}))
    upd.status, upd.progress = new_status, rec.progress
    upd.happened, upd.next_steps = item.get("happened", ""), item.get("next_steps", "")
    upd.blockers, upd.public_summary = item.get("blockers", ""), item.get("summary", "")
    upd.publish_ok = bool(item.get("publish")) and bool(upd.public_summary)
    upd.metric_values = dict(item.get("metrics", {}))
    upd.state, upd.author_id, upd.submitted_at, upd.snoozed_until = "submitted", actor.id if actor else None, ctx.now(), None
    _propose_release(ctx, upd, rec)
    ctx.uow.audit.record(actor, "submit_update", "recommendation", rec.code,
                         new={"status": new_status.value, "progress": rec.progress, "round": upd.round_id})


def _propose_release(ctx: Context, upd: StatusUpdate, rec: Recommendation) -> None:
    """Nothing is public until a coordinator releases it (`freigabe`); a correction replaces
    the pending proposal of the same answer."""
    from bot import releases

    text = upd.public_summary if upd.publish_ok else ""
    existing = ctx.uow.session.scalars(select(Release).where(Release.status_update_id == upd.id,
                                                             Release.state == "pending")).first()
    if existing is not None:
        existing.text, existing.status, existing.progress = text, upd.status, upd.progress
    else:
        releases.propose(ctx, rec, status=upd.status, progress=upd.progress, text=text, update_id=upd.id)


def _metrics(ctx: Context, upd: StatusUpdate, rec: Recommendation, values: dict[str, str]) -> None:
    for metric in rec.metrics:
        raw = values.get(str(metric.id))
        if raw is None:
            continue
        value = Decimal(raw)
        if metric.current is not None and metric.current_date is not None and not ctx.uow.session.scalar(
                select(MetricValue.id).where(MetricValue.metric_id == metric.id).limit(1)):
            # the imported value keeps its date once a report overwrites `current` (site2 F1):
            # a row of no status update and no reporter is the catalog's own, public value
            ctx.uow.session.add(MetricValue(metric_id=metric.id, value=metric.current, as_of=metric.current_date,
                                            status_update_id=None, reported_by_id=None, recorded_at=ctx.now()))
        if metric.current != value:
            ctx.uow.catalog.record_change(rec, f"metric:{metric.name}", metric.current, value, ctx.person,
                                          "round" if upd.round_id else "update")
        metric.current, metric.current_date = value, ctx.today()
        ctx.uow.session.add(MetricValue(metric_id=metric.id, value=value, as_of=ctx.today(),
                                        status_update_id=upd.id, reported_by_id=ctx.person.id if ctx.person else None,
                                        recorded_at=ctx.now()))


def record_absence(ctx: Context, person: Person, until: date) -> None:
    """`abwesend bis …`: reminders stop until then, and the office is told."""
    today = ctx.today()
    if any(a.end == until and a.start <= today for a in person.absences):
        return  # the same absence again: already noted, the office is not told twice
    ctx.uow.session.add(Absence(person_id=person.id, start=today, end=until, note="round"))
    ctx.uow.flush()
    ctx.uow.session.refresh(person, ["absences"])
    pending = len(ctx.uow.rounds.pending_for(person.id))
    ctx.uow.audit.record(person, "absence", "person", person.handle, new={"until": until.isoformat()})
    for channel in office_channels(ctx):
        ctx.send(channel, "round_absence_noted", ctx.services.settings.general.locale,
                 who=person.name, until=until, pending=pending)


def office_channels(ctx: Context, line: ReportingLine | None = None) -> list[ChannelRef]:
    """Where the office reads: the receiving body's rooms and the coordinating office's."""
    bodies = [line.to_body] if line is not None else []
    office = ctx.uow.bodies.office()
    if office is not None and office not in bodies:
        bodies.append(office)
    running = ctx.services.formats
    return [ChannelRef(room.transport, room.room_id) for body in bodies for room in body.rooms
            if room.transport in running]


def closed_values(ctx: Context, round_: Round) -> dict[str, Any]:
    from bot.core.labels import STATUS_LABELS

    return {"round": round_, "line": round_.reporting_line, "result": round_.result,
            "labels": {s.value: label for s, label in STATUS_LABELS.items()}}


# -- closing -----------------------------------------------------------------------------


def close_round(ctx: Context, round_: Round, digest: bool = True) -> dict[str, Any]:
    """Unanswered items become "keine Meldung"; the result is stored and posted to the office.
    `digest=False`: the caller sends one digest for several rounds closing together."""
    ctx.uow.rounds.mark_no_report(round_)
    ctx.uow.flush()
    updates = ctx.uow.rounds.updates(round_)
    for upd in updates:
        ctx.uow.session.refresh(upd, ["state"])
    submitted = [u for u in updates if u.state == "submitted"]
    missing = [u for u in updates if u.state != "submitted"]
    result = {
        "items": len(updates), "submitted": len(submitted), "no_report": len(missing),
        "by_status": dict(Counter(u.status.value for u in submitted if u.status)),
        "progress_avg": round(sum(u.recommendation.progress for u in updates) / len(updates)) if updates else 0,
        "missing": [u.recommendation.code for u in missing],
        "blockers": [u.recommendation.code for u in submitted if u.blockers],
        "overdue": [u.recommendation.code for u in updates if u.recommendation.is_overdue(ctx.today())],
    }
    round_.state, round_.closed_at, round_.result = "closed", ctx.now(), result
    line = round_.reporting_line
    ctx.uow.audit.record(ctx.person, "close_round", "round", f"{line.from_body.code} {round_.period}",
                         new={"submitted": len(submitted), "no_report": len(missing)})
    for channel in office_channels(ctx, line):
        ctx.send(channel, "round_closed", ctx.services.settings.general.locale, **closed_values(ctx, round_))
    if digest:
        from bot import digests

        digests.send_to_subscribers(ctx, "round", round_)
    return result
