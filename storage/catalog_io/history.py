"""Past rounds, released answers and meetings for the example (`examples/*-verlauf.yaml`).

A fresh `make run` should show the process in motion: a public page with released history,
a feed that is not empty, digests with content. This loads such a history once, into a
database whose catalog is already imported; problems are reported like catalog errors."""
from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from ..models import AgendaItem, Meeting, Release, Round, Status, StatusUpdate, utcnow
from ..uow import UnitOfWork
from .errors import CatalogError


def history_for(catalog: Path) -> Path | None:
    """The history next to a catalog: koeln.yaml → koeln-verlauf.yaml."""
    candidate = catalog.with_name(f"{catalog.stem}-verlauf{catalog.suffix}")
    return candidate if candidate.is_file() else None


def load_history(uow: UnitOfWork, path: Path, tz: str) -> int:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    errors: list[str] = []
    releaser = uow.people.by_handle(str(data.get("released_by", "")))
    count = 0
    for n, entry in enumerate(data.get("rounds", []), start=1):
        count += _round(uow, entry, releaser, tz, errors, f"rounds[{n}]")
    for n, entry in enumerate(data.get("meetings", []), start=1):
        count += _meeting(uow, entry, tz, errors, f"meetings[{n}]")
    if errors:
        raise CatalogError(path, errors)
    return count


def _round(uow: UnitOfWork, entry: dict[str, Any], releaser: Any, tz: str, errors: list[str], where: str) -> int:
    body = uow.bodies.by_code(str(entry.get("body", "")))
    line = next((ln for ln in uow.bodies.reporting_lines(body) if body and ln.from_body_id == body.id), None)
    if line is None:
        errors.append(f"{where}: Gremium {entry.get('body')!r} fehlt oder berichtet an niemanden")
        return 0
    due: date = entry["due"]
    due_at = datetime.combine(due, time(23, 59), tzinfo=ZoneInfo(tz))
    round_ = Round(reporting_line=line, period=str(entry["period"]), opens_at=due_at - timedelta(days=line.lead_days),
                   due_at=due_at, state="closed", closed_at=due_at, result={})
    uow.session.add(round_)
    answered = []
    for i, answer in enumerate(entry.get("answers", []), start=1):
        upd = _answer(uow, round_, answer, due_at, releaser, errors, f"{where}.answers[{i}]")
        if upd is not None:
            answered.append(upd)
    round_.result = {"items": len(answered), "submitted": len(answered), "no_report": 0,
                     "by_status": {}, "progress_avg": 0, "missing": [], "blockers": [], "overdue": []}
    return 1 + len(answered)


def _answer(uow: UnitOfWork, round_: Round, answer: dict[str, Any], due_at: datetime, releaser: Any,
            errors: list[str], where: str) -> StatusUpdate | None:
    rec = uow.catalog.recommendation(str(answer.get("code", "")))
    person = uow.people.by_handle(str(answer.get("by", "")))
    if rec is None or person is None:
        errors.append(f"{where}: unbekannte Empfehlung oder Person ({answer.get('code')}, {answer.get('by')})")
        return None
    at = due_at - timedelta(days=3)
    upd = StatusUpdate(round=round_, recommendation_id=rec.id, author_id=person.id, asked_id=person.id,
                       state="submitted", status=Status(answer["status"]), progress=int(answer["progress"]),
                       happened=answer.get("happened", ""), next_steps=answer.get("next_steps", ""),
                       blockers=answer.get("blockers", ""), public_summary=answer.get("summary", ""),
                       publish_ok=bool(answer.get("summary")), submitted_at=at, prompted_at=at, metric_values={})
    uow.session.add(upd)
    uow.flush()
    released = bool(answer.get("released"))
    uow.session.add(Release(kind="update", recommendation_id=rec.id, status_update_id=upd.id,
                            text=upd.public_summary, status=upd.status, progress=upd.progress,
                            state="released" if released else "pending",
                            decided_by_id=releaser.id if released and releaser else None,
                            decided_at=due_at + timedelta(days=3) if released else None, created_at=at))
    return upd


def _number(uow: UnitOfWork, body_id: int, start: datetime) -> int:
    """The n-th meeting of the body in the year of `start`, as the meetings service numbers them."""
    def year(at: datetime) -> int:
        aware = at if at.tzinfo else at.replace(tzinfo=timezone.utc)
        return aware.astimezone(start.tzinfo).year
    same = [m.number for m in uow.session.query(Meeting).filter_by(body_id=body_id) if year(m.starts_at) == start.year]
    return max(same, default=0) + 1


def _meeting(uow: UnitOfWork, entry: dict[str, Any], tz: str, errors: list[str], where: str) -> int:
    body = uow.bodies.by_code(str(entry.get("body", "")))
    if body is None:
        errors.append(f"{where}: unbekanntes Gremium {entry.get('body')!r}")
        return 0
    start = datetime.fromisoformat(str(entry["start"])).replace(tzinfo=ZoneInfo(tz))
    meeting = Meeting(body_id=body.id, title=str(entry["title"]), starts_at=start,
                      ends_at=start + timedelta(minutes=int(entry.get("minutes", 90))),
                      place=str(entry.get("place", "")), state=str(entry.get("state", "planned")),
                      uid=f"{uuid.uuid4()}@sachstand", created_at=utcnow(), number=_number(uow, body.id, start))
    meeting.agenda = [AgendaItem(position=i, number=i, title=str(a["title"]), public=bool(a.get("public")),
                                 state="accepted", result=str(a.get("result", "")))
                      for i, a in enumerate(entry.get("agenda", []), start=1)]
    uow.session.add(meeting)
    return 1

