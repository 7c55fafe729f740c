"""Delivery lanes (issue #20): the outbox sends concurrently across conversations, one at a
time and in order within one, on the real database; the transports here stand in for the
network with a random delay per call (seeded), and record what a person would see."""
from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.core.events import ChannelRef, OutgoingMessage
from bot.core.outbox_rows import to_row
from bot.outbox import OutboxWorker, RetryAfter
from storage.models import OutboxMessage, utcnow

LANES = 8


def _conversation(msg: OutgoingMessage) -> str:
    return msg.to_person or (msg.channel.id if msg.channel else "")


class NetworkTransport:
    """Every call takes a random few milliseconds; remembers what each conversation was sent, and
    notes it when two messages of one conversation were on their way at the same time."""

    name = "matrix"
    formats = ("plain",)

    def __init__(self, seed: int = 20) -> None:
        self.random = random.Random(seed)
        self.seen: dict[str, list[str]] = defaultdict(list)
        self.txns: dict[str, int] = defaultdict(int)
        self.flying: set[str] = set()
        self.overlaps: list[str] = []
        self.most_at_once = 0

    async def direct_channel(self, user_id: str) -> str:
        await asyncio.sleep(self.random.uniform(0, 0.01))
        return f"!dm-{user_id}"

    async def send(self, message: OutgoingMessage) -> str:
        conv = _conversation(message)
        if conv in self.flying:
            self.overlaps.append(conv)
        self.flying.add(conv)
        self.most_at_once = max(self.most_at_once, len(self.flying))
        try:
            await self.before(message)
            await asyncio.sleep(self.random.uniform(0, 0.02))
        finally:
            self.flying.discard(conv)
        txn = str(message.meta["txn_id"])
        self.txns[txn] += 1
        if self.txns[txn] == 1:  # like a homeserver: a repeated transaction id shows once
            self.seen[conv].append(message.text())
        return f"$ev-{txn}"

    async def before(self, message: OutgoingMessage) -> None:
        pass


def _queue(uow_factory: Any, conversations: int, per: int) -> dict[str, list[str]]:
    """`per` messages to each of `conversations` conversations, queued interleaved; every fourth
    conversation is a person whose direct room is not known yet. Returns what each should see."""
    expected: dict[str, list[str]] = defaultdict(list)
    with uow_factory() as uow:
        for n in range(per):
            for c in range(conversations):
                person = f"@p{c}:koeln.example" if c % 4 == 0 else ""
                channel = ChannelRef("matrix", "" if person else f"!room{c}:koeln.example", direct=bool(person))
                text = f"message {n} to {c}"
                msg = OutgoingMessage(channel, {"plain": text}, to_person=person)
                uow.session.add(to_row(msg, f"txn-{c}-{n}", utcnow(), priority=c % 3 % 2))  # a bulk prompt or an answer
                expected[person or channel.id].append(text)
        uow.commit()
    return expected


class Database:
    """One database thread, as in the app (bot/app.py run_sync)."""

    def __init__(self) -> None:
        self.executor = ThreadPoolExecutor(max_workers=1)

    async def run_sync(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)


def _states(uow_factory: Any) -> dict[str, int]:
    with uow_factory() as uow:
        states: dict[str, int] = defaultdict(int)
        for row in uow.session.scalars(select(OutboxMessage)):
            states[row.state] += 1
        return dict(states)


def test_many_conversations_at_once_each_in_its_order(uow_factory: Any) -> None:
    expected = _queue(uow_factory, conversations=40, per=6)
    transport, db = NetworkTransport(), Database()
    worker = OutboxWorker(transport, uow_factory, db.run_sync, lanes=LANES)  # type: ignore[arg-type]
    asyncio.run(worker.flush())
    assert transport.overlaps == []  # never two messages of one conversation on their way at once
    assert dict(transport.seen) == dict(expected)  # everything, once, each conversation in its order
    assert max(transport.txns.values()) == 1
    assert transport.most_at_once > 1, "sent one at a time"
    assert transport.most_at_once <= LANES
    assert _states(uow_factory) == {"sent": 240}
    with uow_factory() as uow:  # the direct rooms opened on the way are remembered on the rows
        rows = uow.session.scalars(select(OutboxMessage).where(OutboxMessage.txn_id.like("txn-0-%"))).all()
        assert {r.channel_id for r in rows} == {"!dm-@p0:koeln.example"}


