"""Edits (Matrix m.replace) in a conversation: they answer the still-open step, nothing else."""
from __future__ import annotations

import pytest

from bot.core.events import ChannelRef, IncomingMessage, PersonRef
from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


async def _edit(bot: Bot, user: str, replaces: str, text: str, event_id: str) -> str:
    before = len(bot.transport.sent)
    await bot.app.dispatch(IncomingMessage(ChannelRef("console", f"dm:{user}", True), PersonRef("console", user),
                                           text, event_id, kind="edit", replaces=replaces))
    await bot.app.settle()
    return "\n".join(m.text("plain") for m in bot.transport.sent[before:])


async def test_an_edit_of_the_rejected_answer_answers_the_open_step(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("testmann", "einstellungen", event_id="s1")
        await bot.say("testmann", "1", event_id="a1")
        wrong = await bot.say("testmann", "Europe/Viena", event_id="tz1")
        assert "keine Zeitzone" in wrong[0].text()
        assert "(3/4)" in await _edit(bot, "testmann", "tz1", "Europe/Vienna", "tz1-edit")
        # the step has moved on: a further edit of the same message, or of an accepted one, changes nothing
        assert await _edit(bot, "testmann", "tz1", "Asia/Tokyo", "tz1-edit2") == ""
        assert await _edit(bot, "testmann", "a1", "2", "a1-edit") == ""
        assert "Europe/Vienna" in await bot.text("testmann", "nein")


async def test_an_edit_outside_a_conversation_runs_no_command(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("testmann", "hilfe", event_id="h1")
        assert await _edit(bot, "testmann", "h1", "wer bin ich", "h1-edit") == ""
