"""Serving the public site: rendered once, then from memory until public data changes.

A commit that touches anything public (releases, the catalog, bodies, meetings, people)
bumps a generation counter; cached pages of an older generation are rendered again. ETag
and Last-Modified make repeat visits and feed readers cheap (conditional GET → 304)."""
from __future__ import annotations

import hashlib
import time
from datetime import datetime, timezone
from email.utils import format_datetime, parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from bot.questions import forms as question_forms
from storage.models import (AgendaItem, Body, Concept, Field, Indicator, IndicatorValue, Measure, Meeting,
                            MetricValue, Person, PublicQuestion, Recommendation, Release, ReportFile,
                            TargetMetric)

from . import data
from . import oparl_papers
from .oparl import BadFilter, OParl, Resolver
from .site import Page, Site

if TYPE_CHECKING:
    from bot.core.runtime import Runtime

PUBLIC_TYPES = (AgendaItem, Body, Concept, Field, Indicator, IndicatorValue, Measure, Meeting, MetricValue, Person,
                PublicQuestion, Recommendation, Release, ReportFile, TargetMetric)
OPEN_DATA = frozenset({"feed.atom", "api/status.json", "api/status.schema.json"})  # and OParl, calendars
CORS = {"Access-Control-Allow-Origin": "*"}  # open data only: never the HTML pages with their form
MAX_AGE = 60.0  # seconds: also catches changes made by another process (`sachstand import`)


class Generation:
    """Counts commits that changed public data (SQLAlchemy session events)."""

    def __init__(self) -> None:
        self.value = 0
        event.listen(Session, "after_flush", self._after_flush)
        event.listen(Session, "after_commit", self._after_commit)

    def _after_flush(self, session: Session, context: object) -> None:
        touched = (*session.new, *session.dirty, *session.deleted)
        if any(isinstance(obj, PUBLIC_TYPES) for obj in touched):
            session.info["public_changed"] = True

    def _after_commit(self, session: Session) -> None:
        if session.info.pop("public_changed", False):
            self.value += 1

    def close(self) -> None:
        event.remove(Session, "after_flush", self._after_flush)
        event.remove(Session, "after_commit", self._after_commit)


