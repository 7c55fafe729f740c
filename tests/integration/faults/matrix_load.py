"""Many members answering a round at once on a real Synapse (issue #9, point 6).

Shared by the test (tests/integration/faults/test_load_matrix.py) and the benchmark
(bench/load_matrix.py). A fresh homeserver (rate limits raised), the bot as `sachstand run`
in its own process, a round of EG9 whose recommendations have one owner each. Every owner has
a direct room with the bot already (set up before the bot starts, as after an earlier round:
creating 500 rooms is Synapse's work, not what is measured). The bot asks each owner the first
question there; every owner answers it, all at once. Then: is every answer stored (the conversation state of each owner), did every
owner get the next question, and how long did the turn take.

The members are raw client-server API calls (aiohttp), not 500 nio clients: only the bot's
side is under test. The direct rooms are unencrypted (`[matrix] encryption = false`, a setting
the bot has): 500 end-to-end encrypted clients would measure the test's own crypto.
Turn latency: from the answer's `origin_server_ts` to that of the bot's reply, both stamped by
the homeserver as it accepts each event, i.e. from "sent" to "visible to the member".
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(Path(__file__).resolve().parent))  # seed.py, when imported from bench/

from seed import seed_owners  # noqa: E402

from tests.helpers.botprocess import BotProcessBase  # noqa: E402
from tests.helpers.synapse import SECRET, SERVER_NAME, Synapse, free_port  # noqa: E402

BOT = f"@sachstand:{SERVER_NAME}"
COORDINATOR = "koordination"
API = "/_matrix/client/v3"
PARALLEL = 50  # members acting at the same moment during setup (the answers all go at once)


def member_id(i: int) -> str:
    return f"@load{i}:{SERVER_NAME}"


@dataclass
class Result:
    members: int
    stored: int
    answered: int  # members who saw the bot's next question after their answer
    latencies_ms: list[float] = field(default_factory=list)
    setup_s: float = 0.0
    answers_s: float = 0.0
    baseline_ms: list[float] = field(default_factory=list)

    def percentile(self, p: float, values: list[float] | None = None) -> float:
        ordered = sorted(self.latencies_ms if values is None else values)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    def line(self) -> str:
        return (f"members={self.members} stored={self.stored} p95_ms={self.percentile(95):.0f} "
                f"p50_ms={statistics.median(self.latencies_ms) if self.latencies_ms else float('nan'):.0f}")


class Client:
    """A member (or the coordinator) speaking the client-server API with an access token."""

    def __init__(self, http: aiohttp.ClientSession, base: str, user_id: str, token: str) -> None:
        self.http, self.base, self.user_id, self.token = http, base, user_id, token

    async def call(self, method: str, path: str, body: dict[str, Any] | None = None,
                   params: dict[str, str] | None = None) -> dict[str, Any]:
        for attempt in range(5):
            async with self.http.request(method, f"{self.base}{API}{path}", json=body, params=params,
                                         headers={"Authorization": f"Bearer {self.token}"}) as resp:
                data = await resp.json()
                if resp.status == 429:  # should not happen (limits raised); wait as told if it does
                    await asyncio.sleep(data.get("retry_after_ms", 500) / 1000)
                    continue
                assert resp.status == 200, (method, path, resp.status, data)
                return data  # type: ignore[no-any-return]
        raise AssertionError(f"{method} {path}: rate limited five times")

    async def say(self, room: str, text: str) -> str:
        txn = uuid.uuid4().hex
        data = await self.call("PUT", f"/rooms/{room}/send/m.room.message/{txn}", {"msgtype": "m.text", "body": text})
        return str(data["event_id"])

    async def messages(self, room: str, limit: int = 30) -> list[dict[str, Any]]:
        data = await self.call("GET", f"/rooms/{room}/messages", params={"dir": "b", "limit": str(limit)})
        return list(reversed(data.get("chunk", [])))


async def register(http: aiohttp.ClientSession, base: str, localpart: str) -> Client:
    """Shared-secret registration (Synapse admin API); the answer carries an access token."""
    endpoint = f"{base}/_synapse/admin/v1/register"
    async with http.get(endpoint) as resp:
        nonce = (await resp.json())["nonce"]
    password = f"pw-{localpart}"
    mac = hmac.new(SECRET.encode(), b"\x00".join([nonce.encode(), localpart.encode(), password.encode(),
                                                  b"notadmin"]), hashlib.sha1).hexdigest()
    body = {"nonce": nonce, "username": localpart, "password": password, "admin": False, "mac": mac}
    async with http.post(endpoint, json=body) as resp:
        data = await resp.json()
        assert resp.status == 200, data
    return Client(http, base, str(data["user_id"]), str(data["access_token"]))


async def gather_limited(coros: list[Any], limit: int = PARALLEL) -> list[Any]:
    gate = asyncio.Semaphore(limit)

    async def one(coro: Any) -> Any:
        async with gate:
            return await coro
    return await asyncio.gather(*(one(c) for c in coros))


class BotProcess(BotProcessBase):
    def __init__(self, directory: Path, homeserver: str) -> None:
        self.dir = directory
        self.db_url = f"sqlite:///{directory / 'sachstand.db'}"
        self.web_port = free_port()
        self.config = directory / "config.toml"
        self.write_config(self.db_url, self.web_port, f"""
