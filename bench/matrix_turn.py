"""One conversation turn on Matrix: a member writes, the bot's next question arrives.

Same homeserver (a fresh Synapse from PyPI on a loopback port), same run, same member
client, in encrypted direct rooms:
- Sachstand, run as in production (`sachstand --config … run` in its own process),
  turns of the `einstellungen` conversation ("1" → question 2/4, "zurück" → question 1/4);
- a bare matrix-nio echo bot (its own process, sync_forever + one callback) as the floor.
Turns alternate between the two so drift hits both alike, with a pause between turns so
one bot's follow-up work (Sachstand pre-places reactions) does not slow the other's turn. Prints the bots' peak RSS and
ends with one line: p50_ms=… p95_ms=… base_p50_ms=… base_p95_ms=… ratio=… (ratio of p50s).

Usage: .venv/bin/python bench/matrix_turn.py [--turns N]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from nio import (AsyncClient, AsyncClientConfig, MatrixRoom, RoomCreateResponse,  # noqa: E402
                 RoomMessageText, RoomSendResponse, SyncResponse)

from tests.helpers.synapse import SERVER_NAME, Synapse, free_port  # noqa: E402

SETTLE = 0.5  # seconds between turns: the bots' follow-up work (reactions, echoes) must not overlap a turn
ENCRYPTION = [{"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}]


# -- the baseline: a bare matrix-nio echo bot ----------------------------------------------
async def echo_bot(homeserver: str, user_id: str, password: str, store: str) -> None:
    client = AsyncClient(homeserver, user_id, store_path=store,
                         config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=True))
    await client.login(password, device_name="echo")
    await client.sync(timeout=0, full_state=True)  # no history replay

    async def on_message(room: MatrixRoom, event: RoomMessageText) -> None:
        if event.sender == client.user_id:
            return
        try:
            await client.room_send(room.room_id, "m.room.message", {"msgtype": "m.notice", "body": event.body},
                                   ignore_unverified_devices=True)
        except Exception as exc:  # keep the loop alive, like any sane bot
            print("echo failed:", exc, file=sys.stderr)

    async def on_invite(room: MatrixRoom, event: object) -> None:
        await client.join(room.room_id)

    from nio import InviteMemberEvent

    client.add_event_callback(on_message, RoomMessageText)
    client.add_event_callback(on_invite, InviteMemberEvent)
    await client.sync_forever(timeout=30000)


# -- the member who measures ---------------------------------------------------------------
class Member:
    def __init__(self, homeserver: str, user_id: str, password: str, store: str) -> None:
        self.client = AsyncClient(homeserver, user_id, store_path=store,
                                  config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False))
        self.password = password
        self.arrived: asyncio.Queue[tuple[float, str, str, str]] = asyncio.Queue()
        self.token = ""

    async def start(self) -> None:
        await self.client.login(self.password, device_name="bench member")
        first = await self.client.sync(timeout=0, full_state=True)
        self.token = first.next_batch
        asyncio.create_task(self._loop())

    async def _loop(self) -> None:
        c = self.client
        while True:
            resp = await c.sync(timeout=30000, since=self.token)
            now = time.perf_counter()
            if not isinstance(resp, SyncResponse):
                await asyncio.sleep(0.2)
                continue
            self.token = resp.next_batch
            await c.send_to_device_messages()
            if c.should_upload_keys:
                await c.keys_upload()
            if c.should_query_keys:
                await c.keys_query()
            if c.should_claim_keys:
                await c.keys_claim(c.get_users_for_key_claiming())
            for room_id in resp.rooms.invite:
                await c.join(room_id)
            for room_id, info in resp.rooms.join.items():
                for event in info.timeline.events:
                    source = getattr(event, "source", {}) or {}
                    if source.get("type") == "m.room.message" and source.get("sender") != c.user_id:
                        self.arrived.put_nowait((now, room_id, source["sender"], source["content"].get("body", "")))
                    if (source.get("type") == "m.room.member" and source.get("content", {}).get("membership") == "join"
                            and source.get("state_key") != c.user_id):
                        self.arrived.put_nowait((now, room_id, source["state_key"], "<joined>"))

    async def dm(self, bot: str) -> str:
        resp = await self.client.room_create(invite=[bot], is_direct=True, initial_state=ENCRYPTION)
        assert isinstance(resp, RoomCreateResponse), resp
        await self.expect(resp.room_id, "<joined>")
        return resp.room_id

    async def turn(self, room_id: str, text: str, expect: str) -> float:
        """Milliseconds from sending `text` until a bot message containing `expect` arrives."""
        if self.client.should_query_keys:
            await self.client.keys_query()
        start = time.perf_counter()
        resp = await self.client.room_send(room_id, "m.room.message", {"msgtype": "m.text", "body": text},
                                           ignore_unverified_devices=True)
        assert isinstance(resp, RoomSendResponse), resp
        arrived = await self.expect(room_id, expect)
        return (arrived - start) * 1000

    async def expect(self, room_id: str, contains: str, timeout: float = 60) -> float:
        while True:
            at, room, _sender, body = await asyncio.wait_for(self.arrived.get(), timeout)
            if room == room_id and contains in body:
                return at


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def bench(turns: int, work: Path) -> None:
    hs = Synapse(work / "synapse")
    hs.setup()
    hs.start()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for name in ("sachstand", "echo", "testmann"):
            hs.register(name, f"pw-{name}")
        bot_id, echo_id = f"@sachstand:{SERVER_NAME}", f"@echo:{SERVER_NAME}"
        web_port = free_port()
        config = work / "config.toml"
        config.write_text(f"""
