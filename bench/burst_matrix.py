"""Burst on Matrix (issue #20): N members answer at once, through Sachstand and a bare echo bot.

The scenario of tests/integration/faults/matrix_load.py on a fresh Synapse (rate limits raised):
Sachstand as `sachstand run` in its own process, a round over N owners, each prompted in their
direct room; all N answer the status question at the same moment. Turn latency: from the answer's
`origin_server_ts` to that of the bot's next question (both stamped by the homeserver).

The baseline, in the same run, on the same homeserver, members and rooms once Sachstand has
stopped: a bare matrix-nio bot logged in as the same account that answers every message with
"echo" — no database, no conversation, each reply sent as its own task as soon as the sync
delivers the message (the fastest a nio bot can answer). The ratio is Sachstand's p95 over the
echo bot's p95; issue #20's goal is ≤ 1.3.

Ends with one line: members=… stored=… p50_ms=… p95_ms=… base_p50_ms=… base_p95_ms=… ratio=…
Run: .venv/bin/python bench/burst_matrix.py [members]   (default 500)
"""
from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "integration" / "faults"))

import matrix_load  # noqa: E402
from nio import AsyncClient, AsyncClientConfig, MatrixRoom, RoomMessageText  # noqa: E402

ECHO = "echo"


async def echo_baseline(bot: matrix_load.Client, people: list[matrix_load.Client],
                        rooms: list[str]) -> list[float]:
    """All members say "2" at once to a bare nio bot; the homeserver's stamps give each turn."""
    client = AsyncClient(bot.base, matrix_load.BOT, config=AsyncClientConfig(encryption_enabled=False))
    client.access_token, client.user_id = bot.token, matrix_load.BOT
    first = await client.sync(timeout=0, full_state=True)
    sends: set[asyncio.Task[object]] = set()

    async def on_message(room: MatrixRoom, event: RoomMessageText) -> None:
        if event.sender != matrix_load.BOT:
            task = asyncio.create_task(client.room_send(room.room_id, "m.room.message",
                                                        {"msgtype": "m.text", "body": ECHO}))
            sends.add(task)
            task.add_done_callback(sends.discard)

    client.add_event_callback(on_message, RoomMessageText)
    syncing = asyncio.create_task(client.sync_forever(timeout=30000, since=first.next_batch))
    try:
        answers = await asyncio.gather(*(p.say(r, "2") for p, r in zip(people, rooms, strict=True)))
        deadline = time.monotonic() + 300
        turns: list[float | None] = [None] * len(people)
        while None in turns and time.monotonic() < deadline:
            await asyncio.sleep(1)
            missing = [i for i, t in enumerate(turns) if t is None]
            found = await matrix_load.gather_limited(
                [_turn(people[i], rooms[i], answers[i]) for i in missing])
            for i, value in zip(missing, found, strict=True):
                turns[i] = value
    finally:
        syncing.cancel()
        await client.close()
    return [t for t in turns if t is not None]


async def _turn(member: matrix_load.Client, room: str, answer: str) -> float | None:
    events = await member.messages(room)
    sent = next(e for e in events if e["event_id"] == answer)
    reply = next((e for e in events if e["sender"] == matrix_load.BOT and e["type"] == "m.room.message"
                  and e["content"].get("body") == ECHO
                  and e["origin_server_ts"] >= sent["origin_server_ts"]), None)
    return None if reply is None else float(reply["origin_server_ts"] - sent["origin_server_ts"])


def main() -> None:
    members = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="sachstand-burst-") as tmp:
        result = asyncio.run(matrix_load.run(members, Path(tmp), echo_baseline))
    p50, p95 = result.percentile(50), result.percentile(95)
    b50, b95 = result.percentile(50, result.baseline_ms), result.percentile(95, result.baseline_ms)
    print(f"set-up {result.setup_s:.0f} s; Sachstand handled all answers in {result.answers_s:.1f} s; "
          f"{result.answered} members saw the next question, {len(result.baseline_ms)} the echo; "
          f"whole bench {time.monotonic() - started:.0f} s")
    print(f"members={members} stored={result.stored} p50_ms={p50:.0f} p95_ms={p95:.0f} "
          f"base_p50_ms={b50:.0f} base_p95_ms={b95:.0f} ratio={p95 / b95:.2f}")


if __name__ == "__main__":
    main()
