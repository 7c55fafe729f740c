"""Plausibility checks that ask before saving (issue #17, deliver 6), through the router.

The defects: a metric value dropping from 812 to 65 (a typo) was accepted without a question,
and "umgesetzt" was published with 40 % progress.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _metrics(bot: Bot, code: str) -> list[Decimal | None]:
    with bot.app.uow_factory() as uow:
        rec = uow.catalog.recommendation(code)
        assert rec is not None
        return [m.current for m in rec.metrics]


async def test_a_metric_jump_is_asked_about_and_can_be_corrected(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("koordination", "runde starten EG2 frist 15.12.2026")
        question = await bot.answers("ersatz", "2", "65")
        assert "changes from 812 to 65" in question and "Is that right?" in question
        assert "Verfahrensdauer" not in question  # not yet on to the next metric
        again = await bot.text("ersatz", "2")  # no, correct it
        assert "Anerkennungsberatungen" in again and "What is the current value?" in again
        assert "Verfahrensdauer" in await bot.text("ersatz", "850")  # plausible: no question
        assert "Anerkennungsberatungen" in await bot.text("ersatz", "back")  # back reaches it
        assert "Is that right?" in await bot.text("ersatz", "65")
        assert "Anerkennungsberatungen" in await bot.text("ersatz", "back")  # back from the question too
        await bot.answers("ersatz", "65", "yes")  # it really is 65
        await bot.answers("ersatz", "15", "a", "b", "none", "none", "yes")
        assert _metrics(bot, "HF2-01") == [Decimal(65), Decimal(15)]


async def test_done_below_100_and_a_drop_are_asked_about(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("koordination", "runde starten EG2 frist 15.12.2026")
        # HF2-04: progress from its measures (40 %), said to be done
        done = await bot.text("testmann", "5")
        assert "„umgesetzt“" in done and "aus den Maßnahmen steht bei 40\u00a0%" in done
        assert "Wie ist der Status?" in await bot.text("testmann", "2")  # correct it
        await bot.answers("testmann", "2", "unverändert", "a", "b", "keine", "keine", "ja")
        # HF2-06: manual progress 20 %: a drop is asked about
        await bot.text("testmann", "2")
        drop = await bot.text("testmann", "10")
        assert "sinkt von 20\u00a0% auf 10\u00a0%" in drop
        assert "aktuelle Wert" in await bot.text("testmann", "1")  # yes, that is right
        await bot.answers("testmann", "unverändert", "a", "b", "keine", "keine")
        assert "Wie ist der Status?" in await bot.text("testmann", "ändern status")
        check = await bot.text("testmann", "5")  # done: the progress becomes 100 % by itself
        assert "Bitte prüfen" in check and "Fortschritt: 100\u00a0%" in check
        to_change = await bot.answers("testmann", "ändern fortschritt", "40")
        assert "„umgesetzt“, aber der Fortschritt steht bei 40\u00a0%" in to_change and "auf 100\u00a0% setzen" in to_change
        summary = await bot.text("testmann", "1")
        assert "Bitte prüfen" in summary and "Fortschritt: 100\u00a0%" in summary
