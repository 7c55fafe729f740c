"""Two meetings of a body ahead (issue #16, deliver 1): every agenda command can name the meeting
by number or date; when it does not, the bot asks which, offers them once, and shows the very
command the person typed with a meeting's number (found by an outside tester: the hint named
`sitzung absagen` whatever was typed, and `top annehmen` could not reach the second meeting)."""
from __future__ import annotations

import pytest

from tests.helpers.harness import Bot, make_settings

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
ROOM = "#eg-arbeit-wirtschaft"


async def _text(bot: Bot, who: str, text: str, room: str | None = None) -> str:
    return "\n".join(m.text("plain") for m in await bot.say(who, text, room))


@SQLITE
async def test_agenda_of_either_of_two_meetings_ahead(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", 'sitzung anlegen EG2 14.01.2027 10:00 "Rathaus, Raum 12"')
        await bot.say("beispiel", 'sitzung anlegen EG2 18.02.2027 10:00 "Rathaus, Raum 12"')
        which = await _text(bot, "testmann", "top vorschlagen EG2 Fachkräfteforum", ROOM)
        assert "2 Sitzungen vor sich" in which and "„top vorschlagen EG2 2 …“" in which, which
        assert which.count("14.01.2027 10:00") == 1, which  # the meetings offered once, not listed twice
        proposed = await _text(bot, "testmann", "top vorschlagen EG2 18.02.2027 Fachkräfteforum", ROOM)
        assert "am 18.02.2027 als Punkt 2 vorgeschlagen" in proposed, proposed

        asked = await _text(bot, "beispiel", "top annehmen EG2 2 öffentlich", ROOM)
        assert "Welche ist gemeint?" in asked, asked  # not silently the next meeting
        accepted = await _text(bot, "beispiel", "top annehmen EG2 18.02. 2 öffentlich", ROOM)
        assert "2. Fachkräfteforum (öffentlich)" in accepted, accepted
        first = await _text(bot, "beispiel", "tagesordnung EG2 14.01.2027", ROOM)
        assert "Fachkräfteforum" not in first, first
        refused = await _text(bot, "beispiel", "top ablehnen EG2 18.02. zwei", ROOM)
        assert "„zwei“ ist keine Zahl von 1 bis 99" in refused, refused


@SQLITE
async def test_the_hint_is_in_the_english_readers_words(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", 'sitzung anlegen EG2 14.01.2027 10:00 "Rathaus"')
        await bot.say("beispiel", 'sitzung anlegen EG2 18.02.2027 10:00 "Rathaus"')
        await bot.say("testmann", "sprache en")
        which = await _text(bot, "testmann", "agenda propose EG2 Forum", ROOM)
        assert "“agenda propose EG2 2 …”" in which, which
