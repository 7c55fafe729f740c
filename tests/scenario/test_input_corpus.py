"""Bad input over every command and conversation step (issue #9, point 5).

tests/corpus/inputs.yaml holds the corpus; every registered command is also sent with each
generic payload. Each input must get a clear answer in the speaker's language, no exception
may escape (none logged, none reaching the person), and no stored data may change.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select, text

from bot.conversations.engine import OPEN_ANSWER
from storage.models import ConversationState
from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
CORPUS_DIR = Path(__file__).parents[1] / "corpus"
CORPUS = yaml.safe_load((CORPUS_DIR / "inputs.yaml").read_text("utf-8"))
ROUND_CORPUS = yaml.safe_load((CORPUS_DIR / "round_answers.yaml").read_text("utf-8"))
FILL = {"{100k}": "Sachstand " * 10_240, "{long}": "x" * 2_100,
        "{rtl}": "\u202bמה המצב עם HF2-04? \u0627\u0644\u062d\u0627\u0644\u0629\u202c"}
ERROR = "Entschuldigung, bei mir ist etwas schiefgegangen"
# what a refusal of a malformed command says, in German: the usage or why
REFUSED = ("Aufruf:", "kenne ich nicht", "gibt es nicht", "Nicht erlaubt", "ist kein", "ist keine",
           "nicht eines von", "Zu viele Angaben", "weder ein Handlungsfeld", "Schreiben Sie", "Nennen Sie",
           "hat keine", "zu lang", "gibt es schon", "Erlaubt:", "Sagen Sie", "ist bereits der Code", "Es gibt kein")
# bookkeeping that every message touches by design: the dedup record of the event and the
# queued replies; a conversation's state is compared without its note of the last rejected text
IGNORED_TABLES = {"processed_events", "outbox", "conversation_states"}


def _fill(raw: str) -> str:
    for key, value in FILL.items():
        raw = raw.replace(key, value)
    return raw


def _snapshot(bot: Bot) -> dict[str, str]:
    """A digest of every table's rows, and the conversations' answers."""
    with bot.app.uow_factory() as uow:
        conn = uow.session.connection()
        tables = [r[0] for r in conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'"))]
        digest = {t: hashlib.sha256(repr(conn.execute(text(f'SELECT * FROM "{t}" ORDER BY 1')).all()).encode())
                  .hexdigest() for t in tables if t not in IGNORED_TABLES}
        digest["conversations"] = repr([
            (c.id, c.status, c.step, {k: v for k, v in c.data.items() if k != OPEN_ANSWER})
            for c in uow.session.scalars(select(ConversationState).order_by(ConversationState.id))])
    return digest


def _changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    return [t for t in before if before[t] != after.get(t)]


class Checker:
    def __init__(self, bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
        self.bot, self.caplog, self.tried = bot, caplog, 0

    async def expect(self, who: str, raw: str, expected: tuple[str, ...] | list[str], room: str | None = None,
                     label: str = "") -> str:
        self.caplog.clear()
        sent = await self.bot.say(who, _fill(raw), room)
        reply = "\n".join(m.text("plain") for m in sent)
        shown = f"{label}: {raw[:80]!r}"
        assert reply, f"{shown} got no answer"
        assert ERROR not in reply, f"{shown} reached an exception"
        assert not [r for r in self.caplog.records if r.levelno >= logging.ERROR], f"{shown} logged an error"
        assert any(e in reply for e in expected), f"{shown} got {reply[:300]!r}"
        for message in sent:  # markup the person typed is shown as text in every format
            assert "<script>" not in message.text("matrix") and "<!channel>" not in message.text("slack"), shown
        self.tried += 1
        return reply

    async def group(self, name: str, entry: dict[str, Any], who: str, room: str | None = None) -> None:
        before = _snapshot(self.bot)
        for raw in entry["inputs"]:
            await self.expect(who, raw, entry["expect"], room, name)
        assert not _changed(before, _snapshot(self.bot)), f"{name} changed {_changed(before, _snapshot(self.bot))}"


def _commands(bot: Bot) -> list[Any]:
    seen: dict[str, Any] = {}
    for command in bot.app.services.registry.commands.values():
        seen.setdefault(command.name, command)
    return list(seen.values())


async def test_every_command_with_every_payload(db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    async with Bot(make_settings(db_url)) as bot:
        check = Checker(bot, caplog)
        before = _snapshot(bot)
        for command in _commands(bot):
            room = None if command.where == "dm" else "#koordination"
            for payload in CORPUS["payloads"]:
                await check.expect("koordination", f"{command.alias('de')} {payload}", REFUSED, room, command.name)
        assert not _changed(before, _snapshot(bot)), _changed(before, _snapshot(bot))
    assert check.tried >= 6 * 60


async def test_the_corpus_groups(db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    async with Bot(make_settings(db_url)) as bot:
        check = Checker(bot, caplog)
        for name, entry in CORPUS["groups"].items():
            room = None if entry["where"] == "dm" else entry["where"]
            await check.group(name, entry, entry["who"], room)
    assert check.tried == sum(len(e["inputs"]) for e in CORPUS["groups"].values())


async def test_every_step_of_the_settings_minutes_and_erasure(db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    steps = CORPUS["steps"]
    async with Bot(make_settings(db_url)) as bot:
        check = Checker(bot, caplog)
        await bot.say("koordination", "einstellungen")
        for step, answer in (("language", "1"), ("timezone", "unverändert"), ("consent", "ja")):
            await check.group(f"settings.{step}", steps[f"settings.{step}"], "koordination")
            await bot.say("koordination", answer)
        await check.group("settings.confirm", steps["settings.confirm"], "koordination")
        assert "Gespeichert" in await bot.text("koordination", "ja")

        await bot.say("beispiel", "sitzung anlegen EG2 07.12.2026 10:00 90min")
        bot.clock.now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
        assert "Wer war anwesend?" in await bot.text("beispiel", "protokoll schreiben EG2")
        await check.group("minutes.attendance", steps["minutes.attendance"], "beispiel")
        await bot.say("beispiel", "1 3")
        await check.group("minutes.excused", steps["minutes.excused"], "beispiel")
        await bot.say("beispiel", "keine")
        await check.group("minutes.guests", steps["minutes.guests"], "beispiel")
        await bot.say("beispiel", "keine")
        await check.group("minutes.result", steps["minutes.result"], "beispiel")
        await bot.say("beispiel", "Bericht angenommen.")
        await check.group("minutes.actions", steps["minutes.actions"], "beispiel")
        await bot.say("beispiel", "fertig")
        await check.group("minutes.confirm", steps["minutes.confirm"], "beispiel")
        assert "Protokoll" in await bot.text("beispiel", "ja")

        assert "löschen?" in await bot.text("koordination", "person löschen @probe")
        await check.group("erase_person.confirm", steps["erase_person.confirm"], "koordination")
        assert "nichts gelöscht" in await bot.text("koordination", "abbrechen")
    assert check.tried == sum(len(e["inputs"]) for e in steps.values())


async def test_the_corpus_covers_every_command_and_step(db_url: str) -> None:
    """A new command or step without bad input in the corpus fails here."""
    async with Bot(make_settings(db_url)) as bot:
        engine = bot.app.services.conversations
        steps = {f"{name}.{step.name}" for name, conv in engine.conversations.items() for step in conv.steps}
        commands = _commands(bot)
    covered = {f"round.{group}" for group in ROUND_CORPUS} | set(CORPUS["steps"])
    round_steps = {"round.status", "round.progress", "round.metric", "round.happened", "round.next_steps",
                   "round.blockers", "round.summary", "round.publish", "round.confirm", "round.doubt"}
    text_steps = {"round.happened", "round.next_steps", "round.blockers", "round.summary"}  # the "text" group
    assert round_steps - text_steps <= covered and "round.text" in covered
    assert steps - round_steps <= covered, f"steps without bad input: {sorted(steps - round_steps - covered)}"
    assert len(commands) >= 60  # all of them get every payload in test_every_command_with_every_payload
    total = (len(commands) * len(CORPUS["payloads"]) + sum(len(e["inputs"]) for e in CORPUS["groups"].values())
             + sum(len(e["inputs"]) for e in CORPUS["steps"].values())
             + sum(len(e["inputs"]) for e in ROUND_CORPUS.values()))
    assert total >= 300
