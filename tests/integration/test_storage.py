"""Storage on SQLite and on a real PostgreSQL server (the `db_url` fixture runs both)."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from storage.catalog_io import import_catalog
from storage.db import make_engine
from storage.models import (Base, ConversationState, Identity, Person, Recommendation, Status)
from tests.helpers.harness import KOELN, Bot, make_settings


def _counts(uow: object) -> dict[str, int]:
    session = uow.session  # type: ignore[attr-defined]
    return {t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


def test_migrations_match_the_models(uow_factory: object, db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    engine.dispose()
    assert diff == []


def test_importing_the_koeln_example_twice_changes_nothing(uow_factory: object) -> None:
    with uow_factory() as uow:  # type: ignore[operator]
        first = import_catalog(uow, KOELN, progress=False)
        uow.commit()
        after_first = _counts(uow)
    with uow_factory() as uow:  # type: ignore[operator]
        second = import_catalog(uow, KOELN, progress=False)
        uow.commit()
        after_second = _counts(uow)
    assert after_first["recommendations"] >= 25 and after_first["fields"] == 5
    assert sum(first.created_by.values()) > 0
    assert sum(second.created_by.values()) == 0 and sum(second.updated_by.values()) == 0
    assert after_first == after_second


def test_unit_of_work_rolls_back_without_commit(uow_factory: object) -> None:
    with uow_factory() as uow:  # type: ignore[operator]
        uow.people.add(Person(handle="temp", name="Temp"))
        uow.flush()
    with uow_factory() as uow:  # type: ignore[operator]
        assert uow.people.by_handle("temp") is None


def test_identity_is_unique_per_transport(uow_factory: object) -> None:
    with uow_factory() as uow:  # type: ignore[operator]
        uow.people.add(Person(handle="a", name="A", identities=[Identity(transport="matrix", external_id="@a:x")]))
        uow.people.add(Person(handle="b", name="B", identities=[Identity(transport="matrix", external_id="@a:x")]))
        with pytest.raises(IntegrityError):
            uow.commit()


def test_history_dates_json_and_events(uow_factory: object) -> None:
    with uow_factory() as uow:  # type: ignore[operator]
        import_catalog(uow, KOELN, progress=False)
        uow.commit()
    with uow_factory() as uow:  # type: ignore[operator]
        rec = uow.catalog.recommendation("HF2-01")
        actor = uow.people.by_handle("koordination")
        assert isinstance(rec, Recommendation) and isinstance(rec.time_target, date)
        uow.catalog.record_change(rec, "status", rec.status, Status.DELAYED, actor, "command")
        rec.status = Status.DELAYED
        assert uow.ops.seen("slack", "Ev1") is False
        uow.session.add(ConversationState(person_id=actor.id, transport="console", channel_id="dm:x",
                                          name="settings", step="consent",
                                          data={"language": "en", "ü": [1, 2]}, history=["language"]))
        uow.commit()
    with uow_factory() as uow:  # type: ignore[operator]
        rec = uow.catalog.recommendation("hf2-01")
        [change] = uow.catalog.history(rec)
        assert (change.field_name, change.new) == ("status", "delayed")
        assert change.at.tzinfo is not None and change.at <= datetime.now(timezone.utc)
        assert uow.ops.seen("slack", "Ev1") is True
        state = uow.session.scalar(select(ConversationState))
        assert state.data == {"language": "en", "ü": [1, 2]} and state.history == ["language"]


async def test_conversation_survives_a_restart(db_url: str) -> None:
    settings = make_settings(db_url)
    async with Bot(settings) as bot:
        await bot.text("testmann", "einstellungen")
        await bot.text("testmann", "2")
    async with Bot(settings) as restarted:
        assert "(3/4)" in await restarted.text("testmann", "unverändert")