class PublicSite:
    def __init__(self, app: Runtime) -> None:
        self.app = app
        self.site = Site(app.services)
        self.generation = Generation()
        self.cache: dict[str, tuple[int, float, Page, str, Any, datetime]] = {}
        self.forms = question_forms.QuestionForms(app, self.site)
        self.error_page: bytes | None = None

    def routes(self, webapp: web.Application) -> None:
        oparl_papers.routes(webapp, self.app)  # the released reports' files (/berichte/3/….pdf)
        for path in ("/", "/index.html", "/gremien.html", "/feed.atom", "/api/status.json", "/api/status.schema.json",
                     "/favicon.ico", "/favicon.svg", "/site.css", "/empfehlungen/{code}.html", "/kennzahlen.html",
                     "/kennzahlen/{code}.html", "/filter/{slug}.html", "/berichte.html", "/suche.html", "/barrierefreiheit.html",
                     "/impressum.html", "/datenschutz.html", "/en/", "/en/{path:.+}"):
            webapp.router.add_get(path, self.handle)
        webapp.router.add_get("/oparl/v1.1", self.oparl_root)
        webapp.router.add_get("/oparl/v1.1/{path:.*}", self.oparl)
        webapp.router.add_get("/calendar/{body}.ics", self.calendar)
        self.forms.routes(webapp)

    async def oparl_root(self, request: web.Request) -> web.StreamResponse:
        # relative, so that it holds behind a proxy that serves the site under a path prefix
        query = f"?{request.query_string}" if request.query_string else ""
        raise web.HTTPMovedPermanently("v1.1/" + query, headers=CORS)

    async def oparl(self, request: web.Request) -> web.StreamResponse:
        try:
            document = await self.app.run_sync(self._oparl, request.match_info["path"], dict(request.query))
        except BadFilter as exc:
            return web.json_response({"error": f"Kein ISO-8601-Zeitpunkt: {str(exc)[:60]}"}, status=400, headers=CORS)
        if document is None:
            return web.json_response({"error": "Nicht gefunden."}, status=404, headers=CORS)
        body = _dumps(document).encode()
        return _conditional(request, body, "application/json; charset=utf-8", _latest(document),
                            {**CORS, "Cache-Control": "public, max-age=60"})

    async def calendar(self, request: web.Request) -> web.StreamResponse:
        """/calendar/EG2.ics and /calendar/all.ics: subscribable feeds of the bodies' meetings."""
        from bot.meetings.feeds import build_feed_dated

        found = await self.app.run_sync(build_feed_dated, self.app.services, request.match_info["body"])
        if found is None:
            raise web.HTTPNotFound(text="unknown body", headers=CORS)
        data, modified = found
        return _conditional(request, data, "text/calendar; charset=utf-8", modified,
                            {**CORS, "Cache-Control": "public, max-age=300"})

    def _oparl(self, path: str, query: dict[str, str]) -> dict[str, Any] | None:
        with self.app.uow_factory() as uow:
            concept = uow.catalog.concept()
            modified = data.last_change(uow)
            created = min((t for t in (concept.created_at if concept else None,
                                       uow.session.scalar(select(func.min(Body.created_at)))) if t), default=modified)
            api = OParl(self.site.base, concept.city if concept else "", concept.title if concept else "",
                        created=created, licence=self.site.licence)
            return Resolver(api, uow, modified).resolve(path, query)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path.lstrip("/") or "index.html"
        if path.endswith("/"):
            path += "index.html"
        if path.endswith("suche.html") and request.query.get("q", "").strip():
            return await self._search(request, path, request.query["q"][:200])
        cached = self.cache.get(path)
        now = self.app.services.clock()
        # the bot's clock too: pages say what is upcoming and past, and the demo clock jumps (`zeit +3d`)
        if cached is None or cached[0] != self.generation.value or time.monotonic() - cached[1] > MAX_AGE \
                or not 0 <= (now - cached[5]).total_seconds() <= MAX_AGE:
            generation = self.generation.value
            rendered = await self.app.run_sync(self._render, path)
            if rendered is None:
                return await self._not_found(path)
            page, modified = rendered
            cached = (generation, time.monotonic(), page, _etag(page.body), modified, now)
            self.cache[path] = cached
        _, _, page, etag, modified, _ = cached
        headers = {"ETag": etag, "Last-Modified": format_datetime(modified, usegmt=True),
                   "Cache-Control": "public, max-age=60", **(CORS if path in OPEN_DATA else {})}
        body = page.body
        if self.forms.has_form(body):  # the one per-visitor part: the form's token (bot/questions/tokens.py)
            body, etag, cookie = await self.forms.personalise(request, body, etag)
            headers.update({"ETag": etag, "Cache-Control": "private, max-age=60", "Vary": "Cookie"})
        else:
            cookie = None
        response = (web.Response(status=304, headers=headers) if _not_modified(request, etag, modified)
                    else web.Response(body=body, headers={**headers, "Content-Type": page.content_type}))
        if cookie:
            self.forms.set_cookie(response, cookie)
        return response

    async def _search(self, request: web.Request, path: str, query: str) -> web.StreamResponse:
        """A search with words is rendered for this request (never cached: the words are the visitor's)."""
        rendered = await self.app.run_sync(self._render, path, query)
        if rendered is None:
            return await self._not_found(path)
        page, _ = rendered
        return web.Response(body=page.body, headers={"Content-Type": page.content_type,
                                                     "Cache-Control": "private, max-age=60"})

    async def missing(self, request: web.Request) -> web.Response:
        """Any path no route serves, in the site's layout and the language of its prefix."""
        return await self._not_found(request.match_info.get("tail", "")[:200])

    async def missing_path(self, path: str) -> web.Response:
        return await self._not_found(path)

    async def _not_found(self, path: str) -> web.Response:
        page = await self.app.run_sync(self._render_not_found, path)
        return web.Response(status=404, body=page.body, headers={"Content-Type": page.content_type,
                                                                 "Cache-Control": "public, max-age=60"})

    async def bad_request(self, path: str) -> web.Response:
        """An address that cannot be read (a NUL in it): 400 in the site's layout (site2 F3)."""
        page = await self.app.run_sync(self._render_not_found, path, True)
        return web.Response(status=400, body=page.body, headers={"Content-Type": page.content_type,
                                                                 "Cache-Control": "no-store"})

    async def prepare_error_page(self, _: web.Application | None = None) -> None:
        """The 400 page the HTTP parser answers with (bot/web_security.py): rendered before, as the
        parser's answer cannot wait for the database."""
        self.error_page = (await self.app.run_sync(self._render_not_found, "index.html", True)).body

    def _render_not_found(self, path: str, bad: bool = False) -> Page:
        with self.app.uow_factory() as uow:
            return self.site.not_found(uow, path, bad)

    def _render(self, path: str, query: str | None = None) -> tuple[Page, Any] | None:
        with self.app.uow_factory() as uow:
            page = self.site.page(uow, path, query=query)
            return (page, data.last_change(uow).replace(microsecond=0)) if page else None

    def close(self) -> None:
        self.generation.close()


def _dumps(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _latest(document: Any) -> datetime | None:
    """The newest `modified` in an OParl document (its objects and those embedded in it)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("modified"), str):
                found.append(value["modified"])
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(document)
    return max((datetime.fromisoformat(v) for v in found), default=None)


def _conditional(request: web.Request, body: bytes, content_type: str, modified: datetime | None,
                 headers: dict[str, str]) -> web.Response:
    """ETag (of the bytes) and Last-Modified; 304 without a body when the client has them."""
    etag = _etag(body)
    headers = {**headers, "ETag": etag}
    if modified is not None:
        if modified.tzinfo is None:
            modified = modified.replace(tzinfo=timezone.utc)
        modified = modified.replace(microsecond=0)
        headers["Last-Modified"] = format_datetime(modified, usegmt=True)
    if _not_modified(request, etag, modified):
        return web.Response(status=304, headers=headers)
    return web.Response(body=body, headers={**headers, "Content-Type": content_type})


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:24] + '"'


def _not_modified(request: web.Request, etag: str, modified: Any) -> bool:
    match = request.headers.get("If-None-Match")
    if match is not None:  # the weak comparison of RFC 9110 13.1.2: W/"x" matches "x" (e.g. after compression)
        return _opaque(etag) in [_opaque(m) for m in match.split(",")] or match.strip() == "*"
    since = request.headers.get("If-Modified-Since")
    if since and modified is not None:
        try:
            return modified <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
    return False


def _opaque(tag: str) -> str:
    tag = tag.strip()
    while tag.startswith("W/"):  # a proxy may mark the weak tag of a compressed response weak again
        tag = tag[2:].strip()
    return tag
