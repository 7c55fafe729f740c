"""The public form on the web server: POST /fragen and the thank-you page.

Caching: the pages are rendered once for everybody (bot/public/web.py); only the form's token
is per visitor. It is filled in at serving time from the visitor's cookie; the ETag is the
shared one, marked weak (same page, bytes differ only in the token), so conditional GETs keep
answering 304. The response is `Cache-Control: private` with `Vary: Cookie`, so no shared cache
hands one visitor's token to another. A refused submission is answered with the page again (the values
kept, the problems announced) and `no-store`; an accepted one with 303 to the thank-you page."""
from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from datetime import timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from bot.core.commands import N_
from bot.web_security import body_within

from .intake import MAX_BODY, FormState, Intake, text_of, values_from
from .service import notify_new
from .tokens import COOKIE, PLACEHOLDER, Tokens, key

if TYPE_CHECKING:
    from bot.core.runtime import Runtime
    from bot.public.site import Site

log = logging.getLogger(__name__)
COOKIE_AGE = 7 * 24 * 3600
_PLACEHOLDER = PLACEHOLDER.encode()
UNREADABLE = N_("The form could not be read. Please send it again from the page.")
TOO_LARGE = N_("The form is too large. Please shorten your text and send it again.")
REPEAT_SECONDS = 600  # the same form sent again (a double click, a browser's resend): one question (F3b)
REPEATS_KEPT = 1000


