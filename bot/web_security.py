"""What every response of the web server carries, and how bad requests are answered.

Headers: a Content-Security-Policy that allows no script, no frame around the pages, styles
only from the site's own stylesheet; nosniff; no referrer; `Server` without versions. CORS is
set by the open-data endpoints themselves (bot/public/web.py), never here.

Bad requests: what a client got wrong (a body that cannot be read, broken chunked encoding,
a malformed header) is answered 4xx with a short text and logged as a warning without a
traceback; only our own bugs are errors (and raise the error metric the alert watches).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest
from aiohttp.web_server import Server

from bot.csp import CSP

log = logging.getLogger(__name__)
T = TypeVar("T")
PUBLIC_KEY = web.AppKey("public_site", object)  # bot.public.web.PublicSite: its error pages

SERVER = "Sachstand"
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",  # for browsers that predate frame-ancestors
    "Cross-Origin-Opener-Policy": "same-origin",
}
COMPRESSIBLE = ("text/", "application/json", "application/atom+xml", "application/xml", "image/svg+xml",
                "application/schema+json")
MIN_COMPRESS = 1024  # bytes: below this, gzip costs more than it saves


class SlowBody(Exception):
    """The client did not send its request's body within `web.body_timeout` (a slow POST)."""


async def body_within(request: web.Request, reading: Awaitable[T], timeout: float) -> T:
    """Read a request's body in at most `timeout` seconds: the header timeout ends when the
    headers are in, and a body trickled a byte at a time would hold the connection forever."""
    try:
        return await asyncio.wait_for(reading, timeout)
    except TimeoutError:
        raise SlowBody from None


async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
    """Every response, also the errors aiohttp raises itself (404, 405, 413)."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers["Server"] = SERVER


def _compress(request: web.Request, response: web.StreamResponse) -> None:
    if not isinstance(response, web.Response) or response.status != 200 or response.compression:
        return
    body = response.body
    if not isinstance(body, bytes) or len(body) < MIN_COMPRESS or "Content-Encoding" in response.headers:
        return
    if not response.content_type.startswith(COMPRESSIBLE):
        return
    accepted = request.headers.get("Accept-Encoding", "")
    if "gzip" in accepted or "deflate" in accepted:
        response.enable_compression()
        vary = response.headers.get("Vary")
        response.headers["Vary"] = f"{vary}, Accept-Encoding" if vary else "Accept-Encoding"
        etag = response.headers.get("ETag")  # other bytes than the identity encoding: a weak tag
        if etag and not etag.startswith("W/"):
            response.headers["ETag"] = "W/" + etag


@web.middleware
async def client_errors(request: web.Request,
                        handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    """A body that cannot be read (broken chunked encoding, a cut-off upload) is the client's
    fault: 400, a warning, no traceback. Compression is chosen here, before the response is
    prepared (aiohttp runs on_response_prepare after it has set up the body's encoding)."""
    if "\x00" in request.path or "\x00" in request.query_string or "%00" in request.raw_path:
        # no page, feed or calendar has a NUL in its name; PostgreSQL refuses it in a query (a 500);
        # answered in the site's layout (site2 F3)
        log.warning("web: refused a request with a NUL byte in its path")
        public: Any = request.app.get(PUBLIC_KEY)
        in_path = "\x00" in request.path or "%00" in request.raw_path.partition("?")[0]
        if public is None:
            return web.Response(status=404 if in_path else 400, text="Not found." if in_path else "Bad request.")
        path = request.path.replace("\x00", "")[:200]
        return await (public.missing_path(path) if in_path else public.bad_request(path))
    try:
        response = await handler(request)
        _compress(request, response)
        return response
    except HttpProcessingError as exc:
        log.warning("web: refused a malformed request to %s: %s", request.path, exc.message or type(exc).__name__)
        return web.Response(status=400, text="Bad request.")
    except SlowBody:
        log.warning("web: the client did not send its request body to %s in time", request.path)
        # the answer is written first (force_close drops the transport at once: a silent client
        # got no bytes at all, sec2 F7), then no lingering read of the rest (aiohttp would read on
        # for 10 s); a client still sending may see a reset rather than the answer
        response = web.Response(status=408, text="Request timeout.", headers={"Connection": "close"})
        await response.prepare(request)
        await response.write_eof()
        request.protocol.force_close()
        return response
    except ConnectionResetError:  # the client hung up in the middle of its request: nothing to answer
        log.warning("web: the client closed the connection during its request to %s", request.path)
        return web.Response(status=400, text="Bad request.")


class _Handler(RequestHandler):
    """What the HTTP parser refuses (a request line over 8190 bytes, raw UTF-8 in it) is answered
    with the site's 400 page and headers, not aiohttp's text naming itself and quoting the
    parser's buffer (site2 F3)."""

    def handle_error(self, request: BaseRequest, status: int = 500, exc: BaseException | None = None,
                     message: str | None = None) -> web.StreamResponse:
        response = super().handle_error(request, status, exc, message)
        manager = self._manager
        page = manager.error_page() if isinstance(manager, _Server) else None
        if 400 <= status < 500:
            response = (web.Response(status=status, body=page, content_type="text/html", charset="utf-8")
                        if page else web.Response(status=status, text="Bad request."))
            response.force_close()
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers["Server"] = SERVER
        return response


class _Server(Server):
    error_page: Callable[[], bytes | None]

    def __call__(self) -> RequestHandler:
        return _Handler(self, loop=self._loop, **self._kwargs)


class Runner(web.AppRunner):
    """The app runner whose connections answer the parser's errors with `error_page()`."""

    def __init__(self, app: web.Application, error_page: Callable[[], bytes | None], **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self._error_page = error_page

    async def _make_server(self) -> Server:
        server = await super()._make_server()
        server.__class__ = _Server
        assert isinstance(server, _Server)
        server.error_page = self._error_page
        return server


class ClientErrorFilter(logging.Filter):
    """aiohttp logs every request it cannot parse (a malformed header, a bad request line) with
    a traceback at ERROR; that is the client's error, not ours: a one-line warning instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError):
            record.msg = "web: refused a malformed request: %s"
            record.args = (getattr(exc, "message", "") or type(exc).__name__,)
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info, record.exc_text = None, None
        return True


def install_log_filter() -> None:
    logger = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, ClientErrorFilter) for f in logger.filters):
        logger.addFilter(ClientErrorFilter())
