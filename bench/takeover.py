"""Takeover time: two `sachstand run` processes on one PostgreSQL (pgserver), Slack over HTTP
against the local fake. The leader is killed with SIGKILL, CYCLES times in turn; measured is
the time from the kill until the standby reports itself leader on /healthz, and until a message
sent right after the kill is answered. Baseline, measured in the same run: no standby, the
killed process started again (what a service manager's restart gives, without its delay).

Prints one line:  takeover_s=… (median) max_s=… answer_s=… restart_baseline_s=… cycles=…
Usage: python bench/takeover.py [CYCLES]   (default 5)
"""
from __future__ import annotations

import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from tests.helpers.cluster import BotProcess, LoadBalancer, answers, drained, wait_answered  # noqa: E402
from tests.helpers.slack_app import TESTMANN  # noqa: E402
from tests.helpers.slack_fake import SlackFake  # noqa: E402


async def main(cycles: int) -> None:
    import pgserver

    work = Path(tempfile.mkdtemp(prefix="sachstand-takeover-"))
    server = pgserver.get_server(work / "pg", cleanup_mode="stop")
    server.psql("CREATE DATABASE takeover;")
    fake = await SlackFake().start()
    pair = [BotProcess(work, name, server.get_uri("takeover"), fake.api_url) for name in ("a", "b")]
    takeovers: list[float] = []
    answered: list[float] = []
    restarts: list[float] = []
    try:
        async with aiohttp.ClientSession() as http:
            leader, standby = pair
            leader.start()
            await leader.wait_role(http, "leader")
            standby.start()
            await standby.wait_role(http, "standby")
            lb = LoadBalancer(pair, http)
            for cycle in range(cycles):
                await lb.say(TESTMANN, f"warm{cycle}")
                await wait_answered(fake, [f"warm{cycle}"])
                await drained(leader, http)
                leader.kill()
                killed = time.monotonic()
                await lb.say(TESTMANN, f"gap{cycle}")
                await standby.wait_role(http, "leader", timeout=60)
                takeovers.append(time.monotonic() - killed)
                await wait_answered(fake, [f"gap{cycle}"])
                answered.append(time.monotonic() - killed)
                leader.start()  # back, as the standby now
                await leader.wait_role(http, "standby")
                leader, standby = standby, leader
            # baseline: a lone process killed and started again
            standby.stop()
            await drained(leader, http)
            for _ in range(max(1, cycles // 2)):
                leader.kill()
                killed = time.monotonic()
                leader.start()
                await leader.wait_role(http, "leader")
                restarts.append(time.monotonic() - killed)
            texts = answers(fake)
            duplicates = [t for t in set(texts) if texts.count(t) > 1 and "gap" in t]
            assert not duplicates, duplicates
    finally:
        for process in pair:
            process.stop()
        await fake.stop()
        server.cleanup()
        shutil.rmtree(work, ignore_errors=True)
    print(f"takeover_s={statistics.median(takeovers):.2f} max_s={max(takeovers):.2f} "
          f"answer_s={statistics.median(answered):.2f} restart_baseline_s={statistics.median(restarts):.2f} "
          f"cycles={cycles}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
