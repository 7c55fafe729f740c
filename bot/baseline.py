"""The baseline release: statuses that came with an imported catalog reach the public page only
when the office releases them (issue #17, deliver 8) — `freigabe` tells how many wait,
`freigeben import` releases them all at once.

A recommendation is part of the baseline while no status of it was ever released and none waits
in `freigabe`; a later reported change goes the usual way, one release at a time."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from bot.core.context import Context
from storage.models import Change, Recommendation, Release


def waiting(ctx: Context) -> Sequence[Recommendation]:
    """Recommendations whose status the public has never seen and that nothing else proposes."""
    decided = select(Release.recommendation_id).where(Release.status.is_not(None),
                                                      Release.state.in_(("released", "pending")))
    created = select(Change.recommendation_id).where(Change.field_name == "created")  # in chat, not imported
    return ctx.uow.session.scalars(select(Recommendation).where(Recommendation.id.not_in(decided),
                                                                Recommendation.id.not_in(created))
                                   .order_by(Recommendation.code)).all()


def release_all(ctx: Context) -> list[Recommendation]:
    """Release each waiting recommendation's current status and progress; one audit entry for all.
    Followers are not told item by item: nothing changed, the public only sees what was there."""
    recs = list(waiting(ctx))
    now, by = ctx.now(), ctx.person.id if ctx.person else None
    for rec in recs:
        ctx.uow.session.add(Release(kind="import", recommendation_id=rec.id, status=rec.status,
                                    progress=rec.progress, text="", state="released", decided_at=now,
                                    decided_by_id=by))
    if recs:
        ctx.uow.audit.record(ctx.person, "release_import", "release", "import", count=len(recs),
                             codes=[r.code for r in recs][:500])
    return recs
