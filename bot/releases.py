"""Release: nothing becomes public until a coordinator releases it (docs/domain.md).

Every reported change of status or progress, and every public summary its author agreed to
publish, waits here as a pending release. Releasing notifies the followers of the item."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from bot.core.context import Context
from bot.core.events import ChannelRef
from bot.core.labels import STATUS_LABELS
from bot.release_context import EDIT_PREFIX, decode_edit
from storage.models import Person, Recommendation, Release, Status


def propose(ctx: Context, rec: Recommendation, *, status: Status | None, progress: int | None,
            text: str = "", update_id: int | None = None, kind: str = "update") -> Release:
    release = Release(kind=kind, recommendation_id=rec.id, status_update_id=update_id, text=text,
                      status=status, progress=progress, state="pending",
                      proposed_by_id=ctx.person.id if ctx.person else None, created_at=ctx.now())
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
        if release.kind.startswith(EDIT_PREFIX):
            _apply_edit(ctx, release)  # the catalog itself changes: the page shows it, no status notice
        else:
            notify(ctx, release)


def propose_edit(ctx: Context, rec: Recommendation, attribute: str, value: object) -> Release:
    """A chair's edit of title, description or time target: applied only when released."""
    text = value.isoformat() if isinstance(value, date) else ("" if value is None else str(value))
    for older in ctx.uow.session.scalars(select(Release).where(  # a newer edit replaces a waiting one
            Release.recommendation_id == rec.id, Release.kind == EDIT_PREFIX + attribute, Release.state == "pending")):
        older.state, older.decided_at = "superseded", ctx.now()
    return propose(ctx, rec, status=None, progress=None, text=text, kind=EDIT_PREFIX + attribute)


def _apply_edit(ctx: Context, release: Release) -> None:
    rec = ctx.uow.session.get(Recommendation, release.recommendation_id)
    if rec is None:
        return
    attribute, value = decode_edit(release)
    old = getattr(rec, attribute)
    if old == value:
        return
    setattr(rec, attribute, value)
    shown = (lambda v: v.isoformat() if isinstance(v, date) else v)
    proposer = ctx.uow.session.get(Person, release.proposed_by_id) if release.proposed_by_id else None
    ctx.uow.catalog.record_change(rec, attribute, shown(old), shown(value), proposer or ctx.person, "command")


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
