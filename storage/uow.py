"""Unit of work: one session, explicit commit, rollback on everything else (cosmicpython)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.attributes import flag_modified

from .models import utcnow
from .models.base import Timestamped
from .repositories import (AskedQuestionRepository, AuditRepository, BodyRepository, CatalogRepository,
                           ConversationRepository, OpsRepository, PeopleRepository, QuestionRepository,
                           ReportFileRepository, RoundRepository,
                           SubscriptionRepository)


class UnitOfWork:
    """`with uow_factory() as uow: ...; uow.commit()` — repositories never commit."""

    session: Session

    def __init__(self, session_factory: sessionmaker[Session], clock: Callable[[], datetime] = utcnow) -> None:
        self._factory = session_factory
        self.clock = clock  # the history and the audit log are stamped by the bot's (demo) clock

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        event.listen(self.session, "before_flush", self._stamp)
        self.people = PeopleRepository(self.session)
        self.catalog = CatalogRepository(self.session, self.clock)
        self.bodies = BodyRepository(self.session)
        self.conversations = ConversationRepository(self.session)
        self.ops = OpsRepository(self.session)
        self.audit = AuditRepository(self.session, self.clock)
        self.rounds = RoundRepository(self.session)
        self.subscriptions = SubscriptionRepository(self.session)
        self.questions = QuestionRepository(self.session)
        self.asked = AskedQuestionRepository(self.session)
        self.reports = ReportFileRepository(self.session)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.session.rollback()  # no-op after commit; discards half-done work otherwise
        self.session.close()

    def _stamp(self, session: Session, *_: object) -> None:
        """created_at/updated_at from the bot's clock, not the wall clock: the feeds' DTSTAMP and
        OParl's created/modified then agree with what the demo clock said (finding F2 of the
        meetings tester). A value set explicitly is kept; modified is never before created."""
        now = self.clock()
        for obj in session.new:
            if isinstance(obj, Timestamped):
                obj.created_at = obj.created_at or now
                obj.updated_at = obj.updated_at or obj.created_at
        for obj in session.dirty:
            if isinstance(obj, Timestamped) and session.is_modified(obj, include_collections=False) \
                    and not inspect(obj).attrs.updated_at.history.has_changes():
                obj.updated_at = max(now, obj.created_at) if obj.created_at else now
                flag_modified(obj, "updated_at")  # also when the clock did not move: else onupdate takes the wall clock

    def commit(self) -> None:
        self.session.commit()

    def flush(self) -> None:
        self.session.flush()


class UnitOfWorkFactory:
    def __init__(self, session_factory: sessionmaker[Session], clock: Callable[[], datetime] = utcnow) -> None:
        self.session_factory = session_factory
        self.clock = clock

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory, self.clock)
