"""A burst on Slack (issue #20): N members answer a round question at the same moment.

Everything runs in this process against the local fake of Slack's Web API, which answers every
call after LATENCY (about what a real Web API call costs from Europe):
- Sachstand: the real App (SQLite in a temp dir) with its Slack transport over HTTP; a round is
  opened over N owners, each gets the first question; then all N answer it at once, each with
  a signed event to /slack/events. A turn lasts from that request until the fake receives the
  next question in the member's direct conversation; `stored` counts the members whose
  conversation moved on in the database.
- Baseline: a bare Bolt AsyncApp on its own aiohttp server, same fake, same latency; each of the
  N members' messages is acknowledged and answered with one chat.postMessage.
The baseline's burst goes first, then Sachstand's. Ends with one line:
    members=… stored=… p50_ms=… p95_ms=… base_p50_ms=… base_p95_ms=… ratio=…   (ratio of the p95s)

Usage: python bench/burst_slack.py [N]   (default 200; SACHSTAND_OUTBOX__LANES=1 for the outbox of before)
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "integration" / "faults"))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from seed import NEXT, seed_owners  # noqa: E402
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request  # noqa: E402
from slack_bolt.app.async_app import AsyncApp  # noqa: E402
from slack_sdk.web.async_client import AsyncWebClient  # noqa: E402

from bot.app import App  # noqa: E402
from tests.helpers.slack_app import KOORDINATION, SECRET, slack_settings  # noqa: E402
from tests.helpers.slack_fake import SlackFake, dm_event, event_body, sign  # noqa: E402

LATENCY = 0.05  # seconds per Web API call


class SlowSlack(SlackFake):
    async def _api(self, request: web.Request) -> web.Response:
        await asyncio.sleep(LATENCY)
        return await super()._api(request)


def owner(i: int) -> str:
    return f"U0OWNER{i:04d}"


def dm(user: str) -> str:
    return "D" + user.removeprefix("U")


async def bare_bolt(api_url: str) -> tuple[web.AppRunner, int]:
    client = AsyncWebClient(token="xoxb-test", base_url=api_url, session=aiohttp.ClientSession())
    bolt = AsyncApp(client=client, signing_secret=SECRET, process_before_response=True)
    tasks: set[asyncio.Task[object]] = set()

    @bolt.event("message")
    async def echo(event: dict[str, Any], ack: Any) -> None:
        await ack()
        task = asyncio.create_task(client.chat_postMessage(channel=event["channel"], text="echo " + event["text"]))
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


async def post_event(session: aiohttp.ClientSession, url: str, user: str, text: str, event_id: str) -> None:
    body = json.dumps(event_body(dm_event(user, text, dm(user)), event_id))
    headers = {**sign(SECRET, body), "Content-Type": "application/json"}
    for _ in range(20):  # like Slack: again until it is acknowledged
        try:
            async with session.post(url, data=body.encode(), headers=headers,
                                    timeout=aiohttp.ClientTimeout(total=3)) as response:
                await response.read()
                if response.status == 200:
                    return
        except (aiohttp.ClientError, asyncio.TimeoutError):
            pass
        headers = {**headers, "X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        await asyncio.sleep(1)
    raise RuntimeError(f"{url}: event {event_id} never acknowledged")


async def burst(fake: SlackFake, url: str, members: int, text: str, expect: str, tag: str) -> list[float]:
    """All members say `text` at once; the seconds until each got a reply containing `expect`."""
    first = len(fake.calls)
    started: dict[str, float] = {}

    async def say(i: int) -> None:
        started[dm(owner(i))] = time.monotonic()
        await post_event(session, url, owner(i), text, f"Ev{tag}{i}")

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        await asyncio.gather(*(say(i) for i in range(members)))

    def answered(calls: list[Any]) -> dict[str, float] | None:
        done = {c.params.get("channel"): c.at for c in calls[first:]
                if c.method == "chat.postMessage" and expect in str(c.params.get("text", ""))}
        return done if len(done.keys() & started.keys()) >= members else None

    done = await fake.wait_for(answered, timeout=600)
    return [(done[channel] - at) * 1000 for channel, at in started.items()]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def moved_on(db_url: str) -> int:
    from sqlalchemy import create_engine, text
    engine = create_engine(db_url)
    with engine.connect() as conn:
        count = conn.execute(text("SELECT count(*) FROM conversation_states WHERE status = 'active' "
                                  "AND step != 'status'")).scalar_one()
    engine.dispose()
    return int(count)


async def main(members: int) -> None:
    logging.basicConfig(level=logging.WARNING)
    fake = await SlowSlack().start()
    with tempfile.TemporaryDirectory() as tmp:
        db_url = f"sqlite:///{Path(tmp) / 'burst.db'}"
        await asyncio.to_thread(seed_owners, db_url, members, "slack", owner, lambda i: dm(owner(i)))
        runner, base_port = await bare_bolt(fake.api_url)
        base = await burst(fake, f"http://127.0.0.1:{base_port}/slack/events", members, "hallo", "echo hallo", "B")
        await runner.cleanup()

        lanes = {"SACHSTAND_OUTBOX__LANES": os.environ["SACHSTAND_OUTBOX__LANES"]} \
            if "SACHSTAND_OUTBOX__LANES" in os.environ else {}
        app = App(slack_settings(db_url, fake.api_url, **lanes))
        await app.start()
        url = f"http://127.0.0.1:{app.web_port}/slack/events"
        try:
            due = date.today() + timedelta(days=21)
            opened = time.monotonic()
            async with aiohttp.ClientSession() as session:
                await post_event(session, url, KOORDINATION, f"runde starten EG9 frist {due:%d.%m.%Y}", "EvOPEN")
            await fake.wait_for(lambda calls: len({c.params.get("channel") for c in calls if c.method == "chat.postMessage"
                                                   and "Wie ist der Status?" in str(c.params.get("text", ""))})
                                >= members, timeout=900)
            print(f"# round over {members} owners opened and every prompt delivered in "
                  f"{time.monotonic() - opened:.1f} s", file=sys.stderr)
            ours = await burst(fake, url, members, "in Umsetzung", NEXT[0], "S")
            stored = await asyncio.to_thread(moved_on, db_url)
        finally:
            await app.shutdown()
            await fake.stop()
    p50, p95, b50, b95 = statistics.median(ours), pct(ours, 0.95), statistics.median(base), pct(base, 0.95)
    print(f"# {LATENCY * 1000:.0f} ms per Web API call; lanes={app.settings.outbox.lanes}", file=sys.stderr)
    print(f"members={members} stored={stored} p50_ms={p50:.0f} p95_ms={p95:.0f} base_p50_ms={b50:.0f} "
          f"base_p95_ms={b95:.0f} ratio={p95 / b95:.2f}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
