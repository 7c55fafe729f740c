"""The public status site as a set of paths → bytes: served by the web server and written
out by `sachstand publish --out DIR` (the same bytes, so the city may host either)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from feedgen.feed import FeedGenerator

from bot.core.commands import N_
from handlers.labels import STATUS_LABELS

from . import data

if TYPE_CHECKING:
    from bot.core.context import Services
    from storage.uow import UnitOfWork

HTML, ATOM, JSON = "text/html; charset=utf-8", "application/atom+xml; charset=utf-8", "application/json"


@dataclass(frozen=True)
class Page:
    body: bytes
    content_type: str


class Site:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.base = str(services.settings.web.public_base_url).rstrip("/") + "/"

    # -- what exists ------------------------------------------------------------------------
    def paths(self, uow: UnitOfWork) -> Iterator[str]:
        yield from ("index.html", "gremien.html", "feed.atom", "api/status.json")
        for f in uow.catalog.fields():
            for rec in f.recommendations:
                yield f"empfehlungen/{rec.code}.html"

    def page(self, uow: UnitOfWork, path: str) -> Page | None:
        path = path.lstrip("/") or "index.html"
        if path == "index.html":
            return self._html("overview", uow, "", fields=data.overview(uow))
        if path == "gremien.html":
            return self._bodies(uow)
        if path == "feed.atom":
            return Page(self._atom(uow), ATOM)
        if path == "api/status.json":
            return Page(json.dumps(self._json(uow), ensure_ascii=False, indent=1).encode(), JSON)
        if path.startswith("empfehlungen/") and path.endswith(".html"):
            item = data.item(uow, path.removeprefix("empfehlungen/").removesuffix(".html"))
            return self._html("recommendation", uow, "../", it=item) if item else None
        return None

    # -- HTML -------------------------------------------------------------------------------
    def _html(self, name: str, uow: UnitOfWork, root: str, **values: Any) -> Page:
        settings = self.services.settings.general
        concept = uow.catalog.concept()
        text = self.services.renderer.render(
            name, "public", settings.locale, settings.timezone, root=root, labels=STATUS_LABELS,
            concept_title=concept.title if concept else "Sachstand", city=concept.city if concept else "",
            description=concept.description if concept else "", example=bool(concept and concept.example),
            levels=_levels(concept), today=self._today(), updated=data.last_change(uow), **values)
        return Page(text.encode(), HTML)

    def _bodies(self, uow: UnitOfWork) -> Page:
        upcoming = data.meetings(uow, upcoming_from=self.services.clock())
        bodies = [(b, [m for m in upcoming if m.body.id == b.id]) for b in uow.bodies.all()]
        return self._html("bodies", uow, "", bodies=bodies)

    def _today(self) -> Any:
        from zoneinfo import ZoneInfo

        return self.services.clock().astimezone(ZoneInfo(self.services.settings.general.timezone)).date()

    # -- Atom and JSON -------------------------------------------------------------------------
    def _atom(self, uow: UnitOfWork) -> bytes:
        translations = self.services.translations
        locale = self.services.settings.general.locale
        concept = uow.catalog.concept()
        fg = FeedGenerator()
        fg.id(self.base + "feed.atom")
        fg.title(translations.gettext(locale, N_("Released changes")) + f" – {concept.title if concept else 'Sachstand'}")
        fg.link(href=self.base + "feed.atom", rel="self")
        fg.link(href=self.base + "index.html", rel="alternate")
        fg.language(locale)
        fg.updated(data.last_change(uow))
        for rec, state in reversed(data.feed(uow)):  # feedgen prepends: oldest first gives newest on top
            entry = fg.add_entry()
            entry.id(f"{self.base}empfehlungen/{rec.code}.html#freigabe-{state.release_id}")
            status = translations.gettext(locale, STATUS_LABELS[state.status]) if state.status else ""
            progress = f", {state.progress} %" if state.progress is not None else ""
            entry.title(f"{rec.code} {rec.title}: {status}{progress}")
            entry.link(href=f"{self.base}empfehlungen/{rec.code}.html")
            entry.updated(state.at)
            entry.published(state.at)
            entry.content(state.text or f"{status}{progress}", type="text")
        return fg.atom_str(pretty=True)

    def _json(self, uow: UnitOfWork) -> dict[str, Any]:
        concept = uow.catalog.concept()
        return {
            "concept": {"title": concept.title if concept else "", "city": concept.city if concept else ""},
            "updated": data.last_change(uow).isoformat(),
            "fields": [{
                "code": f.field.code, "title": f.field.title, "progress": f.progress,
                "recommendations": [_item_json(it) for it in f.items],
            } for f in data.overview(uow)],
        }


def _item_json(it: data.PublicItem) -> dict[str, Any]:
    latest = it.latest
    return {"code": it.rec.code, "title": it.rec.title, "owner": it.owner or None,
            "time_target": it.rec.time_target.isoformat() if it.rec.time_target else None,
            "status": latest.status.value if latest and latest.status else None,
            "progress": latest.progress if latest else None, "summary": latest.text if latest else "",
            "released_at": latest.at.isoformat() if latest else None,
            "history": [{"status": s.status.value if s.status else None, "progress": s.progress, "text": s.text,
                         "released_at": s.at.isoformat()} for s in it.history]}


def _levels(concept: Any) -> dict[str, str]:
    levels = {"field": "Handlungsfeld", "recommendation": "Handlungsempfehlung", "measure": "Maßnahme"}
    return {**levels, **(concept.levels if concept and concept.levels else {})}
