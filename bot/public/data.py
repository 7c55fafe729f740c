"""What the public may see, and nothing else.

Every public output (pages, Atom, JSON, OParl, the static export) is built from these
functions, so the rules live in one place:
- the catalog itself (codes, titles, descriptions, fields, bodies, time targets) is public —
  it is the council's published concept — except what a chair created and the office has not
  released (`bot.catalog_edits.unreleased`: new recommendations, metrics, measures);
- status, progress and summaries only as a coordinator released them;
- a person's name only with their recorded consent (otherwise the org unit);
- meetings that are not cancelled, and only their public agenda items;
- questions from the public only once a coordinator published them: their text, the answer, and
  the author's name only if given and agreed to be shown — never the e-mail address.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bot.catalog_edits import Unreleased, unreleased
from bot.meetings.agenda import public as public_agenda
from storage.models import (AgendaItem, Body, Field, Indicator, Measure, Meeting, Person, PublicQuestion, Recommendation, Release,
                            Status, utcnow)

if TYPE_CHECKING:
    from storage.uow import UnitOfWork


# releases of status, progress and summaries; a released catalog edit (kind "edit:…") is in the catalog itself
STATES = ~Release.kind.startswith("edit:")


@dataclass
class PublicState:
    status: Status | None
    progress: int | None
    text: str
    at: datetime
    kind: str
    release_id: int
    reported: datetime | None = None  # when it was reported (proposed): the order of the stands (site2 F10)


@dataclass
class PublicItem:
    rec: Recommendation
    owner: str  # a consenting person's name, else the org unit, else ""
    latest: PublicState | None
    history: list[PublicState] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)  # the released ones

    @property
    def status(self) -> Status | None:
        """The released status; None: nothing released yet ("noch nicht gemeldet")."""
        return self.latest.status if self.latest else None

    def overdue_as_of(self, today: date) -> date | None:
        """The date of the released report that shows the item overdue, else None.

        Overdue means "not finished by the time target", and the public can only know that from a
        released report made after the target that says it is not finished. A report before the
        target, nothing released, or any unreleased change (finished but not yet released) never
        makes an item overdue: the internal state is not consulted at all."""
        target = self.rec.time_target
        if target is None or target >= today or self.latest is None or self.latest.status is None:
            return None
        if self.latest.status.closed or self.latest.at.date() <= target:
            return None
        return self.latest.at.date()

    def overdue(self, today: date) -> bool:
        return self.overdue_as_of(today) is not None

    def target_passed_unreported(self, today: date) -> bool:
        """The time target has passed and no released report since says how it stands."""
        target = self.rec.time_target
        if target is None or target >= today:
            return False
        if self.latest is not None and self.latest.status is not None and self.latest.status.closed:
            return False
        return not self.overdue(today)


NOT_REPORTED = "not_reported"  # the key of items without a released status in counts


@dataclass
class PublicField:
    field: Field
    items: list[PublicItem]

    @property
    def progress(self) -> int | None:
        """The mean released progress of the items that count (see `averaged`)."""
        return mean_progress(self.items)

    @property
    def progress_basis(self) -> int:
        """How many items the average includes (see `averaged`)."""
        return sum(1 for i in self.items if averaged(i))

    def counts(self) -> dict[Status | str, int]:
        """Items per released status, and `NOT_REPORTED`: those with none released."""
        return status_counts(self.items)


def averaged(item: PublicItem) -> bool:
    """Whether an item counts in a progress average: it has a released progress and was not dropped —
    a dropped item is not work done, and its 100 % would raise the average (site finding F7)."""
    return item.latest is not None and item.latest.progress is not None and item.latest.status is not Status.DROPPED


def mean_progress(items: list[PublicItem]) -> int | None:
    known = [i.latest.progress for i in items if averaged(i) and i.latest and i.latest.progress is not None]
    return round(sum(known) / len(known)) if known else None


def status_counts(items: list[PublicItem]) -> dict[Status | str, int]:
    counts: dict[Status | str, int] = {s: 0 for s in Status}
    counts[NOT_REPORTED] = 0
    for item in items:
        key: Status | str = item.status if item.status is not None else NOT_REPORTED
        counts[key] += 1
    return counts


@dataclass
class PublicMeeting:
    meeting: Meeting
    body: Body
    agenda: list[AgendaItem]


@dataclass
class PublicBody:
    """A body on /gremien.html: upcoming (and running) meetings with the public agenda, past
    meetings with the public agenda — their results only once the minutes are approved (F8) —
    the members' organisations."""

    body: Body
    upcoming: list[PublicMeeting]
    past: list[PublicMeeting]
    organisations: list[str]


