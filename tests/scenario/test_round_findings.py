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
