"""Handling lanes (issue #20, deliver 2): on PostgreSQL incoming events of different
conversations are handled at once by `database.workers` threads; the events of one person in one
room are handled one after another, in arrival order, however they arrive; SQLite keeps its one
writer. Events are dispatched at the same moment, as a transport does with a burst."""
from __future__ import annotations

import asyncio
import itertools
import threading
import time
from typing import Any

import pytest
from sqlalchemy import select

from bot.core.events import ChannelRef, IncomingMessage, PersonRef
from storage.models import Person, StatusUpdate
from tests.helpers.harness import Bot, make_settings

_ids = itertools.count(1)


def _message(user: str, text: str) -> IncomingMessage:
    return IncomingMessage(ChannelRef("console", f"dm:{user}", True), PersonRef("console", user), text,
                           f"lane-{next(_ids)}")


class Overlap:
    """Wraps the router: how many events were being handled at the same moment, at most."""

    def __init__(self, process: Any) -> None:
        self.process, self.now, self.most, self.lock = process, 0, 0, threading.Lock()

    def __call__(self, message: IncomingMessage) -> int:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            time.sleep(0.3)  # long enough for the others to start, if they may
            return self.process(message)
        finally:
            with self.lock:
                self.now -= 1


async def _burst(bot: Bot, messages: list[IncomingMessage]) -> None:
    await asyncio.gather(*(bot.app.dispatch(m) for m in messages))
    await bot.app.settle()


@pytest.mark.parametrize("db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
async def test_different_people_are_handled_at_once_on_postgresql(db_url: str,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    async with Bot(make_settings(db_url, database__workers=4)) as bot:
        overlap = Overlap(bot.app.router.process)
        monkeypatch.setattr(bot.app.router, "process", overlap)
        people = ["testmann", "mustermann", "musterfrau", "koordination"]
        await _burst(bot, [_message(p, "hilfe") for p in people])
        assert overlap.most >= 2
        assert {m.channel.id for m in bot.transport.sent} >= {f"dm:{p}" for p in people}  # each answered


@pytest.mark.parametrize("db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
async def test_one_persons_messages_are_handled_in_arrival_order(db_url: str,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    async with Bot(make_settings(db_url, database__workers=4)) as bot:
        await bot.say("koordination", "runde starten EG1 frist 15.12.2026")
        overlap = Overlap(bot.app.router.process)
        monkeypatch.setattr(bot.app.router, "process", overlap)
        # mustermann answers HF1-04 (two target metrics) in one burst: each answer fits only its step
        answers = ["2", "30", "9,0", "150", "Kurse begonnen", "Räume suchen", "keine", "keine", "ja"]
        await _burst(bot, [_message("mustermann", a) for a in answers])
        assert overlap.most == 1
        with bot.app.uow_factory() as uow:
            person = uow.session.scalars(select(Person).where(Person.handle == "mustermann")).one()
            saved = [u for u in uow.session.scalars(select(StatusUpdate).where(StatusUpdate.author_id == person.id))
                     if u.state == "submitted"]
            assert [(u.recommendation.code, u.progress, u.happened, u.next_steps) for u in saved] == [
                ("HF1-04", 30, "Kurse begonnen", "Räume suchen")]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_sqlite_keeps_one_writer(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    async with Bot(make_settings(db_url, database__workers=4)) as bot:
        overlap = Overlap(bot.app.router.process)
        monkeypatch.setattr(bot.app.router, "process", overlap)
        await _burst(bot, [_message(p, "hilfe") for p in ("testmann", "mustermann", "musterfrau")])
        assert overlap.most == 1
