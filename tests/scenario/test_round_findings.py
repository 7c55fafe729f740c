"""Regression tests for what an independent tester met walking issue #17's status rounds on the
console (/work/notes/findings-rounds.md, F2…), each driven through the router as a person would."""
from __future__ import annotations

import pytest

from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


async def _answer(bot: Bot, user: str, *answers: str) -> str:
    out = ""
    for answer in answers:
        out = await bot.text(user, answer)
    return out


async def _eg2_round(bot: Bot) -> None:
    await bot.say("koordination", "runde starten EG2 frist 15.12.2026")


async def test_f2_back_never_lands_on_a_stale_plausibility_question(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _eg2_round(bot)  # ersatz (English): HF2-01 with two target metrics
        assert "Is that right?" in await _answer(bot, "ersatz", "2", "75")
        assert "What is the current value?" in await bot.text("ersatz", "2")  # no, correct it
        second = await bot.text("ersatz", "1.234,5")
        assert "Verfahrensdauer" in second
        first = await bot.text("ersatz", "back")
        assert "Anerkennungsberatungen" in first and "What is the current value?" in first
        status = await bot.text("ersatz", "back")  # the answer it questioned was corrected: not asked again
        assert "What is the status?" in status and "yes, that is right" not in status


async def test_f3_a_wrong_answer_at_the_plausibility_question_is_said_once(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _eg2_round(bot)
        assert "Is that right?" in await _answer(bot, "ersatz", "2", "2")
        for wrong in ("unchanged", "-5"):
            text = await bot.text("ersatz", wrong)
            assert text.count("one of the numbers") == 1 and "1) yes, that is right" in text
            assert "Nothing was changed" not in text  # the conversation goes on; nothing was meant to change


async def test_f5_done_keeping_a_low_progress_unchanged_is_asked_about(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _eg2_round(bot)
        await _answer(bot, "ersatz", "2", "850", "15", "a", "b", "none", "none", "yes")  # HF2-01 done first
        with bot.app.uow_factory() as uow:
            assert uow.catalog.recommendation("HF2-05").progress == 0
        await _answer(bot, "ersatz", "5", "unchanged", "a", "b", "none", "none")  # HF2-05 done: 100 % by itself
        doubt = await _answer(bot, "ersatz", "change progress", "unchanged")
        assert "“done”, but the progress is 0%" in doubt and "1) set to 100%" in doubt
        assert "Please check" in await bot.text("ersatz", "2")  # keep it as it is: the person chose


async def test_f6_f12_the_progress_question_speaks_english_and_names_whole_numbers(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _eg2_round(bot)
        await _answer(bot, "testmann", "überspringen", "2")  # HF2-06: progress of its own (20 %)
        german = await bot.text("testmann", "25,5")
        assert "ganze Zahl" in german and "kein Fortschritt" not in german
        english = await _answer(bot, "ersatz", "überspringen", "2", "120")  # HF2-05: progress of its own
        assert "“about 70%”" in english and "ca." not in english and "100 %" not in english
        assert "whole number" in await bot.text("ersatz", "25.5")
        assert "drops" not in await bot.text("ersatz", "about 70 percent")


async def test_f7_the_confirm_step_offers_only_parts_this_item_has(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _eg2_round(bot)  # HF2-01: progress from its measures, two metrics
        confirm = await _answer(bot, "ersatz", "2", "850", "15", "a", "b", "none", "none")
        assert "metrics" in confirm and "progress" not in confirm.split("Please check")[1].split("•")[-1]
        refused = await bot.text("ersatz", "change progress")
        assert "nothing to change there" in refused and "progress" not in refused.split("there.")[1]
        assert "status, metrics, happened" in refused