[general]
example_catalog = "{ROOT / 'examples' / 'koeln.yaml'}"
data_dir = "{work}"
[database]
url = "sqlite:///{work / 'sachstand.db'}"
[web]
port = {web_port}
[console]
enabled = false
[matrix]
enabled = true
homeserver = "{hs.url}"
user_id = "{bot_id}"
password = "pw-sachstand"
store_path = "{work / 'store-sachstand'}"
[logging]
level = "WARNING"
""", encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("SACHSTAND_")}
        bot = subprocess.Popen([sys.executable, "-m", "bot", "--config", str(config), "run"], cwd=ROOT, env=env,
                               stdin=subprocess.DEVNULL, stderr=open(work / "bot.log", "wb"))  # noqa: SIM115
        echo = subprocess.Popen([sys.executable, __file__, "--echo-bot", hs.url, echo_id, "pw-echo",
                                 str(work / "store-echo")], stdin=subprocess.DEVNULL,
                                stderr=open(work / "echo.log", "wb"))  # noqa: SIM115
        procs += [bot, echo]
        await wait_healthy(web_port)
        (work / "store-member").mkdir()
        member = Member(hs.url, f"@testmann:{SERVER_NAME}", "pw-testmann", str(work / "store-member"))
        await member.start()
        bot_room, echo_room = await member.dm(bot_id), await member.dm(echo_id)

        await member.turn(bot_room, "einstellungen", "(1/4)")  # warm-up: sessions, keys, caches
        await member.turn(echo_room, "warm-up", "warm-up")
        ours: list[float] = []
        base: list[float] = []
        for i in range(turns):
            answer, question = ("1", "(2/4)") if i % 2 == 0 else ("zurück", "(1/4)")
            await asyncio.sleep(SETTLE)
            ours.append(await member.turn(bot_room, answer, question))
            await asyncio.sleep(SETTLE)
            base.append(await member.turn(echo_room, f"echo {i}", f"echo {i}"))
        print(f"turns={turns} bot_peak_rss_mb={peak_rss_mb(bot.pid):.1f} "
              f"echo_peak_rss_mb={peak_rss_mb(echo.pid):.1f}")
        p50, p95 = statistics.median(ours), pct(ours, 0.95)
        b50, b95 = statistics.median(base), pct(base, 0.95)
        print(f"p50_ms={p50:.1f} p95_ms={p95:.1f} base_p50_ms={b50:.1f} base_p95_ms={b95:.1f} ratio={p50 / b50:.2f}")
        await member.client.close()
    finally:
        for proc in procs:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
        hs.stop()


async def wait_healthy(port: int, timeout: float = 120) -> None:
    import json
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                if json.load(resp).get("status") == "ok":
                    return
        except Exception:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError("Sachstand did not become healthy")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--echo-bot":
        Path(sys.argv[5]).mkdir(parents=True, exist_ok=True)
        asyncio.run(echo_bot(*sys.argv[2:6]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--turns", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="matrix-bench-") as work:
        asyncio.run(bench(args.turns, Path(work)))


if __name__ == "__main__":
    main()
