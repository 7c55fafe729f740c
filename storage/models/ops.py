"""Operational state: conversations, scheduled sends, outbox, processed events, audit log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, Timestamped


class ConversationState(Timestamped, Base):
    """Where a conversation with a person stands; saved on every transition."""

    __tablename__ = "conversation_states"
    __table_args__ = (Index("ix_conversation_active", "transport", "channel_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    transport: Mapped[str] = mapped_column(String(16))
    channel_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(64))
    step: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict] = mapped_column(default=dict)
    history: Mapped[list] = mapped_column(default=list)  # previous steps, for `zurück`
    status: Mapped[str] = mapped_column(String(16), default="active")  # active|done|cancelled|timeout
    deadline: Mapped[datetime | None] = mapped_column(index=True)
    version: Mapped[int] = mapped_column(default=0)
    # An optimistic lock: every UPDATE of the row says `WHERE version = <as read>`, so of two
    # handlers that read the same state only the first one's write counts; the other gets
    # StaleDataError and the router handles its event again on the fresh state. The engine sets
    # the new value on each transition (bot.conversations.engine._bump), hence no generator.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}


class ScheduledSend(Base):
    """Ledger of everything due at a time (reminders, digests, round openings).

    The unique key makes 'sent once' a database fact: a restarted bot recomputes what
    is due and skips keys already marked done.
    """

    __tablename__ = "scheduled_sends"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime] = mapped_column(index=True)
    payload: Mapped[dict] = mapped_column(default=dict)
    done_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)


class OutboxMessage(Base):
    """Durable outgoing message with a stable transaction id (exactly-once delivery)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "state", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    transport: Mapped[str] = mapped_column(String(16))
    channel_id: Mapped[str] = mapped_column(String(255))
    txn_id: Mapped[str] = mapped_column(String(64), unique=True)
    payload: Mapped[dict] = mapped_column(default=dict)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending|sent|failed
    # 0: answers to people; 1: bulk (a round's prompts) — answers overtake a long fan-out
    priority: Mapped[int] = mapped_column(default=0, server_default="0")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    remote_id: Mapped[str | None] = mapped_column(String(255))
    last_error: Mapped[str] = mapped_column(Text, default="")


class ProcessedEvent(Base):
    """Incoming event ids already handled (Slack retries, Matrix resync)."""

    __tablename__ = "processed_events"
    __table_args__ = (UniqueConstraint("transport", "event_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    transport: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime]


class KeyValue(Base):
    """Small durable facts such as a transport's sync token."""

    __tablename__ = "key_values"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class AuditEntry(Base):
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), index=True)
    actor_label: Mapped[str] = mapped_column(String(200), default="")  # survives erasure of the actor
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(64))
    entity_ref: Mapped[str] = mapped_column(String(120), default="")
    details: Mapped[dict] = mapped_column(default=dict)


class InboxEvent(Base):
    """An incoming event a standby process received (e.g. Slack over HTTP behind a load
    balancer) and stored for the leader, which handles these in order (bot/leader.py)."""

    __tablename__ = "inbox_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    transport: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(255), default="")
    payload: Mapped[dict] = mapped_column(default=dict)
    received_at: Mapped[datetime]
