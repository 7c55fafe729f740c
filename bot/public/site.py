"""The public status site as a set of paths → bytes: served by the web server and written
out by `sachstand publish --out DIR` (the same bytes, so the city may host either)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from feedgen.feed import FeedGenerator

from bot.core.commands import N_
from handlers.labels import STATUS_LABELS

from bot.questions.intake import FormState
from bot.questions.tokens import PLACEHOLDER

from . import data
from .page import Page
from .icons import ICONS
from .status_schema import status_schema
from .style import STYLE

if TYPE_CHECKING:
    from bot.core.context import Services
    from storage.uow import UnitOfWork

HTML, ATOM, JSON = "text/html; charset=utf-8", "application/atom+xml; charset=utf-8", "application/json"
SCHEMA_JSON = "application/schema+json"
STATUS_VERSION = "1.1"  # of the /api/status.json format (api/status.schema.json): 1.1 added version, license


class Site:
    def __init__(self, services: Services, *, static: bool = False) -> None:
        self.services = services
        self.base = str(services.settings.web.public_base_url).rstrip("/") + "/"
        # the static export cannot take a POST: its form posts to the bot's web server
        self.static = static
        self.licence = str(services.settings.web.open_data_license)

    # -- what exists ------------------------------------------------------------------------
    def paths(self, uow: UnitOfWork) -> Iterator[str]:
        """The text outputs (pages, feed, JSON); the icons are `assets()`."""
        yield from ("index.html", "gremien.html", "feed.atom", "api/status.json", "api/status.schema.json")
        for f in uow.catalog.fields():
            for rec in f.recommendations:
                yield f"empfehlungen/{rec.code}.html"

    def assets(self) -> Iterator[str]:
        yield from ICONS
        yield "style.css"

    def page(self, uow: UnitOfWork, path: str, form: FormState | None = None) -> Page | None:
        """`form`: the entered values and problems of a refused submission (else an empty form)."""
        path = path.lstrip("/") or "index.html"
        if path == "index.html":
            fields = data.overview(uow)
            return self._html("overview", uow, "", fields=fields, qa=data.questions(uow), form=form or FormState(),
                              choosable=[(it.rec.code, it.rec.title) for f in fields for it in f.items])
        if path == "gremien.html":
            return self._bodies(uow)
        if path == "feed.atom":
            return Page(self._atom(uow), ATOM)
        if path == "api/status.json":
            return Page(json.dumps(self._json(uow), ensure_ascii=False, indent=1).encode(), JSON)
        if path == "api/status.schema.json":
            return Page(json.dumps(status_schema(self.base), ensure_ascii=False, indent=1).encode(), SCHEMA_JSON)
        if path in ICONS:
            return ICONS[path]
        if path == "style.css":
            return STYLE
        if path.startswith("empfehlungen/") and path.endswith(".html"):
            item = data.item(uow, path.removeprefix("empfehlungen/").removesuffix(".html"))
            if item is None:
                return None
            return self._html("recommendation", uow, "../", it=item, qa=data.questions(uow, item.rec),
                              form=form or FormState())
        return None

    def thanks(self, uow: UnitOfWork, code: str) -> Page:
        rec = uow.catalog.recommendation(code) if code else None
        return self._html("question_thanks", uow, "../", rec=rec)

    # -- HTML -------------------------------------------------------------------------------
    def _html(self, name: str, uow: UnitOfWork, root: str, **values: Any) -> Page:
        settings = self.services.settings.general
        concept = uow.catalog.concept()
        text = self.services.renderer.render(
            name, "public", settings.locale, settings.timezone, root=root, labels=STATUS_LABELS,
            concept_title=concept.title if concept else "Sachstand", city=concept.city if concept else "",
            description=concept.description if concept else "", example=bool(concept and concept.example),
            levels=_levels(concept), today=self._today(), updated=data.last_change(uow), questions=self._form(root),
            **values)
        return Page(text.encode(), HTML)

    def _form(self, root: str) -> dict[str, Any]:
        cfg = self.services.settings.questions
        action = (cfg.form_url or self.base + "fragen") if self.static else root + "fragen"
        return {"enabled": cfg.enabled, "action": action, "token": "" if self.static else PLACEHOLDER,
                "notice": cfg.consent_notice, "max_text": cfg.max_text, "max_name": cfg.max_name,
                "retention": cfg.email_retention_days}

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
        # RFC 4287 4.1.1: a feed has an author unless every entry has one (published questions may not)
        fg.author({"name": concept.title if concept else "Sachstand", "uri": self.base})
        fg.rights(self.licence)
        entries: list[tuple[Any, int, Any]] = [(state.at, 0, (rec, state)) for rec, state in data.feed(uow)]
        entries += [(q.answered_at or q.published_at, 1, q) for q in data.all_questions(uow, limit=50)]
        for _, kind, value in sorted(entries, key=lambda e: (e[0], e[1])):  # feedgen prepends: oldest first
            if kind == 1:
                self._question_entry(fg.add_entry(), value)
                continue
            rec, state = value
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

    def _question_entry(self, entry: Any, q: data.PublishedQuestion) -> None:
        """A published question as an Atom entry; the text is type="text": markup stays text."""
        t = self.services.translations
        locale = self.services.settings.general.locale
        page = f"empfehlungen/{q.code}.html" if q.code else "index.html"
        entry.id(f"{self.base}{page}#frage-{q.id}")
        about = t.gettext(locale, N_("Question about {code}"), code=q.code) if q.code else t.gettext(
            locale, N_("Question about the concept"))
        short = " ".join(q.text.split())
        entry.title(f"{about}: {short[:80]}{'…' if len(short) > 80 else ''}")
        entry.link(href=f"{self.base}{page}#frage-{q.id}")
        entry.published(q.published_at)
        entry.updated(q.answered_at or q.published_at)
        if q.name:
            entry.author({"name": q.name})
        body = t.gettext(locale, N_("Question: {text}"), text=q.text)
        if q.answer:
            body += "\n\n" + t.gettext(locale, N_("Answer: {text}"), text=q.answer)
        entry.content(body, type="text")

    def _json(self, uow: UnitOfWork) -> dict[str, Any]:
        concept = uow.catalog.concept()
        questions: dict[str | None, list[dict[str, Any]]] = {}
        for q in reversed(data.all_questions(uow)):  # oldest first, like a conversation
            questions.setdefault(q.code, []).append(_question_json(q))
        return {
            "$schema": self.base + "api/status.schema.json", "version": STATUS_VERSION, "license": self.licence,
            "concept": {"title": concept.title if concept else "", "city": concept.city if concept else ""},
            "updated": data.last_change(uow).isoformat(),
            "fields": [{
                "code": f.field.code, "title": f.field.title, "progress": f.progress,
                "recommendations": [_item_json(it, questions.get(it.rec.code, [])) for it in f.items],
            } for f in data.overview(uow)],
            "questions": questions.get(None, []),  # about the concept as a whole
        }


def _question_json(q: data.PublishedQuestion) -> dict[str, Any]:
    return {"id": q.id, "question": q.text, "answer": q.answer or None, "name": q.name or None,
            "published_at": q.published_at.isoformat(),
            "answered_at": q.answered_at.isoformat() if q.answered_at else None}


def _item_json(it: data.PublicItem, questions: list[dict[str, Any]]) -> dict[str, Any]:
    latest = it.latest
    return {"questions": questions, "code": it.rec.code, "title": it.rec.title, "owner": it.owner or None,
            "time_target": it.rec.time_target.isoformat() if it.rec.time_target else None,
            "status": latest.status.value if latest and latest.status else None,
            "progress": latest.progress if latest else None, "summary": latest.text if latest else "",
            "released_at": latest.at.isoformat() if latest else None,
            "history": [{"status": s.status.value if s.status else None, "progress": s.progress, "text": s.text,
                         "released_at": s.at.isoformat()} for s in it.history]}


def _levels(concept: Any) -> dict[str, str]:
    levels = {"field": "Handlungsfeld", "recommendation": "Handlungsempfehlung", "measure": "Maßnahme"}
    return {**levels, **(concept.levels if concept and concept.levels else {})}