def bodies_page(uow: UnitOfWork, now: datetime) -> list[PublicBody]:
    everything = meetings(uow)
    out = []
    for body in uow.bodies.all():
        mine = [m for m in everything if m.body.id == body.id]
        past = [m for m in mine if m.meeting.ends_at < now]  # held, or over and still without minutes
        orgs = sorted({ms.shown_organisation for ms in body.memberships if ms.shown_organisation})
        out.append(PublicBody(body, [m for m in mine if m.meeting.ends_at >= now], past[::-1], orgs))
    return out


def owner_shown(person: Person | None, unit: str) -> str:
    if person is not None and person.publication_consent and not person.anonymized_at:
        return f"{person.name} ({unit})" if unit else person.name
    return unit


def _at(r: Release) -> datetime:
    """The date a released state is "as of": the release — but for the imported baseline the
    catalog's own date (`bot.baseline.data_date`), not the day the office clicked (site finding F8)."""
    return r.created_at if r.kind == "import" else (r.decided_at or r.created_at)


def _states(releases: list[Release]) -> list[PublicState]:
    """Newest first by when each was reported, not released: an older report released after a newer
    one does not turn the public picture back (site2 F10)."""
    return [PublicState(r.status, r.progress, r.text, _at(r), r.kind, r.id, r.created_at)
            for r in sorted(releases, key=lambda r: (r.created_at, r.id), reverse=True)]


def released(uow: UnitOfWork) -> dict[int, list[Release]]:
    """Released decisions per recommendation id (one query)."""
    rows = uow.session.scalars(select(Release).where(Release.state == "released", STATES)).all()
    out: dict[int, list[Release]] = {}
    for row in rows:
        out.setdefault(row.recommendation_id, []).append(row)
    return out


def _item(rec: Recommendation, releases: list[Release], hidden: Unreleased) -> PublicItem:
    history = _states(releases)
    latest_status = next((s for s in history if s.status is not None), None)
    latest = latest_status
    if latest is not None and history and history[0].text and not latest.text:
        latest = PublicState(latest.status, latest.progress, history[0].text, history[0].at, latest.kind,
                             latest.release_id, latest.reported)
    return PublicItem(rec, owner_shown(rec.owner, rec.owner_unit), latest, history,
                      [m for m in rec.measures if m.code not in hidden.measures])


def overview(uow: UnitOfWork) -> list[PublicField]:
    by_rec = released(uow)
    fields = uow.session.scalars(select(Field).order_by(Field.position, Field.code).options(
        selectinload(Field.recommendations).selectinload(Recommendation.owner),
        selectinload(Field.recommendations).selectinload(Recommendation.body),
        selectinload(Field.recommendations).selectinload(Recommendation.metrics),
        selectinload(Field.recommendations).selectinload(Recommendation.measures),
        selectinload(Field.recommendations).selectinload(Recommendation.indicators))).all()
    hidden = unreleased(uow.session)
    return [PublicField(f, [_item(r, by_rec.get(r.id, []), hidden) for r in f.recommendations
                            if r.id not in hidden.recs]) for f in fields]


def item(uow: UnitOfWork, code: str) -> PublicItem | None:
    rec = uow.catalog.recommendation(code)
    hidden = unreleased(uow.session)
    if rec is None or rec.id in hidden.recs:
        return None
    rows = uow.session.scalars(select(Release).where(Release.state == "released", STATES,
                                                     Release.recommendation_id == rec.id)).all()
    return _item(rec, list(rows), hidden)


