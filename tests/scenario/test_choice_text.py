"""Choice lists read well without HTML (issue #14 point 4; the Matrix tester's findings F1, F4):
the plain body that notifications, clients without HTML and the console show numbers each
option once ("1) Deutsch", not "• 1) Deutsch"), and a summary names a choice by its label; a language chosen in step 1 is spoken from step 2 on."""
from __future__ import annotations

import pytest

from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


async def test_numbered_choices_carry_their_number_once(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        [asked] = await bot.say("testmann", "einstellungen")
        for fmt in ("plain", "slack"):
            text = asked.text(fmt)
            assert "1) Deutsch" in text and "2) English" in text
            assert "•" not in text, text
        assert "<ol>" in asked.text("matrix") and "1)" not in asked.text("matrix")


async def test_the_summary_names_the_language_not_its_code(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("testmann", "einstellungen")
        asked = await bot.text("testmann", "2")  # English: the rest of the conversation is English
        assert "Your time zone" in asked and "“unchanged”" in asked
        await bot.say("testmann", "unchanged")  # the word it was told
        summary = await bot.text("testmann", "no")  # consent
        assert "Language: English" in summary and "Language: en" not in summary
