"""What the recipients of a report need besides the state per field (issue #21):

- the data state (when the data last changed: the title page's "Datenstand", and the PDF's and
  DOCX's creation time, so the same data gives the same file);
- each round's answers with their base ("3 von 6 Empfehlungen haben berichtet");
- blockers and support needed as the bodies reported them, and the decisions the political
  bodies are asked for (blocked items, overdue time targets, items on a receiving body's agenda);
- the language of free text: an answer written in English stands in a German report marked
  `lang="en"`, so a screen reader reads it with English pronunciation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import TYPE_CHECKING

from markupsafe import Markup, escape
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from storage.models import (Change, Measure, Meeting, Recommendation, Round, StatusUpdate)
from storage.models.base import Status

if TYPE_CHECKING:
    from storage.uow import UnitOfWork

    from .documents import FieldState, Span

_WORD = re.compile(r"[a-zäöüß]+")
# function words only: frequent, short, and not shared by the two languages
_EN = frozenset("the and of to is are was were with for we have has not this that on will been our from by it "
                "be there their they which would should could can need needs missing rooms staff yet".split())
_DE = frozenset("der die das und ist sind mit für wir nicht ein eine einen auf den dem des zu im von wird wurde "
                "haben hat sich auch noch bei nach aus wie oder über fehlen fehlt weitere".split())


def language(text: str) -> str | None:
    """"en" for a text written in English, None for German (the document's language) or too short."""
    words = _WORD.findall(text.lower())
    en = sum(w in _EN for w in words)
    de = sum(w in _DE for w in words)
    return "en" if en >= 2 and en > de else None


_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")  # Hebrew, Arabic and their presentation forms


def marked(text: str | None, empty: str = "–") -> Markup:
    """The text, escaped, in a `<span lang="en">` when it is English; with right-to-left script
    in it (Hebrew, Arabic) also `dir="auto"`, so it is laid out and read in its direction (F7)."""
    if not text:
        return Markup(escape(empty))
    lang = language(text)
    attrs = (f' lang="{lang}"' if lang else "") + (' dir="auto"' if _RTL.search(text) else "")
    return Markup(f"<span{attrs}>{escape(text)}</span>") if attrs else Markup(escape(text))


def data_state(uow: UnitOfWork) -> datetime:
    """When the report's data last changed (UTC): catalog, answers, rounds, meetings, history."""
    stamps = [uow.session.scalar(select(func.max(col))) for col in (
        Recommendation.updated_at, Measure.updated_at, StatusUpdate.updated_at, Round.updated_at,
        Meeting.updated_at, Change.at)]
    known = [s if s.tzinfo else s.replace(tzinfo=timezone.utc) for s in stamps if s is not None]
    return max(known) if known else datetime(2000, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True)
class RoundRow:
    round: Round
    body_code: str
    body_name: str
    total: int  # the body's recommendations: the base of every count
    asked: int
    submitted: int
    no_report: int


def round_rows(uow: UnitOfWork, rounds: list[Round]) -> list[RoundRow]:
    """One query for the bases and one for the rounds still open, however many rounds there are."""
    totals: dict[int | None, int] = {body_id: n for body_id, n in uow.session.execute(
        select(Recommendation.body_id, func.count()).group_by(Recommendation.body_id))}
    open_ids = [r.id for r in rounds if "items" not in (r.result or {})]
    counted: dict[int | None, dict[str, int]] = {}  # StatusUpdate.round_id is nullable (never here)
    if open_ids:
        for round_id, state, n in uow.session.execute(
                select(StatusUpdate.round_id, StatusUpdate.state, func.count())
                .where(StatusUpdate.round_id.in_(open_ids)).group_by(StatusUpdate.round_id, StatusUpdate.state)):
            counted.setdefault(round_id, {})[state] = n
    rows = []
    for r in rounds:
        body = r.reporting_line.from_body
        result = r.result or {}
        if "items" in result:
            asked, submitted, missing = result["items"], result.get("submitted", 0), result.get("no_report", 0)
        else:  # still open: count what has come in
            states = counted.get(r.id, {})
            asked, submitted, missing = sum(states.values()), states.get("submitted", 0), states.get("no_report", 0)
        rows.append(RoundRow(r, body.code, body.name, totals.get(body.id, 0), asked, submitted, missing))
    return rows


@dataclass(frozen=True)
class Blocker:
    rec: Recommendation
    body_code: str
    text: str
    reported: date | None


def blockers(uow: UnitOfWork, rounds: list[Round]) -> list[Blocker]:
    """Each recommendation's latest reported blocker or support need in the period's rounds."""
    # keyed like StatusUpdate.round_id, which is nullable (the query takes none without a round)
    by_id: dict[int | None, Round] = {r.id: r for r in rounds}
    latest: dict[int, tuple[StatusUpdate, Round]] = {}
    if by_id:
        updates = uow.session.scalars(select(StatusUpdate).where(StatusUpdate.round_id.in_(list(by_id)),
                                                                 StatusUpdate.state == "submitted")
                                      .options(selectinload(StatusUpdate.recommendation)))
        order: dict[int | None, int] = {r.id: i for i, r in enumerate(rounds)}  # oldest first: later answers win
        for upd in sorted(updates, key=lambda u: (order[u.round_id], u.id)):
            latest[upd.recommendation_id] = (upd, by_id[upd.round_id])
    found = []
    for upd, r in latest.values():
        if upd.blockers.strip():
            found.append(Blocker(upd.recommendation, r.reporting_line.from_body.code, upd.blockers.strip(),
                                 upd.submitted_at.date() if upd.submitted_at else None))
    return sorted(found, key=lambda b: b.rec.code)


@dataclass(frozen=True)
class Decision:
    rec: Recommendation | None
    kind: str  # blocked | overdue | agenda
    text: str
    meeting: Meeting | None = None
    overdue: bool = False  # a blocked item past its time target: both requests in one entry


def decisions(uow: UnitOfWork, states: list[FieldState], span: Span, today: date,
              blocked_by: dict[int, str]) -> list[Decision]:
    """What the political bodies are asked to decide: how a blocked item goes on, a new time
    target for each overdue one, and the items already on a planned meeting's public agenda."""
    out: list[Decision] = []
    late = {rec.id for state in states for rec in state.overdue}
    for state in states:
        for rec in state.recs:
            if rec.status == Status.BLOCKED:
                out.append(Decision(rec, "blocked", blocked_by.get(rec.id, ""), overdue=rec.id in late))
    for state in states:
        for rec in state.overdue:
            if rec.status != Status.BLOCKED:  # a blocked one's entry names its time target (F11)
                out.append(Decision(rec, "overdue", ""))
    start = datetime.combine(span.start, datetime.min.time(), tzinfo=timezone.utc)
    planned = uow.session.scalars(select(Meeting).where(Meeting.state.in_(("planned", "invited")),
                                                        Meeting.starts_at >= start)
                                  .options(selectinload(Meeting.agenda), selectinload(Meeting.body))
                                  .order_by(Meeting.starts_at, Meeting.id)).all()
    recs = {r.id: r for s in states for r in s.recs}
    for meeting in planned:
        for item in sorted(meeting.agenda, key=lambda a: a.position):
            if item.public and item.state == "accepted" and item.recommendation_id in recs:
                out.append(Decision(recs[item.recommendation_id], "agenda", item.title, meeting))
    return out


def meeting_label(meeting: Meeting) -> str:
    """"EG2 Expertengruppe …: 3. Sitzung 2026" — four bodies have a "3. Sitzung 2026"."""
    return f"{meeting.body.code} {meeting.body.name}: {meeting.title}"
