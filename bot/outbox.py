"""Durable outbox: messages are written in the handler's transaction, then delivered in lanes.

Each row has a stable transaction id (Matrix txn_id, Slack client_msg_id), so a resend
after a crash is recognised by the server. Delivery runs in lanes (issue #20): up to
`[outbox] lanes` messages of one transport are in flight at once, each of a different
conversation (channel, person); within one conversation one at a time, in queue order (one
that waits for a retry or a rate limit holds up only itself). Answers to people go before bulk
prompts (so a round over thousands of owners does not hold up a reply): rows are taken by
priority, bulk rows never take the last free lane, and an answer queued while prompts go out
is sent as soon as a lane is free — in whichever room. Deliveries are acknowledged (marked
sent) in batches, one transaction for all that arrived while the previous one was written.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from storage.models import utcnow

from .core.events import ChannelRef, OutgoingMessage
from .core.outbox_rows import from_row
from .core.runtime import RunSync
from .outbox_store import Ack, Due, OutboxStore, conversation

if TYPE_CHECKING:
    from storage.uow import UnitOfWorkFactory

    from .transports.base import Transport

log = logging.getLogger(__name__)
DUE_BATCH = 10  # fewest rows taken per look at the table (4 per lane when there are more lanes)
PER_CONVERSATION = 2  # rows of one conversation taken per look: the others get the lanes


def _conversation(msg: OutgoingMessage) -> set[str]:
    return conversation(msg)


class RetryAfter(Exception):
    """A transport was told to wait (HTTP 429 Retry-After): the next attempt waits at least that long."""

    def __init__(self, seconds: float, reason: str = "rate limited") -> None:
        super().__init__(f"{reason}; retry after {seconds:g} s")
        self.seconds = max(0.0, seconds)


class Undeliverable(Exception):
    """The platform refused the message for good (archived channel, invalid blocks): retrying
    cannot help, and it must not hold up the queue. The row is kept as "failed" with the reason."""


class OutboxWorker:
    """Delivers pending rows of one transport: up to `lanes` at once across conversations, in
    order within one, retrying with backoff. `lanes=1` sends strictly one at a time."""

    def __init__(self, transport: Transport, uow_factory: UnitOfWorkFactory,
                 run_sync: RunSync, clock: Callable[[], datetime] = utcnow,
                 metrics: Any = None, lanes: int = 1) -> None:
        self.transport = transport
        self.uow_factory = uow_factory
        self.run_sync = run_sync  # runs blocking database work off the event loop
        self.clock = clock
        self.metrics = metrics  # bot/metrics.py: counts sent messages and failed attempts
        self.lanes = max(1, lanes)
        self.wakeup = asyncio.Event()
        self._lock = asyncio.Lock()
        # Rows from before this process may have reached the platform just before a crash
        # (posted, not yet marked sent): the transport is told, to check before it sends again.
        self.started = clock()
        self.store = OutboxStore(uow_factory, transport.name, clock, self.started, from_row)
        self._acks: list[Ack] = []  # delivered, to be marked sent with the next batch
        self._unacked: set[int] = set()  # delivered, not yet marked sent: not to be taken again
        self._acking: asyncio.Task[None] | None = None

    async def run(self) -> None:
        failures = 0
        while True:
            try:
                delay = await self.flush()
                failures = 0
            except Exception as exc:  # e.g. the database restarts: the rows wait there, try again
                failures += 1
                delay = min(30.0, 0.5 * 2 ** min(failures, 6))
                log.warning("outbox of %s paused for %.0f s: %s", self.transport.name, delay,
                            str(exc).splitlines()[0][:200])
            try:
                await asyncio.wait_for(self.wakeup.wait(), timeout=delay)
            except TimeoutError:
                pass
            self.wakeup.clear()

    async def flush(self) -> float:
        """Send everything due; return seconds until the next retry is due."""
        async with self._lock:
            delay = await self._send_due()
            if self._acking is not None:  # returns once what it sent is marked sent
                await asyncio.shield(self._acking)
            return delay

    async def _send_due(self) -> float:
        window: list[Due] = []  # taken from the table, not started yet, in queue order
        running: dict[asyncio.Task[bool], Due] = {}
        held: set[str] = set()  # conversations whose message failed in this flush
        fetch, more, woken_since = True, True, False
        try:
            while True:
                fetched = False
                if fetch and len(running) < self.lanes:
                    skip = {d.row_id for d in running.values()} | self._unacked
                    batch = await self.run_sync(self.store.due, skip, max(DUE_BATCH, 4 * self.lanes),
                                                PER_CONVERSATION)
                    window, fetch, fetched = _without(batch.rows, held), False, True
                    more, woken_since, delay = batch.more, False, batch.next_delay
                self._start(window, running, held)
                if not running:
                    if fetched or not (more or woken_since or window):
                        return delay  # nothing left that could go now
                    fetch = True
                    continue
                woken = asyncio.ensure_future(self.wakeup.wait())
                done, _ = await asyncio.wait([*running, woken], return_when=asyncio.FIRST_COMPLETED)
                if woken in done:  # something was queued (a person's answer): look again, by priority
                    self.wakeup.clear()
                    fetch = woken_since = True
                else:
                    woken.cancel()
                for task in done - {woken}:
                    due = running.pop(task)
                    if not task.result():
                        held |= due.keys  # others' messages still go out
                        woken_since = True  # its retry is due at a new time: look once more
                    if len(window) < self.lanes and more:
                        fetch = True
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)

    def _start(self, window: list[Due], running: dict[asyncio.Task[bool], Due], held: set[str]) -> None:
        """Start the first rows of the window whose conversation has nothing in flight."""
        blocked = held | {k for d in running.values() for k in d.keys}
        bulk = sum(1 for d in running.values() if d.priority > 0)
        bulk_lanes = max(1, self.lanes - 1)  # the last lane is kept for an answer to a person
        for due in list(window):
            if len(running) >= self.lanes:
                return
            if due.keys & blocked or (due.priority > 0 and bulk >= bulk_lanes):
                blocked |= due.keys  # its conversation's later rows wait behind it
                continue
            window.remove(due)
            running[asyncio.create_task(self._deliver(due))] = due
            blocked |= due.keys
            bulk += due.priority > 0

    async def _deliver(self, due: Due) -> bool:
        row_id, msg, dm = due.row_id, due.msg, None
        try:
            if msg.channel is not None and not msg.channel.id and msg.to_person:
                channel_id = await self.transport.direct_channel(msg.to_person)
                msg.channel = ChannelRef(msg.channel.transport, channel_id, direct=True)
                due.keys.add(f"c:{channel_id}")
                dm = (msg.to_person, channel_id)
            remote_id = await self.transport.send(msg)
        except Undeliverable as exc:
            log.error("outbox row %s via %s cannot be delivered: %s", row_id, self.transport.name, exc)
            await self.run_sync(self.store.given_up, row_id, repr(exc))
            self._count("given_up")
            return True  # the queue moves on
        except Exception as exc:  # the transport failed: keep the row, retry later in order
            log.warning("delivery of outbox row %s via %s failed: %s", row_id, self.transport.name, exc)
            if dm is not None:
                await self.run_sync(self.store.remember_dm, row_id, *dm)
            wait = exc.seconds if isinstance(exc, RetryAfter) else None
            await self.run_sync(self.store.failed, row_id, repr(exc), wait)
            self._count("retry")
            self.wakeup.set()  # the run loop may be asleep for longer than this retry's delay
            return False
        self._acknowledge(Ack(row_id, remote_id or "", dm))
        if self.metrics is not None:
            self.metrics.sent.labels(self.transport.name).inc()
        log.debug("outbox row sent", extra={"transport": self.transport.name, "outbox_id": row_id})
        return True

    def _acknowledge(self, ack: Ack) -> None:
        self._acks.append(ack)
        self._unacked.add(ack.row_id)
        if self._acking is None or self._acking.done():
            self._acking = asyncio.create_task(self._write_acks(), name=f"outbox-acks-{self.transport.name}")

    async def _write_acks(self) -> None:
        """Mark delivered rows sent, a batch per transaction; what arrives meanwhile is the next batch."""
        failures = 0
        while self._acks:
            batch, self._acks = self._acks, []
            try:
                await self.run_sync(self.store.sent, batch)
            except Exception as exc:  # the database is away: keep them (not sent again meanwhile)
                self._acks = batch + self._acks
                failures += 1
                log.warning("outbox of %s: could not mark %d rows sent: %s", self.transport.name, len(batch),
                            str(exc).splitlines()[0][:200])
                await asyncio.sleep(min(10.0, 0.2 * 2 ** failures))
                continue
            failures = 0
            self._unacked.difference_update(a.row_id for a in batch)

    def _count(self, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.delivery_failures.labels(self.transport.name, outcome).inc()


def _without(rows: list[Due], held: set[str]) -> list[Due]:
    """The rows not of a conversation held in this flush (nor queued behind one of those)."""
    held, kept = set(held), []
    for due in rows:
        if due.keys & held:
            held |= due.keys
        else:
            kept.append(due)
    return kept
