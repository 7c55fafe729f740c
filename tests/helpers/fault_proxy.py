"""A reverse proxy in front of the real Synapse that fails chosen requests on demand.

A homeserver under load answers some requests with 502 or not at all; the one that matters is
rarely the one a test can wait for. The proxy forwards everything to the real homeserver and,
when armed, answers the next N requests whose method and path match with an error instead
(the request never reaches the homeserver), so a test can put exactly that fault in exactly
that place.
"""
from __future__ import annotations

from dataclasses import dataclass

import aiohttp
from aiohttp import web

HOP_HEADERS = {"host", "content-length", "transfer-encoding", "connection", "keep-alive"}


@dataclass
class Fault:
    method: str
    path_part: str
    times: int
    status: int


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.faults: list[Fault] = []
        self.failed: list[str] = []  # "METHOD path" of every request answered with a fault
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.url = ""

    def fail(self, method: str, path_part: str, times: int = 1, status: int = 502) -> None:
        self.faults.append(Fault(method.upper(), path_part, times, status))

    async def start(self) -> FaultProxy:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=None), auto_decompress=False)
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    def _fault_for(self, request: web.Request) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and fault.method == request.method and fault.path_part in request.path:
                fault.times -= 1
                return fault
        return None

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        fault = self._fault_for(request)
        if fault is not None:
            self.failed.append(f"{request.method} {request.path}")
            return web.json_response({"errcode": "M_UNKNOWN", "error": "injected by the test's proxy"},
                                     status=fault.status)
        assert self._session is not None
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        async with self._session.request(request.method, self.upstream + request.path_qs, data=body,
                                         headers=headers) as upstream:
            payload = await upstream.read()
            out = {k: v for k, v in upstream.headers.items() if k.lower() not in HOP_HEADERS}
            return web.Response(status=upstream.status, body=payload, headers=out)
