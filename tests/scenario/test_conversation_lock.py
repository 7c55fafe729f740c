"""The conversation's `version` is an optimistic lock (issue #19, deliver 2; the handling lanes of
#20 rely on it): of two handlers that read the same conversation, only the first one's write
counts; the router handles the other event again on the fresh state, so neither answer is lost
nor applied twice. Run on PostgreSQL, where two units of work really overlap."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from bot.conversations.engine import ConvContext, ConversationEngine
from storage.models import ConversationState, Person
from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", [pytest.param("postgres", marks=pytest.mark.postgres)],
                                     indirect=True)


def _state_of(uow: Any, handle: str) -> ConversationState:
    person = uow.session.scalars(select(Person).where(Person.handle == handle)).one()
    return uow.conversations.active_of(person.id, "round")


async def test_the_second_of_two_writes_of_one_conversation_is_refused(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("koordination", "runde starten EG2 frist 15.12.2026")
        factory = bot.app.uow_factory
        with factory() as first, factory() as second:
            a, b = _state_of(first, "testmann"), _state_of(second, "testmann")
            ConversationEngine.end(b, "cancelled")
            second.commit()
            a.data = {**a.data, "note": "read before the other write"}
            with pytest.raises(StaleDataError):
                first.commit()
        with factory() as uow:
            person = uow.session.scalars(select(Person).where(Person.handle == "testmann")).one()
            assert uow.conversations.active_of(person.id, "round") is None  # the first write stands


async def test_an_answer_whose_conversation_moved_underneath_is_handled_again(db_url: str,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("koordination", "runde starten EG2 frist 15.12.2026")
        engine = bot.app.services.conversations
        original, calls = engine.handle, []

        def handle(ctx: Any, state: ConversationState, text: str, instead: Any = None) -> None:
            calls.append(state.version)
            if len(calls) == 1:  # another lane moves the same conversation before this one commits
                with bot.app.uow_factory() as other:
                    moved = _state_of(other, "testmann")
                    moved.data = {**moved.data, "moved": True}
                    ConversationEngine.jump(engine, ConvContext(ctx, moved, engine.conversations["round"]),
                                            moved.step, ask=False)
                    other.commit()
            original(ctx, state, text, instead)

        monkeypatch.setattr(engine, "handle", handle)
        reply = await bot.text("testmann", "2")  # "in Umsetzung"; HF2-04 takes its progress from the measures
        assert calls[1] == calls[0] + 1  # handled again, on the state the other lane wrote
        assert reply.count("Wie ist der aktuelle Wert?") == 1 and "Entschuldigung" not in reply
        with bot.app.uow_factory() as uow:
            state = _state_of(uow, "testmann")
            assert state.step == "metric" and state.data["moved"] is True
            assert state.data["item"]["status"] == "in_progress"
