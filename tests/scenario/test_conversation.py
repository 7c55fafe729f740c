"""The conversation engine through the settings conversation: steps, fallbacks, restart."""
from __future__ import annotations

import pytest

from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _person(bot: Bot, handle: str) -> tuple[str | None, str | None, bool]:
    with bot.app.uow_factory() as uow:
        p = uow.people.by_handle(handle)
        assert p is not None
        return p.locale, p.timezone, p.publication_consent


async def test_settings_conversation_saves_only_when_confirmed(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        before = _person(bot, "testmann")
        first = await bot.text("testmann", "einstellungen")
        assert "(1/4)" in first and "1) Deutsch" in first
        wrong = await bot.text("testmann", "Klingonisch")
        assert "1 (Deutsch) oder 2 (English)" in wrong and "nichts geändert" in wrong
        assert "(2/4)" in await bot.text("testmann", "2")
        assert "is not a time zone" in await bot.text("testmann", "Mars/Olympus")  # English from the choice on
        assert "(3/4)" in await bot.text("testmann", "europe/vienna")
        assert "(4/4)" in await bot.text("testmann", "ja")
        assert _person(bot, "testmann") == before  # nothing saved before the confirmation
        saved = await bot.text("testmann", "ja")
        assert "Saved. Thank you!" in saved  # confirmed in the newly chosen language
        assert _person(bot, "testmann") == ("en", "Europe/Vienna", True)


async def test_back_skip_help_and_cancel(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.text("testmann", "einstellungen")
        assert "erste Frage" in await bot.text("testmann", "zurück")
        await bot.text("testmann", "1")
        assert "(1/4)" in await bot.text("testmann", "zurück")
        await bot.text("testmann", "1")
        assert "(3/4)" in await bot.text("testmann", "überspringen")
        assert "nicht übersprungen" in await bot.text("testmann", "überspringen")
        assert "ja oder nein" in await bot.text("testmann", "hilfe")
        assert "Abgebrochen" in await bot.text("testmann", "abbrechen")
        # after cancelling, words are commands again
        assert "Sachstand – Befehle" in await bot.text("testmann", "hilfe")


async def test_change_a_step_from_the_summary(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        for answer in ("einstellungen", "1", "unverändert", "nein"):
            await bot.text("testmann", answer)
        assert "(1/4)" in await bot.text("testmann", "ändern sprache")
        back_at_summary = await bot.text("testmann", "2")
        assert "(4/4)" in back_at_summary and "Language: English" in back_at_summary
        assert "change language" in await bot.text("testmann", "vielleicht später")  # now in English


async def test_conversation_continues_after_a_restart(db_url: str) -> None:
    settings = make_settings(db_url)
    async with Bot(settings) as bot:
        await bot.text("testmann", "einstellungen")
        await bot.text("testmann", "2")
    async with Bot(settings) as restarted:  # a new process on the same database
        text = await restarted.text("testmann", "Europe/Paris")
        assert "(3/4)" in text  # continued at the same step with the earlier answer kept
        await restarted.text("testmann", "nein")
        await restarted.text("testmann", "ja")
        assert _person(restarted, "testmann") == ("en", "Europe/Paris", False)


async def test_settings_only_in_a_direct_message(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        text = await bot.text("testmann", "einstellungen", room="#eg-arbeit-wirtschaft")
    assert "nur in einer Direktnachricht" in text


async def test_an_unanswered_conversation_times_out_once(db_url: str) -> None:
    from datetime import timedelta

    async with Bot(make_settings(db_url)) as bot:
        await bot.text("testmann", "einstellungen")
        await bot.app.scheduler.run_due()
        assert not any("closed" in m.text() or "beendet" in m.text() for m in bot.transport.sent[-1:])
        bot.clock.now += timedelta(days=3)
        before = len(bot.transport.sent)
        await bot.app.scheduler.run_due()
        await bot.app.scheduler.run_due()
        await bot.app.settle()  # delivered by the outbox worker: wait for it, not for luck
        timeouts = bot.transport.sent[before:]
        assert len(timeouts) == 1 and "Gespräch beendet" in timeouts[0].text()
        assert timeouts[0].channel.id == "dm:testmann"
        # the next message is a command again, not an answer to the closed step
        assert "Sachstand – Befehle" in await bot.text("testmann", "hilfe")
