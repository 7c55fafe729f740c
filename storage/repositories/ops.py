from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..models import (AuditEntry, ConversationState, KeyValue, Person, ProcessedEvent, ScheduledSend,
                      utcnow)


class ConversationRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def active(self, transport: str, channel_id: str, person_id: int) -> ConversationState | None:
        """The person's open conversation in a DM. One the bot started before it knew the
        DM's id (channel "") is the same conversation: it learns the id here."""
        stmt = (select(ConversationState)
                .where(ConversationState.transport == transport,
                       ConversationState.channel_id.in_((channel_id, "")),
                       ConversationState.person_id == person_id,
                       ConversationState.status == "active")
                .order_by(ConversationState.id.desc()))
        state = self.session.scalars(stmt).first()
        if state is not None and not state.channel_id:
            state.channel_id = channel_id
        return state

    def active_of(self, person_id: int, name: str) -> ConversationState | None:
        """A person's open conversation of one kind, on whichever transport."""
        stmt = (select(ConversationState)
                .where(ConversationState.person_id == person_id, ConversationState.name == name,
                       ConversationState.status == "active")
                .order_by(ConversationState.id.desc()))
        return self.session.scalars(stmt).first()

    def add(self, state: ConversationState) -> ConversationState:
        self.session.add(state)
        return state

    def expired(self, now: datetime) -> Sequence[ConversationState]:
        stmt = select(ConversationState).where(ConversationState.status == "active",
                                               ConversationState.deadline < now)
        return self.session.scalars(stmt).all()

    def all_active(self) -> Sequence[ConversationState]:
        return self.session.scalars(
            select(ConversationState).where(ConversationState.status == "active")).all()


class OpsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, key: str) -> str | None:
        row = self._row(key)
        return row.value if row else None

    def _row(self, key: str) -> KeyValue | None:
        # no autoflush: reading a key must not write the unit's pending changes early (a conversation
        # that learnt its DM id would be locked from here on, not only at the commit)
        with self.session.no_autoflush:
            return self.session.get(KeyValue, key)

    def put(self, key: str, value: str) -> None:
        row = self._row(key)
        if row is None:
            self.session.add(KeyValue(key=key, value=value))
        else:
            row.value = value

    def done(self, key: str) -> bool:
        """Whether scheduled work with this key was already done (the ledger)."""
        stmt = select(ScheduledSend.id).where(ScheduledSend.key == key, ScheduledSend.done_at.is_not(None))
        return self.session.scalar(stmt) is not None

    def latest_moment(self) -> datetime | None:
        """The latest time the bot's own clock stamped on what it did: messages queued, work done
        from the ledger, the audit log, the history (a demo clock must not start before it)."""
        from sqlalchemy import func

        from ..models import Change, OutboxMessage

        moments = [self.session.scalar(select(func.max(column))) for column in (
            OutboxMessage.created_at, ScheduledSend.done_at, AuditEntry.at, Change.at)]
        known = [m for m in moments if m is not None]
        return max(known) if known else None

    def mark_done(self, key: str, kind: str, due_at: datetime, now: datetime, **payload: object) -> None:
        row = self.session.scalar(select(ScheduledSend).where(ScheduledSend.key == key))
        if row is None:
            row = ScheduledSend(key=key, kind=kind, due_at=due_at, payload=payload, attempts=0)
            self.session.add(row)
        row.done_at = now
        row.attempts += 1

    def seen(self, transport: str, event_id: str) -> bool:
        """Record an incoming event id; True if it was already handled before.

        One atomic insert (ON CONFLICT DO NOTHING): of two handlers of the same event at once
        (a Slack retry while the first is still running), the second waits for the first one's
        transaction on the unique key and then sees it — never both, never an IntegrityError."""
        insert = postgresql.insert if self.session.get_bind().dialect.name == "postgresql" else sqlite.insert
        stmt = (insert(ProcessedEvent).values(transport=transport, event_id=event_id, at=utcnow())
                .on_conflict_do_nothing(index_elements=["transport", "event_id"]).returning(ProcessedEvent.id))
        return self.session.execute(stmt).first() is None


class AuditRepository:
    def __init__(self, session: Session, clock: Callable[[], datetime] = utcnow) -> None:
        self.session = session
        self.clock = clock

    def record(self, actor: Person | None, action: str, entity: str, entity_ref: str = "",
               **details: object) -> None:
        self.session.add(AuditEntry(
            at=self.clock(), actor_id=actor.id if actor else None,
            actor_label=actor.handle if actor else "system", action=action, entity=entity,
            entity_ref=entity_ref, details={k: _jsonable(v) for k, v in details.items()}))

    def recent(self, limit: int = 50) -> Sequence[AuditEntry]:
        return self.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)).all()

    def query(self, where: AuditFilter, limit: int | None = 50, newest_first: bool = True) -> Sequence[AuditEntry]:
        stmt = select(AuditEntry)
        if where.actor is not None:  # by the person, or about them
            stmt = stmt.where(or_(AuditEntry.actor_id == where.actor.id,
                                  and_(AuditEntry.entity == "person", AuditEntry.entity_ref == where.actor.handle)))
        if where.ref:
            stmt = stmt.where(or_(AuditEntry.entity_ref == where.ref, AuditEntry.entity_ref.like(f"{where.ref} %"),
                                  AuditEntry.entity_ref.like(f"{where.ref}-%")))
        if where.since is not None:
            stmt = stmt.where(AuditEntry.at >= where.since)
        stmt = stmt.order_by(AuditEntry.id.desc() if newest_first else AuditEntry.id)
        return self.session.scalars(stmt.limit(limit) if limit else stmt).all()


@dataclass
class AuditFilter:
    actor: Person | None = None
    ref: str | None = None  # an object: HF2-07 (also its measures HF2-07-M1), EG2 (also "EG2 2026-Q4")
    since: datetime | None = None


def _jsonable(value: object) -> object:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)
