"""Digests: a short report in chat for rooms that follow — per field the counts by status and
the progress, what changed since the last digest, newly overdue items, blockers that ask for
support, the next meetings; with a chart of progress by field.

Sent when a round closes (to subscriptions its items concern), on the configured schedule
(weekly or monthly, recorded in the ledger so a restart neither skips nor repeats one), and
on demand (`digest`)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, select

from bot.core.commands import N_
from bot.core.context import Context
from bot.core.events import Attachment, ChannelRef
from storage.models import Change, Digest, Meeting, Recommendation, Round, Status, StatusUpdate

if TYPE_CHECKING:
    from storage.uow import UnitOfWork

MAX_LINES = 15  # per section: a digest is a summary; the rest is one command away


@dataclass
class FieldLine:
    code: str
    title: str
    progress: int
    counts: dict[Status, int]


@dataclass
class DigestData:
    scope: str
    since: datetime | None
    fields: list[FieldLine]
    changes: list[Any] = field(default_factory=list)  # rows from the history, then ChangeLine
    overdue: list[Recommendation] = field(default_factory=list)
    blockers: list[tuple[str, str]] = field(default_factory=list)
    meetings: list[Meeting] = field(default_factory=list)


def in_scope(rec: Recommendation, kind: str, ref: str) -> bool:
    if kind == "all":
        return True
    if kind == "field":
        return rec.field.code == ref
    if kind == "body":
        return rec.body is not None and rec.body.code == ref
    return rec.code == ref


def build(uow: UnitOfWork, kind: str, ref: str, since: datetime | None, today: date, now: datetime) -> DigestData:
    recs = [r for f in uow.catalog.fields() for r in f.recommendations if in_scope(r, kind, ref)]
    by_field: dict[str, list[Recommendation]] = {}
    for rec in recs:
        by_field.setdefault(rec.field.code, []).append(rec)
    fields = [FieldLine(code, items[0].field.title, round(sum(r.progress for r in items) / len(items)),
                        _counts(items)) for code, items in by_field.items()]
    ids = {r.id: r for r in recs}
    data = DigestData(ref or kind, since, fields)
    start = since or now - timedelta(days=30)
    data.changes = _changes(uow, ids, start)
    data.overdue = [r for r in recs if r.is_overdue(today) and r.time_target and r.time_target >= start.date()]
    data.blockers = _blockers(uow, ids)
    body_ids = {r.body_id for r in recs if r.body_id}
    data.meetings = list(uow.session.scalars(select(Meeting).where(
        Meeting.starts_at >= now, Meeting.state != "cancelled", Meeting.body_id.in_(body_ids))
        .order_by(Meeting.starts_at).limit(3))) if body_ids else []
    return data


def _counts(items: list[Recommendation]) -> dict[Status, int]:
    counts: dict[Status, int] = {}
    for rec in items:
        counts[rec.status] = counts.get(rec.status, 0) + 1
    return counts


def _changes(uow: UnitOfWork, recs: dict[int, Recommendation], start: datetime) -> list[tuple[str, str, str | None, str | None]]:
    wanted = (Change.field_name.in_(("status", "progress")) | Change.field_name.like("metric:%"))
    rows = uow.session.scalars(select(Change).where(Change.at > start, wanted)
                               .order_by(Change.at.desc()).limit(500)).all()
    return [(recs[c.recommendation_id].code, c.field_name, c.old, c.new) for c in rows
            if c.recommendation_id in recs][:MAX_LINES]


def _blockers(uow: UnitOfWork, recs: dict[int, Recommendation]) -> list[tuple[str, str]]:
    """The latest submitted answer per item, where it names a blocker or asks for support.

    Only the latest answer per item is read (not every answer of the years behind it)."""
    if not recs:
        return []
    submitted = (StatusUpdate.state == "submitted", StatusUpdate.recommendation_id.in_(recs))
    latest_at = (select(StatusUpdate.recommendation_id, func.max(StatusUpdate.submitted_at).label("at"))
                 .where(*submitted).group_by(StatusUpdate.recommendation_id).subquery())
    rows = uow.session.execute(
        select(StatusUpdate.recommendation_id, StatusUpdate.blockers)
        .join(latest_at, and_(StatusUpdate.recommendation_id == latest_at.c.recommendation_id,
                              StatusUpdate.submitted_at == latest_at.c.at))
        .where(*submitted).order_by(StatusUpdate.submitted_at.desc(), StatusUpdate.id.desc())).all()
    latest: dict[int, str] = {}
    for rid, blockers in rows:
        latest.setdefault(rid, blockers)
    return [(recs[rid].code, blockers) for rid, blockers in latest.items() if blockers][:MAX_LINES]


def chart(ctx: Context, data: DigestData, locale: str) -> Attachment:
    from bot.reports import charts

    title = ctx.services.translations.gettext(locale, N_("Progress by field"))
    fig = charts.progress_by_field([f.code for f in data.fields], [f.progress for f in data.fields], title)
    return Attachment("fortschritt.png", "image/png", charts.png(fig))


def post(ctx: Context, channel: ChannelRef, locale: str, kind: str, ref: str, since: datetime | None,
         title: str = "") -> DigestData:
    data = build(ctx.uow, kind, ref, since, ctx.today(), ctx.now())
    units = {(r.code, m.name): m.unit for f in ctx.uow.catalog.fields() for r in f.recommendations
             for m in r.metrics if any(c[0] == r.code for c in data.changes)}
    data.changes = [_readable(row, locale, units) for row in data.changes]
    from bot.core.labels import STATUS_LABELS

    ctx.send(channel, "digest", locale, data=data, title=title, labels=STATUS_LABELS, status=Status,
             attachments=[chart(ctx, data, locale)] if data.fields else [])
    return data


@dataclass
class ChangeLine:
    """One change in a digest, its values in the reader's format; `points` is the change of a
    percentage in percentage points (issue #17: not "%")."""
    code: str
    what: str
    old: str | None
    new: str | None
    percent: bool = False
    points: Decimal | None = None


def _readable(row: tuple[str, str, str | None, str | None], locale: str,
              units: dict[tuple[str, str], str]) -> ChangeLine:
    """A metric's values in the reader's number format (`262.0000` → `262`), with its unit."""
    from bot.core.i18n import Formats

    code, what, old, new = row
    before, after = _decimal(old), _decimal(new)
    unit = units.get((code, what[7:]), "") if what.startswith("metric:") else "%" if what == "progress" else ""
    percent = unit.strip() in PERCENT_UNITS
    points = after - before if percent and before is not None and after is not None else None
    if what == "status":
        return ChangeLine(code, what, old, new)

    def shown(value: str | None, number: Decimal | None) -> str | None:
        if number is None:
            return value
        return Formats(locale).number(number.normalize() if number == number.to_integral() else number)

    return ChangeLine(code, what, shown(old, before), shown(new, after), percent and what != "progress",
                      None if points is None else (points.normalize() if points == points.to_integral() else points))


PERCENT_UNITS = ("%", "Prozent", "percent", "Prozentpunkte")


def _decimal(value: str | None) -> Decimal | None:
    try:
        return Decimal(value) if value else None
    except InvalidOperation:
        return None


def _aware(value: datetime | None) -> datetime | None:
    from datetime import timezone

    return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value


def send_to_subscribers(ctx: Context, kind: str, round_: Round | None = None,
                        period_start: datetime | None = None, rounds: Sequence[Round] = ()) -> int:
    """Post a digest to every following room (for closing rounds: those their items concern). A
    scheduled digest skips rooms that already had one in this period (a round-close digest
    counts). Rounds closing together make one digest per room, and a round-close digest that
    would only repeat the room's last one is not sent (finding F21: three alike in a second)."""
    sent, now = 0, ctx.now()
    closing = [round_] if round_ is not None else list(rounds)
    items = {r.id: _round_items(ctx.uow, r) for r in closing}
    subs = ctx.uow.subscriptions.all("digests")
    for sub in subs:
        if sub.transport not in ctx.services.formats:
            continue
        if _covered(ctx.uow, sub, subs):  # `alles` and HF2 in one DM: one digest, the wider (rounds2 F5)
            continue
        last = _aware(sub.last_digest_at)
        if period_start is not None and last is not None and last >= period_start:
            continue
        concerned = [r for r in closing if any(in_scope(rec, sub.scope_kind, sub.scope_ref) for rec in items[r.id])]
        if closing and not concerned:
            continue
        if closing and last is not None and not _news_since(ctx.uow, sub.scope_kind, sub.scope_ref, last):
            continue
        post(ctx, ChannelRef(sub.transport, sub.channel_id), sub.locale, sub.scope_kind, sub.scope_ref,
             sub.last_digest_at, title=_title(concerned))
        sub.last_digest_at = now
        sent += 1
    ctx.uow.session.add(Digest(kind=kind, round_id=closing[0].id if len(closing) == 1 else None, created_at=now,
                               content={"subscriptions": sent, "rounds": [r.id for r in closing]}))
    return sent


def _covered(uow: UnitOfWork, sub: Any, subs: Sequence[Any]) -> bool:
    """Whether another digest subscription of the same room covers all `sub` shows (a DM that
    follows `alles` and HF2 gets the digest of everything, not a second one of HF2)."""
    def covers(wide: Any) -> bool:
        if wide.id == sub.id or (wide.transport, wide.channel_id) != (sub.transport, sub.channel_id):
            return False
        if wide.scope_kind == "all":
            return sub.scope_kind != "all"
        if sub.scope_kind != "recommendation" or wide.scope_kind not in ("field", "body"):
            return False
        rec = uow.catalog.recommendation(sub.scope_ref)
        return rec is not None and in_scope(rec, wide.scope_kind, wide.scope_ref)

    return any(covers(wide) for wide in subs)


def _title(rounds: list[Round]) -> str:
    """"EG1, EG4, EG5 2027-Q1" for rounds of one period, else "EG1 2027-Q1, EG2 2027-Q2"."""
    periods: dict[str, list[str]] = {}
    for r in rounds:
        periods.setdefault(r.period, []).append(r.reporting_line.from_body.code)
    return ", ".join(f"{', '.join(codes)} {period}" for period, codes in periods.items())


def _news_since(uow: UnitOfWork, kind: str, ref: str, since: datetime) -> bool:
    """Whether anything a digest of this scope shows changed since `since`: a status, progress
    or metric, or a new answer (its blockers)."""
    ids = [r.id for f in uow.catalog.fields() for r in f.recommendations if in_scope(r, kind, ref)]
    if not ids:
        return False
    wanted = (Change.field_name.in_(("status", "progress")) | Change.field_name.like("metric:%"))
    changed = uow.session.scalar(select(Change.id).where(
        Change.at > since, Change.recommendation_id.in_(ids), wanted).limit(1))
    answered = uow.session.scalar(select(StatusUpdate.id).where(
        StatusUpdate.state == "submitted", StatusUpdate.submitted_at > since,
        StatusUpdate.recommendation_id.in_(ids)).limit(1))
    return changed is not None or answered is not None


def _round_items(uow: UnitOfWork, round_: Round) -> list[Recommendation]:
    return [u.recommendation for u in uow.rounds.updates(round_)]


def scheduled_key(settings: Any, local_now: datetime) -> str | None:
    """The ledger key of the scheduled digest due now, if one is due (weekly or monthly)."""
    digests = settings.digests
    if digests.schedule == "off" or local_now.hour < digests.hour:
        return None
    if digests.schedule == "weekly":
        if local_now.weekday() != digests.weekday:
            return None
        year, week, _ = local_now.isocalendar()
        return f"digest:weekly:{year}-W{week:02d}"
    first = next(date(local_now.year, local_now.month, d) for d in range(1, 8)
                 if date(local_now.year, local_now.month, d).weekday() == digests.weekday)
    return f"digest:monthly:{local_now:%Y-%m}" if local_now.date() >= first else None


def period_start(settings: Any, local_now: datetime) -> datetime:
    """The start of the digest period `local_now` is in: Monday 00:00 or the 1st, 00:00 (local)."""
    day = local_now.date() - timedelta(days=local_now.weekday()) if settings.digests.schedule == "weekly" \
        else local_now.date().replace(day=1)
    return datetime(day.year, day.month, day.day, tzinfo=local_now.tzinfo)


def scheduled_tick(services: Any) -> int:
    """Send the scheduled digest once when it is due (the ledger remembers it was sent)."""
    from zoneinfo import ZoneInfo

    from bot.jobs import system_context

    now = services.clock()
    key = scheduled_key(services.settings, now.astimezone(ZoneInfo(services.settings.general.timezone)))
    if key is None:
        return 0
    with services.uow_factory() as uow:
        if uow.ops.done(key):
            return 0
        ctx = system_context(services, uow, ChannelRef("system", ""), None)
        local = now.astimezone(ZoneInfo(services.settings.general.timezone))
        sent = send_to_subscribers(ctx, "scheduled", period_start=period_start(services.settings, local))
        uow.ops.mark_done(key, "digest", now, now, subscriptions=sent)
        uow.commit()
    return sent