def test_a_slow_conversation_does_not_hold_up_the_others(uow_factory: Any) -> None:
    expected = _queue(uow_factory, conversations=12, per=3)
    slow = "!room1:koeln.example"
    transport, db = NetworkTransport(), Database()
    release = asyncio.Event()

    async def before(message: OutgoingMessage) -> None:
        if _conversation(message) == slow:
            await release.wait()  # e.g. a homeserver that takes long for this one room

    async def others_done() -> None:
        while sum(len(v) for k, v in transport.seen.items() if k != slow) < 33:
            await asyncio.sleep(0.01)

    transport.before = before  # type: ignore[method-assign]
    worker = OutboxWorker(transport, uow_factory, db.run_sync, lanes=LANES)  # type: ignore[arg-type]

    async def scenario() -> None:
        flushing = asyncio.create_task(worker.flush())
        await asyncio.wait_for(others_done(), timeout=60)  # old outbox: stuck behind the slow one
        assert transport.seen.get(slow, []) == []
        release.set()
        await flushing

    asyncio.run(scenario())
    assert dict(transport.seen) == dict(expected)
    assert transport.overlaps == []


def test_a_rate_limit_holds_only_that_channel(uow_factory: Any) -> None:
    expected = _queue(uow_factory, conversations=10, per=3)
    limited = "!room2:koeln.example"
    transport, db = NetworkTransport(), Database()

    async def before(message: OutgoingMessage) -> None:
        if _conversation(message) == limited:
            raise RetryAfter(120, "rate limited")  # HTTP 429, Retry-After: 120

    transport.before = before  # type: ignore[method-assign]
    worker = OutboxWorker(transport, uow_factory, db.run_sync, lanes=LANES)  # type: ignore[arg-type]
    delay = asyncio.run(worker.flush())
    assert limited not in transport.seen
    assert {k: v for k, v in transport.seen.items()} == {k: v for k, v in expected.items() if k != limited}
    assert 100 < delay <= 120  # the worker sleeps until the channel may be sent to again
    with uow_factory() as uow:
        rows = uow.session.scalars(select(OutboxMessage).where(OutboxMessage.channel_id == limited)
                                   .order_by(OutboxMessage.id)).all()
        assert [r.state for r in rows] == ["pending"] * 3
        assert rows[0].attempts == 1 and rows[1].attempts == 0  # its later messages wait behind it
        assert rows[0].next_attempt_at - utcnow().replace(tzinfo=rows[0].next_attempt_at.tzinfo) > timedelta(seconds=100)


def test_a_crash_mid_batch_delivers_every_message_once(uow_factory: Any) -> None:
    """The process dies while deliveries are being acknowledged: what was marked sent is not
    sent again; what went out unmarked goes again under the same transaction id, flagged as a
    resend (the homeserver recognises it, Slack's transport looks it up): each shows once."""
    expected = _queue(uow_factory, conversations=20, per=5)
    transport, db = NetworkTransport(), Database()
    acked: list[int] = []
    dying = asyncio.Event()

    async def run_sync(fn: Any, *args: Any) -> Any:
        if getattr(fn, "__name__", "") == "sent":
            if acked:  # the second batch is being written when the process dies
                dying.set()
                await asyncio.Event().wait()
            acked.extend(a.row_id for a in args[0])
        return await db.run_sync(fn, *args)

    first = OutboxWorker(transport, uow_factory, run_sync, lanes=LANES)  # type: ignore[arg-type]

    async def crash() -> None:
        flushing = asyncio.create_task(first.flush())
        await asyncio.wait_for(dying.wait(), timeout=60)
        for _ in range(20):
            await asyncio.sleep(0.005)  # a few more go out unacknowledged
        flushing.cancel()  # SIGKILL: nothing more is written
        await asyncio.gather(flushing, return_exceptions=True)

    asyncio.run(crash())
    sent_before = dict(transport.txns)
    with uow_factory() as uow:
        marked = set(uow.session.scalars(select(OutboxMessage.txn_id).where(OutboxMessage.state == "sent")))
    assert marked and len(marked) < len(sent_before) < 100  # crashed mid-way, some unacknowledged

    resent: list[tuple[str, bool]] = []
    original = transport.send

    async def send(message: OutgoingMessage) -> str:
        resent.append((str(message.meta["txn_id"]), bool(message.meta.get("resend"))))
        return await original(message)

    transport.send = send  # type: ignore[method-assign]
    later = utcnow() + timedelta(seconds=1)
    second = OutboxWorker(transport, uow_factory, db.run_sync, clock=lambda: later, lanes=LANES)  # type: ignore[arg-type]
    asyncio.run(second.flush())
    assert not {txn for txn, _ in resent} & marked  # acknowledged before the crash: not again
    assert all(flagged for _, flagged in resent)  # every repeat may be recognised by the platform
    assert dict(transport.seen) == dict(expected)  # each message once, each conversation in order
    assert transport.overlaps == []
    assert _states(uow_factory) == {"sent": 100}