class QuestionForms:
    def __init__(self, app: Runtime, site: Site) -> None:
        self.app, self.site = app, site
        self.intake = Intake(app.services)
        self._tokens: Tokens | None = None
        # submissions just accepted: key of (visitor's cookie, recommendation, text) → (when, thanks page)
        self._accepted: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._accepting = asyncio.Lock()  # a double click's two POSTs arrive together

    def routes(self, webapp: web.Application) -> None:
        if self.app.settings.questions.enabled:
            webapp.router.add_post("/fragen", self.submit)
            webapp.router.add_get("/fragen/danke.html", self.thanks)

    async def tokens(self) -> Tokens:
        if self._tokens is None:
            self._tokens = Tokens(await self.app.run_sync(self._key))
        return self._tokens

    def _key(self) -> bytes:
        with self.app.uow_factory() as uow:
            return key(self.app.services, uow)

    # -- GET: the cached page with this visitor's token -----------------------------------------
    @staticmethod
    def has_form(body: bytes) -> bool:
        return _PLACEHOLDER in body

    async def personalise(self, request: web.Request, body: bytes, etag: str) -> tuple[bytes, str, str | None]:
        """The page with the token of the visitor's cookie (a new cookie if none): body, ETag, new cookie."""
        tokens = await self.tokens()
        nonce = request.cookies.get(COOKIE)
        new = None
        if not tokens.valid_nonce(nonce):
            nonce = new = tokens.new_nonce()
        token = tokens.token(nonce or "")
        # weak: the bytes differ only in the token, the page is the same; a client's conditional GET
        # keeps working with or without our cookie (its cached copy holds the token of its cookie)
        return body.replace(_PLACEHOLDER, token.encode()), "W/" + etag, new

    def set_cookie(self, response: web.StreamResponse, nonce: str) -> None:
        secure = str(self.app.settings.web.public_base_url).startswith("https:")
        response.set_cookie(COOKIE, nonce, max_age=COOKIE_AGE, path="/", httponly=True, samesite="Lax",
                            secure=secure)

    # -- POST -----------------------------------------------------------------------------------
    async def submit(self, request: web.Request) -> web.StreamResponse:
        tokens = await self.tokens()
        if request.content_length is not None and request.content_length > MAX_BODY:
            return await self._page(request, FormState({}, {"": self.intake.t(TOO_LARGE)}, 413), "")
        # the limit also for a chunked body, which has no Content-Length to check beforehand
        request._client_max_size = MAX_BODY  # noqa: SLF001 - aiohttp has no per-route limit
        try:
            posted = await body_within(request, request.post(), self.app.settings.web.body_timeout)
        except web.HTTPRequestEntityTooLarge:
            return await self._page(request, FormState({}, {"": self.intake.t(TOO_LARGE)}, 413), "")
        except (ValueError, AssertionError, LookupError, HttpProcessingError) as exc:
            # a body that is not the form: a broken multipart, bytes that are not its charset,
            # an unknown charset. The sender's fault: 400 with the form again, a warning.
            log.warning("public form: refused a body that cannot be read (%s)", type(exc).__name__)
            return await self._page(request, FormState({}, {"": self.intake.t(UNREADABLE)}, 400), "")
        if any(isinstance(v, str) and "\x00" in v for v in posted.values()):  # no text has one; PostgreSQL refuses it
            log.warning("public form: refused a body with a NUL byte")
            return await self._page(request, FormState({}, {"": self.intake.t(UNREADABLE)}, 400), "")
        values = values_from({k: v for k, v in posted.items() if isinstance(v, str)})
        csrf_ok = tokens.check(request.cookies.get(COOKIE), values.get("token"))
        sender = tokens.sender_key(self._address(request))
        repeat = tokens.repeat_key(request.cookies.get(COOKIE) or "", values.get("empfehlung", "").strip(),
                                   text_of(values)) if csrf_ok else ""
        async with self._accepting:
            target = self._accepted_before(repeat)
            if target is None:
                outcome = await self.app.run_sync(self._receive, values, csrf_ok, sender)
                lang = self.intake.locale(values)
                if isinstance(outcome, FormState):
                    return await self._page(request, outcome, values.get("empfehlung", ""), lang)
                self.app.deliver_now()  # the announcements are in the outbox
                query = urlencode({k: v for k, v in (("zu", outcome), ("sprache", lang)) if v and v != self._default})
                target = "fragen/danke.html" + (f"?{query}" if query else "")
                self._remember(repeat, target)
            else:
                log.info("public form: the same submission again (a double submit); not stored twice")
        raise web.HTTPSeeOther(location=target)

    def _accepted_before(self, repeat: str) -> str | None:
        """The thanks page of this very submission if it was accepted minutes ago."""
        cutoff = time.monotonic() - REPEAT_SECONDS
        while self._accepted and next(iter(self._accepted.values()))[0] < cutoff:
            self._accepted.popitem(last=False)
        found = self._accepted.get(repeat) if repeat else None
        return found[1] if found else None

    def _remember(self, repeat: str, target: str) -> None:
        if repeat:
            self._accepted[repeat] = (time.monotonic(), target)
            while len(self._accepted) > REPEATS_KEPT:
                self._accepted.popitem(last=False)

    def _address(self, request: web.Request) -> str:
        """The sender's address for the rate limit; behind the city's own reverse proxy the one it
        appended to X-Forwarded-For (the last entry: earlier ones are whatever the client sent)."""
        forwarded = request.headers.get("X-Forwarded-For", "")
        if self.app.settings.questions.forwarded_for and forwarded.strip():
            return forwarded.split(",")[-1].strip()
        return request.remote or ""

    def _receive(self, values: dict[str, str], csrf_ok: bool, sender: str) -> FormState | str:
        """In the database thread: check, store, announce; the recommendation code or the refusal."""
        services = self.app.services
        now = services.clock()
        with self.app.uow_factory() as uow:
            checked = self.intake.check(uow, values, csrf_ok, sender, now)
            if isinstance(checked, FormState):
                return checked
            # the same form sent again later (back, then send; a restart forgot `_accepted`): one question (F4)
            if uow.questions.same_from(sender, checked.id if checked else None, text_of(values),
                                       now - timedelta(days=1)) is not None:
                log.info("public form: the same question again from the same sender; not stored twice")
                return checked.code if checked else ""
            question = self.intake.store(uow, values, checked, sender, now)
            notify_new(services, uow, question)
            uow.commit()
            log.info("public question %s received (%s)", question.id, checked.code if checked else "overview")
            return checked.code if checked else ""

    @property
    def _default(self) -> str:
        return self.app.settings.general.locale

    async def _page(self, request: web.Request, form: FormState, code: str, lang: str = "") -> web.Response:
        """The page the form was on, in its language, with the values kept and the problems announced;
        never cached."""
        prefix = f"{lang}/" if lang and lang != self._default else ""
        path = prefix + (f"empfehlungen/{code}.html" if code else "index.html")
        page = await self.app.run_sync(self._render, path, form)
        if page is None:
            page = await self.app.run_sync(self._render, prefix + "index.html", form)
            assert page is not None, "the public site always has its index page"
        tokens = await self.tokens()
        nonce = request.cookies.get(COOKIE)
        new = None
        if not tokens.valid_nonce(nonce):
            nonce = new = tokens.new_nonce()
        body = page.replace(_PLACEHOLDER, tokens.token(nonce or "").encode())
        response = web.Response(body=body, status=form.status, content_type="text/html", charset="utf-8",
                                headers={"Cache-Control": "no-store"})
        if new:
            self.set_cookie(response, new)
        return response

    def _render(self, path: str, form: FormState) -> bytes | None:
        with self.app.uow_factory() as uow:
            form.served_at = "fragen"  # answered at POST /fragen, not at the page's own address
            page = self.site.page(uow, path, form)
            return page.body if page else None

    async def thanks(self, request: web.Request) -> web.Response:
        code = request.query.get("zu", "")[:20]
        page = await self.app.run_sync(self._thanks, code, self.intake.locale({"sprache": request.query.get("sprache", "")}))
        return web.Response(body=page, content_type="text/html", charset="utf-8",
                            headers={"Cache-Control": "no-store"})

    def _thanks(self, code: str, locale: str) -> Any:
        with self.app.uow_factory() as uow:
            return self.site.thanks(uow, code, locale).body
