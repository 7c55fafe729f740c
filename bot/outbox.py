"""Durable outbox: messages are written in the handler's transaction, then delivered.

Each row has a stable transaction id (Matrix txn_id, Slack client_msg_id), so a resend
after a crash is recognised by the server; rows go out in id order per conversation (one
that waits for a retry holds up only itself), answers to people before bulk prompts (so a
round over thousands of owners does not hold up a reply): rows are taken by priority, and an
answer queued while a batch of bulk rows goes out is sent after the bulk row in flight, not
after the whole batch — in whichever room (a coordinator's reply in the office room overtakes
the prompts still going to the owners' direct rooms).
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from storage.models import OutboxMessage, utcnow

from .core.events import Attachment, ChannelRef, Choice, OutgoingMessage

if TYPE_CHECKING:
    from storage.uow import UnitOfWorkFactory

    from .transports.base import Transport

log = logging.getLogger(__name__)
MAX_BACKOFF = 300.0
DUE_BATCH = 10  # rows sent per look at the table


def to_row(msg: OutgoingMessage, txn_id: str, now: datetime, priority: int = 0) -> OutboxMessage:
    assert msg.channel is not None
    payload = {"texts": msg.texts, "choices": [[c.value, c.label, c.key, c.several] for c in msg.choices],
               "in_reply_to": msg.in_reply_to, "to_person": msg.to_person,
               "direct": msg.channel.direct, "ephemeral": msg.ephemeral, "meta": msg.meta,
               "attachments": [[a.filename, a.mimetype, a.data.hex()] for a in msg.attachments]}
    return OutboxMessage(transport=msg.channel.transport, channel_id=msg.channel.id, txn_id=txn_id,
                         payload=payload, next_attempt_at=now, created_at=now, priority=priority)


def from_row(row: OutboxMessage) -> OutgoingMessage:
    p = row.payload
    return OutgoingMessage(
        channel=ChannelRef(row.transport, row.channel_id, bool(p.get("direct"))), texts=p["texts"],
        choices=[Choice(*c) for c in p.get("choices", [])], in_reply_to=p.get("in_reply_to", ""),
        to_person=p.get("to_person", ""), ephemeral=p.get("ephemeral", False),
        meta={**p.get("meta", {}), "txn_id": row.txn_id},
        attachments=[Attachment(f, m, bytes.fromhex(d)) for f, m, d in p.get("attachments", [])])


def _conversation(msg: OutgoingMessage) -> set[str]:
    """What a message's order is kept within: its channel and the person it is for. One
    conversation waiting for a retry does not hold up the others (Slack limits per channel too)."""
    keys = {f"c:{msg.channel.id}"} if msg.channel is not None and msg.channel.id else set()
    return keys | ({f"p:{msg.to_person}"} if msg.to_person else set())


class RetryAfter(Exception):
    """A transport was told to wait (HTTP 429 Retry-After): the next attempt waits at least that long."""

    def __init__(self, seconds: float, reason: str = "rate limited") -> None:
        super().__init__(f"{reason}; retry after {seconds:g} s")
        self.seconds = max(0.0, seconds)


class Undeliverable(Exception):
    """The platform refused the message for good (archived channel, invalid blocks): retrying
    cannot help, and it must not hold up the queue. The row is kept as "failed" with the reason."""


class OutboxWorker:
    """Delivers pending rows of one transport, in order, retrying with backoff."""

    def __init__(self, transport: Transport, uow_factory: UnitOfWorkFactory,
                 run_sync: Callable[..., object], clock: Callable[[], datetime] = utcnow,
                 metrics: Any = None) -> None:
        self.transport = transport
        self.uow_factory = uow_factory
        self.run_sync = run_sync  # runs blocking database work off the event loop
        self.clock = clock
        self.metrics = metrics  # bot/metrics.py: counts sent messages and failed attempts
        self.wakeup = asyncio.Event()
        self._lock = asyncio.Lock()
        # Rows from before this process may have reached the platform just before a crash
        # (posted, not yet marked sent): the transport is told, to check before it sends again.
        self.started = clock()

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
            while True:
                rows = await self.run_sync(self._due)
                if not rows:
                    return await self.run_sync(self._next_delay)
                held: set[str] = set()
                for row_id, msg, priority in rows:
                    keys = _conversation(msg)
                    if held & keys:
                        continue  # an earlier message of this conversation is waiting: keep order
                    if not await self._deliver(row_id, msg):
                        held |= keys  # others' messages still go out
                    if priority > 0 and self.wakeup.is_set():
                        # something was queued meanwhile (a person's answer): look again, by priority
                        self.wakeup.clear()
                        break

    async def _deliver(self, row_id: int, msg: OutgoingMessage) -> bool:
        try:
            if msg.channel is not None and not msg.channel.id and msg.to_person:
                channel_id = await self.transport.direct_channel(msg.to_person)
                msg.channel = ChannelRef(msg.channel.transport, channel_id, direct=True)
                await self.run_sync(self._remember_dm, row_id, msg.to_person, channel_id)
            remote_id = await self.transport.send(msg)
        except Undeliverable as exc:
            log.error("outbox row %s via %s cannot be delivered: %s", row_id, self.transport.name, exc)
            await self.run_sync(self._given_up, row_id, repr(exc))
            self._count("given_up")
            return True  # the queue moves on
        except Exception as exc:  # the transport failed: keep the row, retry later in order
            log.warning("delivery of outbox row %s via %s failed: %s", row_id, self.transport.name, exc)
            wait = exc.seconds if isinstance(exc, RetryAfter) else None
            await self.run_sync(self._failed, row_id, repr(exc), wait)
            self._count("retry")
            self.wakeup.set()  # the run loop may be asleep for longer than this retry's delay
            return False
        await self.run_sync(self._sent, row_id, remote_id or "")
        if self.metrics is not None:
            self.metrics.sent.labels(self.transport.name).inc()
        log.debug("outbox row sent", extra={"transport": self.transport.name, "outbox_id": row_id})
        return True

    def _count(self, outcome: str) -> None:
        if self.metrics is not None:
            self.metrics.delivery_failures.labels(self.transport.name, outcome).inc()

    def _due(self) -> list[tuple[int, OutgoingMessage, int]]:
        with self.uow_factory() as uow:
            pending = (select(OutboxMessage).where(OutboxMessage.transport == self.transport.name,
                                                   OutboxMessage.state == "pending"))
            now, due = self.clock(), []
            waiting: set[str] = set()  # conversations whose earlier message waits for its retry
            for row in uow.session.scalars(pending.where(OutboxMessage.next_attempt_at > now)):
                waiting |= _conversation(from_row(row))
            stmt = (pending.where(OutboxMessage.next_attempt_at <= now)
                    .order_by(OutboxMessage.priority, OutboxMessage.id).execution_options(yield_per=50))
            for row in uow.session.scalars(stmt):
                msg = from_row(row)
                if waiting & _conversation(msg):
                    continue
                if row.created_at < self.started:
                    msg.meta["resend"] = True
                due.append((row.id, msg, row.priority))
                if len(due) == DUE_BATCH:
                    break
            return due

    def _next_delay(self) -> float:
        now = self.clock()
        with self.uow_factory() as uow:  # the soonest retry; rows due now wait behind one of those
            stmt = (select(OutboxMessage.next_attempt_at)
                    .where(OutboxMessage.transport == self.transport.name, OutboxMessage.state == "pending",
                           OutboxMessage.next_attempt_at > now)
                    .order_by(OutboxMessage.next_attempt_at).limit(1))
            due = uow.session.scalar(stmt)
        if due is None:
            return 30.0
        return max(0.05, (due - now).total_seconds())

    def _remember_dm(self, row_id: int, user_id: str, channel_id: str) -> None:
        with self.uow_factory() as uow:
            row = uow.session.get(OutboxMessage, row_id)
            if row is not None:
                row.channel_id = channel_id
            identity = uow.people.identity(self.transport.name, user_id)
            if identity is not None:
                identity.dm_channel = channel_id
            uow.commit()

    def _sent(self, row_id: int, remote_id: str) -> None:
        with self.uow_factory() as uow:
            row = uow.session.get(OutboxMessage, row_id)
            if row is not None:
                row.state, row.sent_at, row.remote_id = "sent", self.clock(), remote_id
                row.payload = {**row.payload, "attachments": []}  # keep the ledger small
                uow.commit()

    def _given_up(self, row_id: int, error: str) -> None:
        with self.uow_factory() as uow:
            row = uow.session.get(OutboxMessage, row_id)
            if row is not None:
                row.state, row.attempts, row.last_error = "failed", row.attempts + 1, error[:2000]
                uow.commit()

    def _failed(self, row_id: int, error: str, retry_after: float | None = None) -> None:
        with self.uow_factory() as uow:
            row = uow.session.get(OutboxMessage, row_id)
            if row is not None:
                row.attempts += 1
                backoff = min(MAX_BACKOFF, 0.5 * 2 ** min(row.attempts, 10))
                if retry_after is not None:  # the server said how long: exactly that, not our guess
                    backoff = retry_after
                row.next_attempt_at = self.clock() + timedelta(seconds=backoff)
                row.last_error = error[:2000]
                uow.commit()