def meetings(uow: UnitOfWork, *, upcoming_from: datetime | None = None,
             body: Body | None = None) -> list[PublicMeeting]:
    stmt = (select(Meeting).where(Meeting.state != "cancelled").order_by(Meeting.starts_at)
            .options(selectinload(Meeting.agenda)))
    if upcoming_from is not None:
        stmt = stmt.where(Meeting.starts_at >= upcoming_from)
    if body is not None:
        stmt = stmt.where(Meeting.body_id == body.id)
    bodies = {b.id: b for b in uow.bodies.all()}
    return [PublicMeeting(m, bodies[m.body_id], public_agenda(m))
            for m in uow.session.scalars(stmt).all() if m.body_id in bodies]


def feed(uow: UnitOfWork, limit: int = 50) -> list[tuple[Recommendation, PublicState]]:
    """The newest released decisions, newest first."""
    rows = uow.session.scalars(select(Release).where(Release.state == "released", STATES)
                               .order_by(Release.decided_at.desc(), Release.id.desc()).limit(limit)).all()
    recs = {r.id: r for r in uow.session.scalars(select(Recommendation).where(
        Recommendation.id.in_({row.recommendation_id for row in rows}))).all()} if rows else {}
    hidden = unreleased(uow.session).recs
    return [(recs[row.recommendation_id], _states([row])[0]) for row in rows
            if row.recommendation_id in recs and row.recommendation_id not in hidden]


@dataclass
class PublishedQuestion:
    """What of a submission is public (nothing else of it ever leaves this module)."""

    id: int
    code: str | None  # the recommendation asked about; None: the concept as a whole
    text: str
    answer: str
    name: str  # only if given and the author agreed to show it
    published_at: datetime
    answered_at: datetime | None


def _published(q: PublicQuestion, codes: dict[int, str]) -> PublishedQuestion:
    return PublishedQuestion(q.id, codes.get(q.recommendation_id) if q.recommendation_id else None, q.text,
                             q.answer, q.name if q.show_name and q.name else "", q.published_at or q.created_at,
                             q.answered_at if q.answer else None)


def questions(uow: UnitOfWork, rec: Recommendation | None = None, limit: int | None = None) -> list[PublishedQuestion]:
    """Published questions about one recommendation, or (rec None) about the concept as a whole."""
    rows = uow.questions.published(rec.id if rec else None, general=rec is None, limit=limit)
    return [_published(q, {rec.id: rec.code} if rec else {}) for q in rows]


def all_questions(uow: UnitOfWork, limit: int | None = None) -> list[PublishedQuestion]:
    """Every published question, newest first (feed and JSON)."""
    rows = uow.questions.published(limit=limit)
    ids = {q.recommendation_id for q in rows if q.recommendation_id}
    codes = dict(uow.session.execute(select(Recommendation.id, Recommendation.code)
                                     .where(Recommendation.id.in_(ids))).all()) if ids else {}
    return [_published(q, codes) for q in rows]


def last_change(uow: UnitOfWork) -> datetime:
    """When public content last changed: for Last-Modified and the feed's `updated`."""
    stamps = [uow.questions.last_published(),
              uow.session.scalar(select(func.max(Release.decided_at)).where(Release.state == "released")),
              uow.session.scalar(select(func.max(Recommendation.updated_at))),
              uow.session.scalar(select(func.max(Meeting.updated_at))),
              uow.session.scalar(select(func.max(Indicator.updated_at))),
              uow.session.scalar(select(func.max(Measure.updated_at))),
              # a withdrawn consent or an erasure changes pages too: If-Modified-Since must not say 304
              uow.session.scalar(select(func.max(Person.consent_changed_at))),
              uow.session.scalar(select(func.max(Person.anonymized_at)))]
    known = [s for s in stamps if s is not None]
    return max(known) if known else utcnow().replace(year=2000)
