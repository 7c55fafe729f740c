"""What `freigabe` shows per entry so the office can decide (issue #18): who reported it and when,
what the public sees now and what it would see after the release, and the language of a summary
(a summary in English went public verbatim once: the page is German)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from bot.core.language import summary_language
from storage.models import Person, Recommendation, Release, Status, StatusUpdate

if TYPE_CHECKING:
    from storage.uow import UnitOfWork

EDIT_PREFIX = "edit:"  # Release.kind of a chair's catalog edit: "edit:title", "edit:description", "edit:time_target"
EDITABLE = ("title", "description", "time_target")
@dataclass
class Shown:
    status: Status | None
    progress: int | None
    text: str
    edit_value: Any = None  # for a catalog edit: the value of its attribute


@dataclass
class Entry:
    release: Release
    rec: Recommendation | None
    who: str  # who reported (or proposed) it; "" unknown
    when: datetime
    now: Shown
    after: Shown
    language: str | None
    attribute: str | None  # a catalog edit's attribute, else None


def decode_edit(release: Release) -> tuple[str, Any]:
    attribute = release.kind.removeprefix(EDIT_PREFIX)
    if attribute == "time_target":
        return attribute, date.fromisoformat(release.text) if release.text else None
    return attribute, release.text


def entries(uow: UnitOfWork, pending: list[Release]) -> list[Entry]:
    from bot.public import data

    out = []
    for r in pending:
        rec = uow.session.get(Recommendation, r.recommendation_id)
        upd = uow.session.get(StatusUpdate, r.status_update_id) if r.status_update_id else None
        person_id = r.proposed_by_id or (upd.author_id if upd else None)
        person = uow.session.get(Person, person_id) if person_id else None
        when = (upd.submitted_at if upd and upd.submitted_at else None) or r.created_at
        public = data.item(uow, rec.code) if rec is not None else None
        latest = public.latest if public else None
        now = Shown(latest.status if latest else None, latest.progress if latest else None, latest.text if latest else "")
        if r.kind.startswith(EDIT_PREFIX) and rec is not None:
            attribute, value = decode_edit(r)
            now.edit_value = getattr(rec, attribute)
            after = Shown(now.status, now.progress, now.text, value)
            out.append(Entry(r, rec, person.name if person else "", when, now, after, None, attribute))
            continue
        after = Shown(r.status if r.status is not None else now.status,
                      r.progress if r.progress is not None else now.progress, r.text or now.text)
        # too few common words to tell ("Digital advice now available …"): the reporter's language
        language = (summary_language(r.text) or (person.locale if person else None)) if r.text else None
        out.append(Entry(r, rec, person.name if person else "", when, now, after, language, None))
    return out
