"""The public status site under load (issue #7): `feed.atom` and `/` served by Sachstand's web
server (the real App: routes, render cache, ETag and Last-Modified headers) against a bare aiohttp
server that serves the same bytes as static files — both in this process, in the same run.

Load: a closed loop of CONCURRENCY aiohttp clients for DURATION seconds per target and path,
after half a second of warm-up per target, every response read in full and checked for 200 (no conditional requests: each answer carries
the body). Note the clients share the process (and the machine's 2 cores) with the server, so
absolute figures are low; the ratio is what compares.

Ends with one line: rps=… p99_ms=… base_rps=… ratio=…  (Sachstand over both paths; goal ratio ≥ 0.7)
Run: .venv/bin/python bench/public.py  (or `make bench`)
"""
from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from bot.app import App  # noqa: E402
from bot.config import load_settings  # noqa: E402

DURATION = float(sys.argv[1]) if len(sys.argv) > 1 else 4.0
CONCURRENCY = 16
PATHS = ("feed.atom", "")


async def _load(base: str, path: str, duration: float = DURATION) -> tuple[int, list[float]]:
    latencies: list[float] = []
    stop = time.perf_counter() + duration
    connector = aiohttp.TCPConnector(limit=CONCURRENCY)
    async with aiohttp.ClientSession(connector=connector) as http:
        async def client() -> None:
            while time.perf_counter() < stop:
                start = time.perf_counter()
                async with http.get(base + path) as resp:
                    await resp.read()
                    assert resp.status == 200, resp.status
                latencies.append(time.perf_counter() - start)

        await asyncio.gather(*(client() for _ in range(CONCURRENCY)))
    return len(latencies), latencies


def _p99(latencies: list[float]) -> float:
    return statistics.quantiles(latencies, n=100)[98] * 1000


async def _static_server(root: Path) -> tuple[web.AppRunner, int]:
    webapp = web.Application()
    webapp.router.add_get("/", lambda request: web.FileResponse(root / "index.html"))
    # for reference only: the same bytes from memory, the cheapest aiohttp can answer
    cached = {p: (root / (p or "index.html")).read_bytes() for p in PATHS}
    webapp.router.add_get("/mem/{path:.*}", lambda request: web.Response(body=cached[request.match_info["path"]]))
    webapp.router.add_static("/", root)
    runner = web.AppRunner(webapp, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]  # noqa: SLF001


async def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = {"SACHSTAND_DATABASE__URL": f"sqlite:///{tmp}/bench.db", "SACHSTAND_WEB__ENABLED": "true",
               "SACHSTAND_WEB__PORT": "0", "SACHSTAND_GENERAL__EXAMPLE_CATALOG": str(ROOT / "examples" / "koeln.yaml"),
               "SACHSTAND_GENERAL__EXAMPLE_HISTORY": "true"}
        app = App(load_settings(None, env), transports=[],
                  clock=lambda: datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc))
        await app.start()
        try:
            ours = f"http://127.0.0.1:{app.web_port}/"
            static = Path(tmp) / "static"
            async with aiohttp.ClientSession() as http:  # the same bytes, to disk
                for path in PATHS:
                    async with http.get(ours + path) as resp:
                        body = await resp.read()
                    (static / (path or "index.html")).parent.mkdir(parents=True, exist_ok=True)
                    (static / (path or "index.html")).write_bytes(body)
            runner, port = await _static_server(static)
            theirs = f"http://127.0.0.1:{port}/"
            for path in PATHS:  # warm both (first requests render, open files, fill caches)
                for base in (theirs, ours):
                    await _load(base, path, 0.5)
            totals = {"ours": [0, [], 0.0], "base": [0, [], 0.0]}
            for path in PATHS:
                for name, base in (("base", theirs), ("ours", ours)):
                    count, latencies = await _load(base, path)
                    rps = count / DURATION
                    totals[name][0] += count
                    totals[name][1] += latencies
                    print(f"{name:4} /{path:<10} rps={rps:7.0f} p50_ms={statistics.median(latencies) * 1000:6.2f} "
                          f"p99_ms={_p99(latencies):6.2f}", flush=True)
            for path in PATHS:
                count, latencies = await _load(theirs + "mem/", path)
                print(f"mem  /{path:<10} rps={count / DURATION:7.0f} p50_ms={statistics.median(latencies) * 1000:6.2f} "
                      f"p99_ms={_p99(latencies):6.2f}  (reference: bytes from memory, not the baseline)", flush=True)
            await runner.cleanup()
        finally:
            await app.shutdown()
    rps = totals["ours"][0] / (DURATION * len(PATHS))
    base_rps = totals["base"][0] / (DURATION * len(PATHS))
    print(f"rps={rps:.0f} p99_ms={_p99(totals['ours'][1]):.2f} base_rps={base_rps:.0f} ratio={rps / base_rps:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
