"""Release: nothing becomes public until a coordinator releases it (docs/domain.md).

Every reported change of status or progress, and every public summary its author agreed to
publish, waits here as a pending release. Releasing notifies the followers of the item."""
from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import select

from bot.core.context import Context
from bot.core.events import ChannelRef
from bot.core.labels import STATUS_LABELS
from bot import catalog_edits as edits
from bot.catalog_edits import EDIT_PREFIX
from storage.models import Measure, Person, Recommendation, Release, Status


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
    """A chair's edit of a recommendation's attribute: applied only when released."""
    return _propose_replacing(ctx, rec, EDIT_PREFIX + attribute, edits.encode(value),
                              lambda older: True)


def propose_measure_edit(ctx: Context, measure: Measure, attribute: str, value: object) -> Release:
    """A chair's edit of a measure (they are public with status and progress): applied only when released."""
    def same(older: Release) -> bool:
        held = edits.held(ctx.uow.session, older)
        return held.subject == measure.code and held.attribute == f"measure:{attribute}"

    return _propose_replacing(ctx, measure.recommendation, edits.MEASURE,
                              edits.measure_text(measure.code, attribute, value), same)


def propose_creation(ctx: Context, rec: Recommendation, kind: str, subject: str) -> Release:
    """A recommendation, metric or measure a chair created: public only once released (`catalog_edits.unreleased`)."""
    return propose(ctx, rec, status=None, progress=None, text=subject, kind=kind)


def _propose_replacing(ctx: Context, rec: Recommendation, kind: str, text: str,
                       same: Callable[[Release], bool]) -> Release:
    for older in ctx.uow.session.scalars(select(Release).where(  # a newer edit replaces a waiting one
            Release.recommendation_id == rec.id, Release.kind == kind, Release.state == "pending")):
        if same(older):
            older.state, older.decided_at = "superseded", ctx.now()
    return propose(ctx, rec, status=None, progress=None, text=text, kind=kind)


def _apply_edit(ctx: Context, release: Release) -> None:
    rec = ctx.uow.session.get(Recommendation, release.recommendation_id)
    if rec is None or release.kind in edits.CREATIONS:
        return  # a creation needs nothing more: being released is what makes it public
    held = edits.held(ctx.uow.session, release)
    target: Recommendation | Measure | None = rec
    attribute, label = held.attribute, held.attribute
    if release.kind == edits.MEASURE:
        target = ctx.uow.catalog.measure(held.subject)
        attribute = held.attribute.removeprefix("measure:")
        label = f"{held.subject}:{attribute}"
    if target is None:
        return
    old = getattr(target, attribute)
    if edits.shown(old) == edits.shown(held.value):
        return
    setattr(target, attribute, held.value)
    proposer = ctx.uow.session.get(Person, release.proposed_by_id) if release.proposed_by_id else None
    ctx.uow.catalog.record_change(rec, label, edits.shown(old), edits.shown(held.value), proposer or ctx.person,
                                  "command")
    if release.kind == edits.MEASURE and rec.progress_from_measures:
        ctx.uow.session.refresh(rec, ["measures"])  # the measure's change moves a derived progress too
        derived = rec.derived_progress()
        if derived is not None and derived != rec.progress:
            ctx.uow.catalog.record_change(rec, "progress", rec.progress, derived, proposer or ctx.person, "command")
            rec.progress = derived


def notify(ctx: Context, release: Release) -> int:
    """Tell every room that follows the item about its released change."""
    rec = ctx.uow.session.get(Recommendation, release.recommendation_id)
    if rec is None:
        return 0
    sent, told = 0, set()
    for sub in ctx.uow.subscriptions.following(rec, "changes"):
        if sub.transport not in ctx.services.formats or (sub.transport, sub.channel_id) in told:
            continue  # a room following `alles` and the item itself hears of it once (rounds2 F5)
        told.add((sub.transport, sub.channel_id))
        ctx.send(ChannelRef(sub.transport, sub.channel_id), "release_notice", sub.locale, rec=rec, release=release,
                 labels=STATUS_LABELS)
        sent += 1
    return sent
