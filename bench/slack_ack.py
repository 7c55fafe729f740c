"""Acknowledgement latency of `/sachstand hilfe`: Sachstand's Slack endpoint vs. a bare Bolt app.

Both run in this process, side by side, against the same local fake of Slack's Web API:
- Sachstand: the real App (SQLite in a temp dir, example catalog) with its web server and
  /slack/events; each request is acknowledged, then answered through router and outbox.
- Baseline: a bare Bolt AsyncApp on its own aiohttp server, configured the same way
  (process_before_response, ack first, then the answer posted in a task over one
  keep-alive session, auth.test done by the warm-up).
Signed requests alternate between the two over keep-alive connections, paced so the answer
work of one request overlaps the next, as in real use. Prints one line of figures:
    p50_ms=… p99_ms=… base_p50_ms=… base_p99_ms=… ratio=…   (ratio of the p50s)

Usage: python bench/slack_ack.py [N]   (default N=300 requests to each)
"""
from __future__ import annotations

import asyncio
import logging
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request  # noqa: E402
from slack_bolt.app.async_app import AsyncApp  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

from bot.app import App  # noqa: E402
from tests.helpers.slack_app import SECRET, TESTMANN, slack_settings  # noqa: E402
from tests.helpers.slack_fake import SlackFake, command_body, sign  # noqa: E402

WARMUP = 20
PACE = 0.01  # seconds between requests


async def bare_bolt(api_url: str) -> tuple[web.AppRunner, int]:
    client = AsyncWebClient(token="xoxb-test", base_url=api_url, session=aiohttp.ClientSession())  # as ours
    bolt = AsyncApp(client=client, signing_secret=SECRET, process_before_response=True)
    tasks: set[asyncio.Task[object]] = set()

    @bolt.command("/sachstand")
    async def hilfe(ack, command) -> None:  # type: ignore[no-untyped-def]
        await ack()
        task = asyncio.create_task(client.chat_postEphemeral(
            channel=command["channel_id"], user=command["user_id"], text="Sachstand – Befehle"))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def handle(request: web.Request) -> web.StreamResponse:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def close(_: web.Application) -> None:
        await client.session.close()  # type: ignore[union-attr]

    webapp = web.Application()
    webapp.router.add_post("/slack/events", handle)
    webapp.on_cleanup.append(close)
    runner = web.AppRunner(webapp, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]  # noqa: SLF001


async def one(session: aiohttp.ClientSession, url: str) -> float:
    body = urllib.parse.urlencode(command_body(TESTMANN, "hilfe"))
    headers = {**sign(SECRET, body), "Content-Type": "application/x-www-form-urlencoded"}
    start = time.perf_counter()
    async with session.post(url, data=body.encode(), headers=headers) as response:
        await response.read()
        elapsed = (time.perf_counter() - start) * 1000
        if response.status != 200:
            raise RuntimeError(f"{url}: HTTP {response.status}")
    return elapsed


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def main(n: int) -> None:
    logging.basicConfig(level=logging.WARNING)
    fake = await SlackFake().start()
    with tempfile.TemporaryDirectory() as tmp:
        app = App(slack_settings(f"sqlite:///{Path(tmp) / 'bench.db'}", fake.api_url))
        await app.start()
        runner, base_port = await bare_bolt(fake.api_url)
        ours_url = f"http://127.0.0.1:{app.web_port}/slack/events"
        base_url = f"http://127.0.0.1:{base_port}/slack/events"
        ours: list[float] = []
        base: list[float] = []
        try:
            async with aiohttp.ClientSession() as session:
                for i in range(WARMUP + n):
                    if i % 2:  # alternate who goes first: each suffers the other's background work
                        b, a = await one(session, base_url), await one(session, ours_url)
                    else:
                        a, b = await one(session, ours_url), await one(session, base_url)
                    if i >= WARMUP:
                        ours.append(a)
                        base.append(b)
                    await asyncio.sleep(PACE)
            answered = await fake.wait_for(
                lambda calls: len([c for c in calls if c.method == "chat.postEphemeral"]) >= 2 * (WARMUP + n),
                timeout=120)
        finally:
            await runner.cleanup()
            await app.shutdown()
            await fake.stop()
    p50, p99 = statistics.median(ours), pct(ours, 0.99)
    b50, b99 = statistics.median(base), pct(base, 0.99)
    print(f"# {n} signed /sachstand hilfe each, {PACE * 1000:.0f} ms apart; all answered: {bool(answered)}",
          file=sys.stderr)
    print(f"p50_ms={p50:.2f} p99_ms={p99:.2f} base_p50_ms={b50:.2f} base_p99_ms={b99:.2f} ratio={p50 / b50:.2f}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 300))
