"""Unit of work: one session, explicit commit, rollback on everything else (cosmicpython)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from .models import utcnow
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
