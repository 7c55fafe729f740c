"""More of the second outside tester's year of meetings (findings-meet2.md: F4, F5, F14, F15, F18,
F20, F22) as regression tests through the real router; each failed before its fix."""
from __future__ import annotations

import pytest

from tests.helpers.harness import Bot, make_settings

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@SQLITE
async def test_f4_the_same_proposal_twice_is_one_item_and_said_so(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", "sitzung anlegen EG2 14.01.2027 10:00 Rathaus")
        first = await bot.text("testmann", "top vorschlagen EG2 Mietspiegel prüfen")
        assert "als Punkt 2 vorgeschlagen" in first, first
        again = await bot.text("testmann", "top vorschlagen EG2 mietspiegel  prüfen")
        assert "Punkt 2" in again and "schon" in again and "Punkt 3" not in again, again
        agenda = await bot.text("beispiel", "tagesordnung EG2")
        assert agenda.count("Mietspiegel prüfen") == 1, agenda


@SQLITE
async def test_f5_top_annehmen_names_the_real_mistake(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", "sitzung anlegen EG2 14.01.2027 10:00 Rathaus")
        await bot.say("testmann", "top vorschlagen EG2 Mietspiegel prüfen")
        both = await bot.text("beispiel", "top annehmen EG2 2 öffentlich intern")
        assert "keine Zahl" not in both and "nicht beides" in both, both
        negative = await bot.text("beispiel", "top annehmen EG2 -1")
        assert "„-1“ ist keine Zahl von 1 bis 99." in negative and "nach der Nummer" not in negative, negative


@SQLITE
async def test_f14_tagesordnung_shows_the_next_meeting_and_names_the_later_one(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", "sitzung anlegen EG2 14.01.2027 10:00 Rathaus")
        await bot.say("beispiel", "sitzung anlegen EG2 18.02.2027 10:00 Rathaus")
        agenda = await bot.text("beispiel", "tagesordnung EG2")
        assert "Welche ist gemeint?" not in agenda and "14.01.2027" in agenda, agenda
        assert "„tagesordnung EG2 2“ (18.02.2027)" in agenda, agenda
        meeting = await bot.text("beispiel", "sitzung EG2")
        assert "„sitzung EG2 2“ (18.02.2027)" in meeting, meeting
        assert "18.02.2027" in await bot.text("beispiel", "tagesordnung EG2 2")
