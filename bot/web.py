"""The aiohttp web app: health now; Slack's endpoint, the public page and feeds later."""
from __future__ import annotations

import asyncio
import ipaddress
from typing import TYPE_CHECKING, Any

from aiohttp import web
from sqlalchemy import text

if TYPE_CHECKING:
    from .app import App

APP_KEY = web.AppKey("sachstand", object)


def build_web(app: App) -> web.Application:
    from .public.web import PublicSite

    from .web_security import PUBLIC_KEY, client_errors, install_log_filter, on_prepare

    install_log_filter()
    webapp = web.Application(middlewares=[client_errors])
    webapp.on_response_prepare.append(on_prepare)
    webapp[APP_KEY] = app
    webapp.router.add_get("/healthz", healthz)
    webapp.router.add_get("/metrics", metrics)
    public = PublicSite(app)
    public.routes(webapp)
    webapp[PUBLIC_KEY] = public
    webapp.on_startup.append(public.prepare_error_page)
    webapp.on_cleanup.append(lambda _: _close(public))
    for transport in app.transports:  # e.g. Slack's /slack/events in http mode
        for path, handler in getattr(transport, "routes", list)():
            webapp.router.add_post(path, handler)
    webapp.router.add_get("/{tail:.*}", public.missing)  # any other page: the site's 404 page (site2 F2)
    return webapp


async def _close(public: Any) -> None:
    public.close()


async def healthz(request: web.Request) -> web.Response:
    """200 when everything this process runs works; 503 with the failing component otherwise.
    A standby runs no transports (the leader does): it is healthy when its database works."""
    app: Any = request.app[APP_KEY]
    try:
        database = await asyncio.wait_for(app.run_sync(_database_ok, app), 10)
    except TimeoutError:
        database = False
    leading = app.leadership.is_leader
    transports = {t.name: t.connected for t in app.running_transports}
    components: dict[str, dict[str, Any]] = {"database": {"ok": database}, "leadership": app.leadership.describe()}
    for transport in app.transports:
        if transport in app.running_transports:
            state = "connected" if transport.connected else "disconnected"
            components[f"transport:{transport.name}"] = {"ok": transport.connected, "state": state}
        else:  # not run here: the leader runs it
            components[f"transport:{transport.name}"] = {"ok": True, "state": "standby"}
    ok = all(c["ok"] for c in components.values())
    body = {"status": "ok" if ok else "degraded", "role": "leader" if leading else "standby",
            "database": database, "transports": transports, "components": components}
    return web.json_response(body, status=200 if ok else 503)


def may_read_metrics(request: web.Request, allowed: list[str]) -> bool:
    """Operational figures are for the operator's Prometheus, not the public site: only the
    addresses in `web.metrics_from` (default loopback). A request that came through a reverse
    proxy (it says whom it forwards) counts as from outside, though the proxy's address is local."""
    if "*" in allowed:
        return True
    if any(h in request.headers for h in ("X-Forwarded-For", "Forwarded", "X-Real-IP")):
        return False
    try:
        remote = ipaddress.ip_address((request.remote or "").split("%")[0])
    except ValueError:
        return False
    remote = getattr(remote, "ipv4_mapped", None) or remote  # ::ffff:127.0.0.1 on a dual-stack socket
    return any(remote in ipaddress.ip_network(a, strict=False) for a in allowed)


async def metrics(request: web.Request) -> web.Response:
    """Prometheus text format (bot/metrics.py); the database figures are read in a thread."""
    from .metrics import CONTENT_TYPE, snapshot

    app: Any = request.app[APP_KEY]
    if not may_read_metrics(request, app.settings.web.metrics_from):
        raise web.HTTPNotFound()  # as if there were none: nothing to probe for
    snap = await asyncio.to_thread(snapshot, app)
    return web.Response(body=app.metrics.render(app, snap), headers={"Content-Type": CONTENT_TYPE})


def _database_ok(app: Any) -> bool:
    try:
        with app.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False


async def start_web(app: App) -> tuple[web.AppRunner, int]:
    # keepalive_timeout also closes a connection whose request headers are not complete by then
    # (aiohttp starts that timer when the connection opens): the header-read timeout
    from .web_security import PUBLIC_KEY, Runner

    webapp = build_web(app)
    public: Any = webapp[PUBLIC_KEY]
    runner = Runner(webapp, lambda: public.error_page, access_log=None,
                    keepalive_timeout=app.settings.web.header_timeout)
    await runner.setup()
    site = web.TCPSite(runner, app.settings.web.host, app.settings.web.port)
    await site.start()
    sockets = getattr(site._server, "sockets", None) or []  # noqa: SLF001 - port 0 needs the real port
    port = sockets[0].getsockname()[1] if sockets else app.settings.web.port
    return runner, port
