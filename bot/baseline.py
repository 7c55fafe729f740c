"""The baseline release: statuses that came with an imported catalog reach the public page only
when the office releases them (issue #17, deliver 8) — `freigabe` tells how many wait,
`freigeben import` releases them all at once.

A recommendation is part of the baseline while no status of it was ever released and none waits
in `freigabe`; a later reported change goes the usual way, one release at a time."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select

from bot.core.context import Context
from storage.models import Change, Recommendation, Release, Status


def waiting(ctx: Context) -> Sequence[Recommendation]:
    """Recommendations whose status the public has never seen and that nothing else proposes."""
    decided = select(Release.recommendation_id).where(Release.status.is_not(None),
                                                      Release.state.in_(("released", "pending")))
    created = select(Change.recommendation_id).where(Change.field_name == "created")  # in chat, not imported
    return ctx.uow.session.scalars(select(Recommendation).where(Recommendation.id.not_in(decided),
                                                                Recommendation.id.not_in(created))
                                   .order_by(Recommendation.code)).all()


def data_date(ctx: Context, rec: Recommendation) -> datetime:
    """When the catalog's status of `rec` was true: its last recorded change of status or progress, else
    when it was imported — not the day of the release (site finding F8: old statuses read as today's)."""
    changed = ctx.uow.session.scalar(select(func.max(Change.at)).where(
        Change.recommendation_id == rec.id, Change.field_name.in_(("status", "progress"))))
    return changed or rec.created_at


@dataclass
class Preview:
    """What the public would see after `freigeben import`."""

    counts: dict[Status, int]
    overdue: list[tuple[Recommendation, date]]  # shown overdue, as of the catalog's date


def preview(ctx: Context, recs: Sequence[Recommendation]) -> Preview:
    counts: dict[Status, int] = {}
    overdue = []
    for rec in recs:
        counts[rec.status] = counts.get(rec.status, 0) + 1
        as_of = data_date(ctx, rec).date()  # the same rule as bot.public.data.PublicItem.overdue_as_of
        if rec.time_target and rec.time_target < ctx.today() and not rec.status.closed and as_of > rec.time_target:
            overdue.append((rec, as_of))
    return Preview(counts, overdue)


def release_all(ctx: Context) -> list[Recommendation]:
    """Release each waiting recommendation's current status and progress; one audit entry for all.
    Followers are not told item by item: nothing changed, the public only sees what was there.
    `created_at` holds the catalog's date, which the public page shows ("laut Stand vom …")."""
    recs = list(waiting(ctx))
    now, by = ctx.now(), ctx.person.id if ctx.person else None
    for rec in recs:
        ctx.uow.session.add(Release(kind="import", recommendation_id=rec.id, status=rec.status,
                                    progress=rec.progress, text="", state="released", decided_at=now,
                                    decided_by_id=by, created_at=data_date(ctx, rec)))
    if recs:
        ctx.uow.audit.record(ctx.person, "release_import", "release", "import", count=len(recs),
                             codes=[r.code for r in recs][:500])
    return recs