[matrix]
enabled = true
homeserver = "{homeserver}"
user_id = "{BOT}"
password = "pw-sachstand"
store_path = "{directory / 'matrix-store'}"
allowed_inviters = ["@{COORDINATOR}:{SERVER_NAME}"]
encryption = false
[logging]
level = "WARNING"
""")
        super().__init__()

    async def start(self, http: aiohttp.ClientSession) -> None:
        self.launch()
        assert self.proc is not None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log()
            try:
                async with http.get(f"http://127.0.0.1:{self.web_port}/healthz") as resp:
                    if resp.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.3)
        raise AssertionError(f"bot not healthy: {self.log()}")

    def query(self, sql: str) -> int:
        from sqlalchemy import create_engine, text

        engine = create_engine(self.db_url)
        try:
            with engine.connect() as conn:
                return int(conn.execute(text(sql)).scalar() or 0)
        finally:
            engine.dispose()


PROMPTED = ("SELECT count(*) FROM status_updates u JOIN recommendations r ON r.id = u.recommendation_id "
            "WHERE r.code LIKE 'HF9-%' AND u.prompted_at IS NOT NULL")
PENDING = "SELECT count(*) FROM outbox WHERE state = 'pending'"
# An owner's answer is stored once their conversation has moved on to the next question.
STORED = ("SELECT count(*) FROM conversation_states s JOIN people p ON p.id = s.person_id "
          "WHERE p.handle LIKE 'owner%' AND s.name = 'round' AND s.step = 'progress'")


async def until(check: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not await asyncio.to_thread(check):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.5)


phases: dict[str, float] = {}


# A comparison run on the same homeserver, members and rooms once Sachstand has stopped
# (bench/burst_matrix.py's bare matrix-nio echo bot): (bot's account, members, rooms) → latencies.
Baseline = Callable[[Client, list[Client], list[str]], Awaitable[list[float]]]


async def run(members: int, workdir: Path, baseline: Baseline | None = None) -> Result:
    started = time.monotonic()
    synapse = Synapse(workdir / "synapse")
    synapse.setup()
    synapse.start()
    (workdir / "bot").mkdir()
    bot = BotProcess(workdir / "bot", synapse.url)
    timeout = aiohttp.ClientTimeout(total=120)
    try:
        async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=0)) as http:
            bot_account = await register(http, synapse.url, "sachstand")
            office = await register(http, synapse.url, COORDINATOR)
            people = await gather_limited([register(http, synapse.url, f"load{i}") for i in range(members)])
            phases["registered"] = time.monotonic() - started

            # Every member has had a direct room with the bot for a while (as after an earlier
            # round): the members open them, the bot's account joins; the bot's database knows them.
            async def open_dm(member: Client) -> str:
                dm = (await member.call("POST", "/createRoom", {"invite": [BOT], "is_direct": True,
                                                                "preset": "trusted_private_chat"}))["room_id"]
                await bot_account.call("POST", f"/join/{dm}", {})
                return str(dm)
            rooms = await gather_limited([open_dm(p) for p in people])
            direct = {p.user_id: [r] for p, r in zip(people, rooms, strict=True)}  # what the bot records
            await bot_account.call("PUT", f"/user/{BOT}/account_data/m.direct", direct)  # on a direct invite
            phases["rooms"] = time.monotonic() - started
            await asyncio.to_thread(seed_owners, bot.db_url, members, "matrix", member_id, rooms.__getitem__)
            await bot.start(http)
            phases["ready"] = time.monotonic() - started

            # The office opens the round in its direct room with the bot.
            room = (await office.call("POST", "/createRoom", {"invite": [BOT], "is_direct": True,
                                                              "preset": "trusted_private_chat"}))["room_id"]
            async def bot_joined() -> bool:
                joined = await office.call("GET", f"/rooms/{room}/joined_members")
                return BOT in joined.get("joined", {})
            deadline = time.monotonic() + 60
            while not await bot_joined():
                assert time.monotonic() < deadline, bot.log()
                await asyncio.sleep(0.3)
            due = date.today() + timedelta(days=21)
            await office.say(room, f"runde starten EG9 frist {due:%d.%m.%Y}")
            await until(lambda: bot.query(PROMPTED) == members and bot.query(PENDING) == 0, 900, "the prompts")

            phases["prompted"] = time.monotonic() - started
            setup_done = time.monotonic()

            # All at once: every member answers the status question ("2": in Umsetzung).
            answers = await asyncio.gather(*(p.say(r, "2") for p, r in zip(people, rooms, strict=True)))
            await until(lambda: bot.query(STORED) == members and bot.query(PENDING) == 0, 300, "the answers")
            answered_at = time.monotonic()

            async def turn(member: Client, dm: str, answer: str) -> float | None:
                events = await member.messages(dm)
                sent = next(e for e in events if e["event_id"] == answer)
                reply = next((e for e in events if e["sender"] == BOT and e["type"] == "m.room.message"
                              and e["origin_server_ts"] >= sent["origin_server_ts"] and e["event_id"] != answer
                              and "Wie weit ist die Umsetzung" in e["content"].get("body", "")), None)
                return None if reply is None else float(reply["origin_server_ts"] - sent["origin_server_ts"])
            turns = await gather_limited([turn(p, r, a) for p, r, a in zip(people, rooms, answers, strict=True)])
            stored = await asyncio.to_thread(bot.query, STORED)
            code = bot.stop()
            assert code == 0, bot.log()
            base = await baseline(bot_account, people, rooms) if baseline is not None else []
    finally:
        bot.stop()
        synapse.stop()
    latencies = [t for t in turns if t is not None]
    return Result(members, stored, len(latencies), latencies, setup_done - started, answered_at - setup_done,
                  base)


def main(members: int, workdir: Path) -> Result:
    return asyncio.run(run(members, workdir))


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 20, Path(tmp)).line()))
