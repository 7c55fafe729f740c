"""The public status site as a set of paths → bytes: served by the web server and written
out by `sachstand publish --out DIR` (the same bytes, so the city may host either).

German pages live at the root, the same pages in English under `en/` (from the same gettext
catalogs); both share the stylesheet `site.css` (no inline styles or scripts: the site's CSP)."""
from __future__ import annotations

import json
from datetime import date
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bot.core.labels import STATUS_LABELS
from bot.core.language import summary_language

from bot.questions.intake import FormState
from bot.csp import META_CSP
from bot.questions.tokens import PLACEHOLDER

from . import charts, data, monitoring, opendata, pages
from .icons import ICONS
from .page import Page
from .status_schema import status_schema

if TYPE_CHECKING:
    from bot.core.context import Services
    from storage.uow import UnitOfWork

HTML, ATOM, JSON = "text/html; charset=utf-8", "application/atom+xml; charset=utf-8", "application/json"
SCHEMA_JSON = "application/schema+json"
STATUS_VERSION = opendata.STATUS_VERSION
STYLESHEET = Page((Path(__file__).resolve().parents[2] / "templates" / "public" / "site.css").read_bytes(),
                  "text/css; charset=utf-8")
LANGUAGES = ("de", "en")  # the default locale at the root, the other under its code
FIXED = ("index.html", "gremien.html", "kennzahlen.html", "berichte.html", "suche.html", "barrierefreiheit.html")
REPORTS = "berichte"  # the released reports' files: berichte/<number>/<file name>, as the web server serves them


