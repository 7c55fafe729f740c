"""The outbox's database work, run in the database thread: what is due, and what became of a row.

Acknowledgements are written in batches: one transaction marks every row delivered since the
last one (under load the batch grows by itself while the previous one is written)."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from storage.models import OutboxMessage

from .core.events import OutgoingMessage

if TYPE_CHECKING:
    from storage.uow import UnitOfWork, UnitOfWorkFactory

MAX_BACKOFF = 300.0


@dataclass
class Due:
    row_id: int
    msg: OutgoingMessage
    priority: int
    keys: set[str]


@dataclass
class DueBatch:
    rows: list[Due]
    more: bool  # due rows were left out (the limit, or more of one conversation than taken)
    next_delay: float  # seconds until the soonest retry that is not due yet


@dataclass(frozen=True)
class Ack:
    row_id: int
    remote_id: str
    dm: tuple[str, str] | None = None  # (person, direct channel) opened for this row


def conversation(msg: OutgoingMessage) -> set[str]:
    """What a message's order is kept within: its channel and the person it is for. One
    conversation waiting for a retry does not hold up the others (Slack limits per channel too)."""
    keys = {f"c:{msg.channel.id}"} if msg.channel is not None and msg.channel.id else set()
    return keys | ({f"p:{msg.to_person}"} if msg.to_person else set())


class OutboxStore:
    def __init__(self, uow_factory: UnitOfWorkFactory, transport: str, clock: Callable[[], datetime],
                 started: datetime, from_row: Callable[[OutboxMessage], OutgoingMessage]) -> None:
        self.uow_factory, self.transport, self.clock = uow_factory, transport, clock
        self.started, self.from_row = started, from_row

    def due(self, skip: set[int], limit: int, per_conversation: int) -> DueBatch:
        """The next due rows in queue order (priority, then id), at most `per_conversation` of one
        conversation. A row is left out together with every later row sharing a conversation with
        it, so what is returned is always the head of each conversation: order is kept."""
        with self.uow_factory() as uow:
            pending = (select(OutboxMessage).where(OutboxMessage.transport == self.transport,
                                                   OutboxMessage.state == "pending"))
            now, due, more, soonest = self.clock(), [], False, None
            blocked: set[str] = set()  # conversations whose earlier message waits for its retry
            for row in uow.session.scalars(pending.where(OutboxMessage.next_attempt_at > now)):
                blocked |= conversation(self.from_row(row))
                soonest = row.next_attempt_at if soonest is None else min(soonest, row.next_attempt_at)
            waiting = set(blocked)
            counts: dict[str, int] = {}
            stmt = (pending.where(OutboxMessage.next_attempt_at <= now)
                    .order_by(OutboxMessage.priority, OutboxMessage.id).execution_options(yield_per=100))
            for row in uow.session.scalars(stmt):
                msg = self.from_row(row)
                keys = conversation(msg)
                if row.id in skip:  # in flight, or delivered and its acknowledgement on the way
                    continue
                if keys & blocked or any(counts.get(k, 0) >= per_conversation for k in keys):
                    more = more or not keys & waiting  # due, left for the next look
                    blocked |= keys
                    continue
                for key in keys:
                    counts[key] = counts.get(key, 0) + 1
                if row.created_at < self.started:
                    # it may have reached the platform just before a crash: the transport checks
                    msg.meta["resend"] = True
                due.append(Due(row.id, msg, row.priority, keys))
                if len(due) >= limit:
                    more = True
                    break
            delay = 30.0 if soonest is None else max(0.05, (soonest - now).total_seconds())
            return DueBatch(due, more, delay)

    def sent(self, acks: Iterable[Ack]) -> None:
        """One transaction for a batch of delivered rows (and the direct channels opened for them)."""
        acks = list(acks)
        with self.uow_factory() as uow:
            rows = {r.id: r for r in uow.session.scalars(
                select(OutboxMessage).where(OutboxMessage.id.in_([a.row_id for a in acks])))}
            now = self.clock()
            for ack in acks:
                row = rows.get(ack.row_id)
                if row is None:
                    continue
                row.state, row.sent_at, row.remote_id = "sent", now, ack.remote_id
                if ack.dm is not None:
                    row.channel_id = ack.dm[1]
                if row.payload.get("attachments"):
                    row.payload = {**row.payload, "attachments": []}  # keep the ledger small
            for ack in acks:
                if ack.dm is not None:
                    self._remember(uow, *ack.dm)
            uow.commit()

    def remember_dm(self, row_id: int, user_id: str, channel_id: str) -> None:
        with self.uow_factory() as uow:
            row = uow.session.get(OutboxMessage, row_id)
            if row is not None:
                row.channel_id = channel_id
            self._remember(uow, user_id, channel_id)
            uow.commit()

    def _remember(self, uow: UnitOfWork, user_id: str, channel_id: str) -> None:
        identity = uow.people.identity(self.transport, user_id)
        if identity is not None and identity.dm_channel != channel_id:
            identity.dm_channel = channel_id

    def given_up(self, row_id: int, error: str) -> None:
        with self.uow_factory() as uow:
            row = uow.session.get(OutboxMessage, row_id)
            if row is not None:
                row.state, row.attempts, row.last_error = "failed", row.attempts + 1, error[:2000]
                uow.commit()

    def failed(self, row_id: int, error: str, retry_after: float | None = None) -> None:
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
