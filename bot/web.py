"""The aiohttp web app: health now; Slack's endpoint, the public page and feeds later."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlalchemy import text

if TYPE_CHECKING:
    from .app import App

APP_KEY = web.AppKey("sachstand", object)


def build_web(app: App) -> web.Application:
    from .public.web import PublicSite

    webapp = web.Application()
    webapp[APP_KEY] = app
    webapp.router.add_get("/healthz", healthz)
    webapp.router.add_get("/calendar/{body}.ics", calendar_feed)
    public = PublicSite(app)
    public.routes(webapp)
    webapp.on_cleanup.append(lambda _: _close(public))
    for transport in app.transports:  # e.g. Slack's /slack/events in http mode
        for path, handler in getattr(transport, "routes", list)():
            webapp.router.add_post(path, handler)
    return webapp


async def _close(public: Any) -> None:
    public.close()


async def healthz(request: web.Request) -> web.Response:
    app: Any = request.app[APP_KEY]
    database = await app.run_sync(_database_ok, app)
    transports = {t.name: t.connected for t in app.transports}
    ok = database and all(transports.values())
    body = {"status": "ok" if ok else "degraded", "database": database, "transports": transports}
    return web.json_response(body, status=200 if ok else 503)


async def calendar_feed(request: web.Request) -> web.Response:
    """/calendar/EG2.ics and /calendar/all.ics: subscribable feeds of the bodies' meetings."""
    from .meetings.feeds import build_feed

    app: Any = request.app[APP_KEY]
    data = await app.run_sync(build_feed, app.services, request.match_info["body"])
    if data is None:
        raise web.HTTPNotFound(text="unknown body")
    return web.Response(body=data, content_type="text/calendar", charset="utf-8",
                        headers={"Cache-Control": "max-age=300"})


def _database_ok(app: Any) -> bool:
    try:
        with app.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


async def start_web(app: App) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(build_web(app), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, app.settings.web.host, app.settings.web.port)
    await site.start()
    sockets = getattr(site._server, "sockets", None) or []  # noqa: SLF001 - port 0 needs the real port
    port = sockets[0].getsockname()[1] if sockets else app.settings.web.port
    return runner, port