class Site:
    def __init__(self, services: Services, *, static: bool = False) -> None:
        self.services = services
        self.base = str(services.settings.web.public_base_url).rstrip("/") + "/"
        # the static export cannot take a POST: its form posts to the bot's web server
        self.static = static
        self.licence = str(services.settings.web.open_data_license)

    # -- what exists ------------------------------------------------------------------------
    def html_paths(self, uow: UnitOfWork) -> list[str]:
        """The HTML pages of one language (without its prefix)."""
        cfg = self.services.settings.site
        out = [*FIXED]
        out += [p for p, url, text in (("impressum.html", cfg.imprint_url, cfg.imprint_text),
                                        ("datenschutz.html", cfg.privacy_url, cfg.privacy_text)) if text and not url]
        overview = data.overview(uow)
        out += [f"empfehlungen/{it.rec.code}.html" for f in overview for it in f.items]
        out += [f"kennzahlen/{ind.code}.html" for ind in uow.catalog.indicators()]
        out += [f"filter/{flt.slug}.html" for flt in pages.filters(overview, self._today())]
        return out

    def paths(self, uow: UnitOfWork) -> Iterator[str]:
        """The text outputs (pages in every language, feed, JSON, stylesheet); the icons are `assets()`."""
        html = self.html_paths(uow)
        yield from html
        yield from (f"{lang}/{p}" for lang in self._other_languages() for p in html)
        yield from ("feed.atom", "api/status.json", "api/status.schema.json", "site.css")
        yield from (f"{REPORTS}/{f.id}/{f.file_name}" for f in uow.reports.released())  # the static copy links them too

    def assets(self) -> Iterator[str]:
        yield from ICONS

    def _other_languages(self) -> list[str]:
        return [lang for lang in LANGUAGES if lang != self.services.settings.general.locale]

    def page(self, uow: UnitOfWork, path: str, form: FormState | None = None, query: str | None = None) -> Page | None:
        """`form`: the entered values and problems of a refused submission (else an empty form;
        its `served_at` the URL path the page is answered at, for its relative links);
        `query`: the search words of suche.html."""
        path = path.lstrip("/") or "index.html"
        if path == "feed.atom":
            return Page(opendata.atom(self.services, self.base, self.licence, uow), ATOM)
        if path == "api/status.json":
            document = opendata.status_json(self.base, self.licence, uow, self._today())
            return Page(json.dumps(document, ensure_ascii=False, indent=1).encode(), JSON)
        if path == "api/status.schema.json":
            return Page(json.dumps(status_schema(self.base), ensure_ascii=False, indent=1).encode(), SCHEMA_JSON)
        if path in ICONS:
            return ICONS[path]
        if path == "site.css":
            return STYLESHEET
        if path.startswith(REPORTS + "/"):
            return _report_file(uow, path)
        locale: str = self.services.settings.general.locale
        lang, _, rest = path.partition("/")
        if lang in self._other_languages() and rest:
            locale, path = lang, rest or "index.html"
        return self._localised(uow, path, locale, form, query)

    def _localised(self, uow: UnitOfWork, path: str, locale: str, form: FormState | None,
                   query: str | None) -> Page | None:
        form = form or FormState()
        today = self._today()
        if path == "index.html":
            values = pages.overview_values(uow, today)
            return self._html("overview", uow, path, locale, qa=data.questions(uow), form=form,
                              choosable=[(it.rec.code, it.rec.title) for f in values["fields"] for it in f.items],
                              **values)
        if path == "gremien.html":
            return self._bodies(uow, path, locale)
        if path == "kennzahlen.html":
            return self._html("indicators", uow, path, locale, indicators=monitoring.indicators(uow))
        if path == "berichte.html":
            released = sorted(uow.reports.released(), key=lambda f: (f.released_at, f.id), reverse=True)
            return self._html("released_reports", uow, path, locale, reports=released, folder=REPORTS)
        if path == "suche.html":
            return self._html("search", uow, path, locale, **pages.search(uow, query or ""))
        if path == "barrierefreiheit.html":
            return self._html("accessibility", uow, path, locale, statement_date=_day(self.services.settings.site.statement_date))
        if path in ("impressum.html", "datenschutz.html"):
            cfg = self.services.settings.site
            text = cfg.imprint_text if path == "impressum.html" else cfg.privacy_text
            return self._html("legal", uow, path, locale, text=text, kind=path) if text else None
        folder, _, name = path.partition("/")
        code = name.removesuffix(".html")
        if not name.endswith(".html") or not code:
            return None
        if folder == "empfehlungen":
            item = data.item(uow, code)
            if item is None or item.rec.code != code:
                return None
            return self._html("recommendation", uow, path, locale, it=item, qa=data.questions(uow, item.rec),
                              form=form, metrics=monitoring.metrics(uow, item.rec))
        if folder == "kennzahlen":
            indicator = pages.indicator_values(uow, code)
            return (self._html("indicator", uow, path, locale, genders=monitoring.GENDER_LABELS, **indicator)
                    if indicator else None)
        if folder == "filter":
            values = pages.overview_values(uow, today)
            chosen = next((f for f in values["filters"] if f.slug == code), None)
            return self._html("filter", uow, path, locale, flt=chosen, **values) if chosen else None
        return None

    def not_found(self, uow: UnitOfWork, path: str, bad: bool = False) -> Page:
        """The 404 page of `path`, in the language of its prefix (site finding F17); with `bad`,
        the 400 page of an address that cannot be read (site2 F3)."""
        path = path.lstrip("/") or "index.html"
        lang, _, rest = path.partition("/")
        locale = lang if lang in self._other_languages() and rest else self.services.settings.general.locale
        return self._html("not_found", uow, rest if locale != self.services.settings.general.locale else path, locale,
                          bad=bad)

    def thanks(self, uow: UnitOfWork, code: str, locale: str | None = None) -> Page:
        """The thanks page, in the language of the form (site finding F3), linking back to its pages."""
        rec = uow.catalog.recommendation(code) if code else None
        return self._html("question_thanks", uow, "fragen/danke.html", locale or self.services.settings.general.locale,
                          served_at="fragen/danke.html", rec=rec)

    # -- HTML -------------------------------------------------------------------------------
    def _html(self, name: str, uow: UnitOfWork, path: str, locale: str, served_at: str | None = None,
              **values: Any) -> Page:
        settings = self.services.settings
        concept = uow.catalog.concept()
        default = settings.general.locale
        prefix = "" if locale == default else f"{locale}/"
        root = "../" * (prefix + path).count("/")
        home = "../" * path.count("/")
        served_at = served_at or getattr(values.get("form"), "served_at", None)
        if served_at is not None:  # relative links from where it is answered (the form's POST, its thanks)
            root = "../" * served_at.count("/")
            home = root + prefix
        text = self.services.renderer.render(
            name, "public", locale, settings.general.timezone, root=root, home=home, labels=STATUS_LABELS,
            concept_title=concept.title if concept else "Sachstand", city=concept.city if concept else "",
            description=concept.description if concept else "", example=bool(concept and concept.example),
            levels=_levels(concept) if locale == default else self._levels_in(locale), today=self._today(), updated=data.last_change(uow), questions=self._form(root, locale),
            site=settings.site, svg=charts, explain=pages.STATUS_EXPLANATIONS, path=path,
            languages=self._switch(locale, path, root), search_action=self._search_action(home, prefix),
            csp=self._meta_csp(), text_lang=lambda text: _other_language(text, locale), **values)
        return Page(text.encode(), HTML)

    def _levels_in(self, locale: str) -> dict[str, str]:
        """The catalog's words for its levels are German; another language's pages say them in theirs (F6)."""
        t = self.services.translations.gettext
        return {"field": t(locale, "Field of action"), "recommendation": t(locale, "Recommendation"),
                "measure": t(locale, "Measure")}

    def _switch(self, locale: str, path: str, root: str) -> list[tuple[str, str, str]]:
        """(language code, its name in itself, link) of the same page in the other languages."""
        names = {"de": "Deutsch", "en": "English"}
        default = self.services.settings.general.locale
        return [(lang, names[lang], root + ("" if lang == default else f"{lang}/") + path)
                for lang in LANGUAGES if lang != locale]

    def _meta_csp(self) -> str:
        """The page's own policy (bot/web_security.py), the same bytes served and exported: a
        static copy's forms go to the bot's server, so its address is allowed as a form target."""
        targets = {urlsplit(u) for u in (self.services.settings.questions.form_url or self.base, self.base)}
        return META_CSP + " 'self'" + "".join(sorted(f" {t.scheme}://{t.netloc}" for t in targets))

    def _search_action(self, home: str, prefix: str) -> str:
        # a static page cannot search: its form asks the bot's web server (like the question form),
        # in the page's language (site finding F16)
        return self.base + prefix + "suche.html" if self.static else home + "suche.html"

    def _form(self, root: str, locale: str) -> dict[str, Any]:
        cfg = self.services.settings.questions
        action = (cfg.form_url or self.base + "fragen") if self.static else root + "fragen"
        return {"enabled": cfg.enabled, "action": action, "token": "" if self.static else PLACEHOLDER,
                "notice": cfg.consent_notice_en if locale == "en" else cfg.consent_notice, "max_text": cfg.max_text, "max_name": cfg.max_name,
                "retention": cfg.email_retention_days}

    def _bodies(self, uow: UnitOfWork, path: str, locale: str) -> Page:
        return self._html("bodies", uow, path, locale, bodies=data.bodies_page(uow, self.services.clock()),
                          base=self.base)

    def _today(self) -> Any:
        from zoneinfo import ZoneInfo

        return self.services.clock().astimezone(ZoneInfo(self.services.settings.general.timezone)).date()


def _report_file(uow: UnitOfWork, path: str) -> Page | None:
    """A released report's file (site finding F8 of the reports' read); nothing unreleased."""
    _, number, name = (path.split("/") + ["", ""])[:3]
    found = uow.reports.get(int(number)) if number.isdigit() and len(number) < 10 else None
    if found is None or found.released_at is None or found.file_name != name:
        return None
    return Page(found.content, found.mime_type)


def _day(text: str) -> date | None:
    """A configured ISO date, to be written in the page's language (F10: "am 2026-11-30")."""
    try:
        return date.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None


def _levels(concept: Any) -> dict[str, str]:
    levels = {"field": "Handlungsfeld", "recommendation": "Handlungsempfehlung", "measure": "Maßnahme"}
    return {**levels, **(concept.levels if concept and concept.levels else {})}


def _other_language(text: str | None, locale: str) -> str | None:
    """A summary's language when it is not the page's (an owner's English summary on the German
    page): the `lang` attribute screen readers need."""
    found = summary_language(text) if text else None
    return found if found and found != locale else None
