"""Prometheus metrics (`GET /metrics`), one registry per App (no globals).

Counters move as work happens (messages in and out, delivery failures, errors logged,
scheduler ticks); gauges that describe the database (outbox queue depth, inbox, open rounds
and their answer rate, open conversations) are read when scraped, so every process, leader or
standby, reports the same truth. No label carries personal data: transports, round ids and
periods, logger names.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

if TYPE_CHECKING:
    from .app import App

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@dataclass
class Snapshot:
    """What the database says at scrape time."""

    outbox: dict[tuple[str, str], int] = field(default_factory=dict)  # (transport, state) → rows
    inbox: int = 0
    rounds: list[tuple[str, str, int, int]] = field(default_factory=list)  # id, period, asked, answered
    conversations: int = 0
    database_up: bool = True


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.received = Counter("sachstand_messages_received", "Incoming events received, per transport",
                                ["transport"], registry=r)
        self.sent = Counter("sachstand_messages_sent", "Messages delivered to the platform, per transport",
                            ["transport"], registry=r)
        self.delivery_failures = Counter("sachstand_delivery_failures", "Failed delivery attempts (retried "
                                         "later or given up), per transport", ["transport", "outcome"], registry=r)
        self.errors = Counter("sachstand_errors", "Log records at ERROR or above, per logger", ["logger"],
                              registry=r)
        self.ticks = Counter("sachstand_scheduler_ticks", "Scheduler ticks run by this process", registry=r)
        self.last_tick = Gauge("sachstand_scheduler_last_tick_timestamp_seconds",
                               "Unix time of this process's last scheduler tick", registry=r)
        self.leader = Gauge("sachstand_leader", "1 if this process runs the transports and scheduler, "
                            "0 if it stands by", registry=r)
        self.leader_changes = Counter("sachstand_leader_takeovers", "How often this process became leader",
                                      registry=r)
        self.inbox_handled = Counter("sachstand_inbox_handled", "Events stored by a standby and handled by "
                                     "this process as leader", registry=r)
        self.started = Gauge("sachstand_start_time_seconds", "Unix time this process started", registry=r)
        self.started.set(time.time())
        self._state = _StateCollector()
        r.register(self._state)
        self.log_handler = ErrorCounter(self.errors)

    def render(self, app: App, snapshot: Snapshot) -> bytes:
        self.leader.set(1 if app.leadership.is_leader else 0)
        self._state.update(app, snapshot)
        return generate_latest(self.registry)


class ErrorCounter(logging.Handler):
    """Counts every ERROR record (handler crashes, failed jobs, undeliverable messages)."""

    def __init__(self, counter: Counter) -> None:
        super().__init__(logging.ERROR)
        self.counter = counter

    def emit(self, record: logging.LogRecord) -> None:
        self.counter.labels(record.name).inc()


class _StateCollector(Collector):
    def __init__(self) -> None:
        self._app: Any = None
        self._snap = Snapshot()

    def update(self, app: App, snapshot: Snapshot) -> None:
        self._app, self._snap = app, snapshot

    def describe(self) -> list[Any]:
        return []  # values are only known at scrape time

    def collect(self) -> Iterator[GaugeMetricFamily]:
        snap, app = self._snap, self._app
        up = GaugeMetricFamily("sachstand_database_up", "1 if the database answered at scrape time")
        up.add_metric([], 1 if snap.database_up else 0)
        yield up
        queue = GaugeMetricFamily("sachstand_outbox_messages", "Outbox rows per transport and state "
                                  "(pending = queue depth)", labels=["transport", "state"])
        transports = [t.name for t in app.transports] if app is not None else []
        for name in transports:
            for state in ("pending", "failed"):
                queue.add_metric([name, state], snap.outbox.get((name, state), 0))
        for (name, state), count in sorted(snap.outbox.items()):
            if name not in transports and state in ("pending", "failed"):
                queue.add_metric([name, state], count)
        yield queue
        inbox = GaugeMetricFamily("sachstand_inbox_events", "Events waiting in the inbox for the leader")
        inbox.add_metric([], snap.inbox)
        yield inbox
        rounds = GaugeMetricFamily("sachstand_rounds_open", "Open status rounds")
        rounds.add_metric([], len(snap.rounds))
        yield rounds
        asked = GaugeMetricFamily("sachstand_round_asked", "Items asked in an open round", labels=["round", "period"])
        answered = GaugeMetricFamily("sachstand_round_answered", "Items answered in an open round",
                                     labels=["round", "period"])
        rate = GaugeMetricFamily("sachstand_round_answer_ratio", "Answered / asked in an open round (0–1)",
                                 labels=["round", "period"])
        for round_id, period, n_asked, n_answered in snap.rounds:
            asked.add_metric([round_id, period], n_asked)
            answered.add_metric([round_id, period], n_answered)
            rate.add_metric([round_id, period], n_answered / n_asked if n_asked else 0.0)
        yield from (asked, answered, rate)
        convs = GaugeMetricFamily("sachstand_conversations_open", "Conversations waiting for an answer")
        convs.add_metric([], snap.conversations)
        yield convs
        connected = GaugeMetricFamily("sachstand_transport_connected", "1 if the transport is connected in "
                                      "this process (0 on a standby, which runs none)", labels=["transport"])
        for transport in app.transports if app is not None else []:
            running = transport in app.running_transports
            connected.add_metric([transport.name], 1 if running and transport.connected else 0)
        yield connected


def snapshot(app: App) -> Snapshot:
    """Read the database figures (runs in a thread; read-only)."""
    from storage.models import ConversationState, InboxEvent, OutboxMessage, Round, StatusUpdate

    snap = Snapshot()
    try:
        with app.uow_factory() as uow:
            s = uow.session
            rows = s.execute(select(OutboxMessage.transport, OutboxMessage.state, func.count())
                             .where(OutboxMessage.state.in_(("pending", "failed")))
                             .group_by(OutboxMessage.transport, OutboxMessage.state)).all()
            snap.outbox = {(t, st): n for t, st, n in rows}
            snap.inbox = s.scalar(select(func.count()).select_from(InboxEvent)) or 0
            answered = func.sum(func.cast(StatusUpdate.state != "pending", _int()))
            per_round = s.execute(select(Round.id, Round.period, func.count(StatusUpdate.id), answered)
                                  .join(StatusUpdate, StatusUpdate.round_id == Round.id, isouter=True)
                                  .where(Round.state == "open").group_by(Round.id, Round.period)
                                  .order_by(Round.id)).all()
            snap.rounds = [(str(i), p, int(n or 0), int(a or 0)) for i, p, n, a in per_round]
            snap.conversations = s.scalar(select(func.count()).select_from(ConversationState)
                                          .where(ConversationState.status == "active")) or 0
    except Exception:
        snap.database_up = False
    return snap


def _int() -> Any:
    from sqlalchemy import Integer

    return Integer()
