"""The HTML pages of the public site beyond overview and recommendation: totals, filters, search,
monitoring indicators, the legal pages. Each returns the template's name and its values; `Site`
renders them in the page's language (German at /, English under /en/)."""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot.core.commands import N_
from bot.core.labels import STATUS_LABELS
from storage.models import Status

from . import data, monitoring

if TYPE_CHECKING:
    from datetime import date

    from storage.uow import UnitOfWork

# what each status means, shown on the overview (and linked from every status)
STATUS_EXPLANATIONS: dict[Status | str, str] = {
    Status.NOT_STARTED: N_("Work on the recommendation has not begun yet."),
    Status.IN_PROGRESS: N_("The recommendation is being implemented as planned."),
    Status.DELAYED: N_("Implementation has begun but is behind its plan."),
    Status.BLOCKED: N_("Implementation cannot continue until an obstacle is removed (for example money, rooms or a decision)."),
    Status.DONE: N_("The recommendation is implemented."),
    Status.DROPPED: N_("The recommendation will not be implemented (for example because it was replaced)."),
    data.NOT_REPORTED: N_("The coordinating office has not released any status for this recommendation yet. This says nothing about the work itself."),
}
NOT_REPORTED_LABEL = N_("not yet reported")
ORDER: list[Status | str] = [Status.DONE, Status.IN_PROGRESS, Status.DELAYED, Status.BLOCKED, Status.NOT_STARTED,
                             Status.DROPPED, data.NOT_REPORTED]


def label(key: Status | str) -> str:
    return STATUS_LABELS[key] if isinstance(key, Status) else NOT_REPORTED_LABEL


def key_name(key: Status | str) -> str:
    return key.value if isinstance(key, Status) else key


@dataclass(frozen=True)
class Filter:
    """One pre-rendered filter page: /filter/<slug>.html."""

    slug: str
    title: str  # a msgid with {name}
    name: str
    items: list[data.PublicItem]
    key: Status | str | None = None  # the status of a status filter


def filters(fields: list[data.PublicField], today: date) -> list[Filter]:
    items = [it for f in fields for it in f.items]
    out = [Filter(f"feld-{f.field.code}", N_("Field of action {name}"), f"{f.field.code} {f.field.title}", f.items)
           for f in fields]
    for key in ORDER:
        chosen = [it for it in items if (it.status or data.NOT_REPORTED) == key]
        out.append(Filter(f"status-{key_name(key)}", N_("Status: {name}"), label(key), chosen, key))
    bodies: dict[str, tuple[str, list[data.PublicItem]]] = {}
    for it in items:
        if it.rec.body is not None:
            bodies.setdefault(it.rec.body.code, (it.rec.body.name, []))[1].append(it)
    out += [Filter(f"gremium-{code}", N_("Body: {name}"), name, chosen)
            for code, (name, chosen) in sorted(bodies.items())]
    out.append(Filter("ueberfaellig", N_("Overdue according to the released status"), "",
                      [it for it in items if it.overdue(today)]))
    return out


def overview_values(uow: UnitOfWork, today: date) -> dict[str, Any]:
    fields = data.overview(uow)
    items = [it for f in fields for it in f.items]
    return {"fields": fields, "totals": data.status_counts(items), "total": len(items),
            "filters": filters(fields, today), "order": ORDER, "explanations": STATUS_EXPLANATIONS,
            "label": label, "key_name": key_name, "basis": sum(f.progress_basis for f in fields),
            "average": data.mean_progress(items)}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def search(uow: UnitOfWork, query: str) -> dict[str, Any]:
    """Recommendations and indicators whose code or title contains every word of the query."""
    words = [_fold(w) for w in query.split()][:10]
    items = [it for f in data.overview(uow) for it in f.items]
    inds = uow.catalog.indicators()
    if words:
        items = [it for it in items if all(w in _fold(f"{it.rec.code} {it.rec.title}") for w in words)]
        inds = [i for i in inds if all(w in _fold(f"{i.code} {i.name}") for w in words)]
    return {"query": query, "results": items, "indicators": list(inds), "searched": bool(words)}


def indicator_values(uow: UnitOfWork, code: str) -> dict[str, Any] | None:
    ind = uow.catalog.indicator(code)
    if ind is None or ind.code != code:
        return None
    return {"ind": monitoring.indicator(uow, ind)}
