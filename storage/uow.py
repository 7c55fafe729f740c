"""Unit of work: one session, explicit commit, rollback on everything else (cosmicpython)."""
from __future__ import annotations

from types import TracebackType

from sqlalchemy.orm import Session, sessionmaker

from .repositories import (AskedQuestionRepository, AuditRepository, BodyRepository, CatalogRepository,
                           ConversationRepository, OpsRepository, PeopleRepository, QuestionRepository,
                           ReportFileRepository, RoundRepository,
                           SubscriptionRepository)


class UnitOfWork:
    """`with uow_factory() as uow: ...; uow.commit()` — repositories never commit."""

    session: Session

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory

    def __enter__(self) -> UnitOfWork:
        self.session = self._factory()
        self.people = PeopleRepository(self.session)
        self.catalog = CatalogRepository(self.session)
        self.bodies = BodyRepository(self.session)
        self.conversations = ConversationRepository(self.session)
        self.ops = OpsRepository(self.session)
        self.audit = AuditRepository(self.session)
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
    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self.session_factory = session_factory

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.session_factory)
