"""Release: nothing becomes public until a coordinator releases it (docs/domain.md).

Every reported change of status or progress, and every public summary its author agreed to
publish, waits here as a pending release. Releasing notifies the followers of the item."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from bot.core.context import Context
from bot.core.events import ChannelRef
from handlers.labels import STATUS_LABELS
from storage.models import Recommendation, Release, Status


def propose(ctx: Context, rec: Recommendation, *, status: Status | None, progress: int | None,
            text: str = "", update_id: int | None = None, kind: str = "update") -> Release:
    release = Release(kind=kind, recommendation_id=rec.id, status_update_id=update_id, text=text,
                      status=status, progress=progress, state="pending")
    ctx.uow.session.add(release)
    return release


def pending(ctx: Context) -> Sequence[Release]:
    return ctx.uow.session.scalars(select(Release).where(Release.state == "pending")
                                   .order_by(Release.id)).all()


def decide(ctx: Context, release: Release, state: str, text: str | None = None) -> None:
    old = {"state": release.state, "text": release.text}
    if text is not None:
        release.text = text
    release.state, release.decided_at = state, ctx.now()
    release.decided_by_id = ctx.person.id if ctx.person else None
    ctx.uow.audit.record(ctx.person, f"release_{state}", "release", str(release.id), old=old,
                         new={"state": state, "text": release.text})
    if state == "released":
        notify(ctx, release)


def notify(ctx: Context, release: Release) -> int:
    """Tell every room that follows the item about its released change."""
    rec = ctx.uow.session.get(Recommendation, release.recommendation_id)
    if rec is None:
        return 0
    sent = 0
    for sub in ctx.uow.subscriptions.following(rec, "changes"):
        if sub.transport not in ctx.services.formats:
            continue
        ctx.send(ChannelRef(sub.transport, sub.channel_id), "release_notice", sub.locale, rec=rec, release=release,
                 labels=STATUS_LABELS)
        sent += 1
    return sent
