"""Counted messages in the right number, and sentences that read right (issue #17, deliver 3 and 5):
"1 Empfehlung", not "1 Empfehlungen"; "Dieser Raum folgt jetzt allem", not "… folgt jetzt alles";
"Noted, Paul Testmann. Your choice: no. 3", not "options 3"."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from bot.core.i18n import Translations
from bot.rendering import Renderer
from tests.helpers.harness import Bot, make_settings

ROOM = "#eg-arbeit-wirtschaft"


def _render(name: str, locale: str, **values: object) -> str:
    return Renderer(Translations("de")).render(name, "plain", locale, "Europe/Berlin", **values)


@pytest.mark.parametrize(("locale", "one", "two"), [
    ("de", "1 Empfehlung, 1 Person zu fragen.", "2 Empfehlungen, 3 Personen zu fragen."),
    ("en", "1 recommendation, 1 person to ask.", "2 recommendations, 3 people to ask."),
])
def test_a_round_opened_counts_in_the_right_number(locale: str, one: str, two: str) -> None:
    from datetime import date

    def view(total: int, people: int) -> SimpleNamespace:
        return SimpleNamespace(round=SimpleNamespace(period="2026-Q4"), due=date(2026, 12, 15), total=total,
                               people=[object()] * people, unowned=[])

    line = SimpleNamespace(from_body=SimpleNamespace(code="EG2"))
    assert one in _render("round_opened", locale, line=line, view=view(1, 1))
    assert two in _render("round_opened", locale, line=line, view=view(2, 3))


@pytest.mark.parametrize(("locale", "one", "five"), [
    ("de", "0 von 1 Punkt beantwortet.", "3 von 5 Punkten beantwortet."),
    ("en", "0 of 1 item answered.", "3 of 5 items answered."),
])
def test_a_round_status_counts_in_the_right_number(locale: str, one: str, five: str) -> None:
    from datetime import date

    def view(total: int, done: int) -> SimpleNamespace:
        return SimpleNamespace(round=SimpleNamespace(period="2026-Q4", state="open",
                                                     reporting_line=SimpleNamespace(from_body=SimpleNamespace(
                                                         code="EG2"))),
                               due=date(2026, 12, 15), total=total, counts={"submitted": done}, people=[],
                               unowned=[])

    assert one in _render("round_status", locale, views=[view(1, 0)])
    assert five in _render("round_status", locale, views=[view(5, 3)])


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_following_everything_reads_right(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.app.scheduler.shutdown()
        follows = await bot.text("testmann", "folgen alles", room=ROOM)
        field = await bot.text("testmann", "folgen HF2", room=ROOM)
        stops = await bot.text("testmann", "entfolgen alles", room=ROOM)
        nobody = await bot.text("testmann", "entfolgen alles", room=ROOM)
        stops_field = await bot.text("testmann", "entfolgen HF2", room=ROOM)
        await bot.text("ersatz", "sprache en")
        english = await bot.text("ersatz", "follow all", room=ROOM)
        english_stops = await bot.text("ersatz", "unfollow all", room=ROOM)
        in_a_dm = await bot.text("ersatz", "follow HF2")
    assert "Dieser Raum folgt jetzt allem." in follows and "alles" not in follows.split("\n")[0]
    assert "Dieser Raum folgt jetzt HF2 Ausbildung, Arbeit und Wirtschaft." in field
    assert stops == "Dieser Raum folgt nicht mehr allem."
    assert "Hier folgt niemand allem" in nobody
    assert stops_field == "Dieser Raum folgt HF2 Ausbildung, Arbeit und Wirtschaft nicht mehr."
    assert "This room now follows everything." in english
    assert english_stops == "This room no longer follows everything."
    assert "You now follow HF2 Ausbildung, Arbeit und Wirtschaft here. You receive:" in in_a_dm  # not "this room"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_a_vote_is_confirmed_in_words(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.app.scheduler.shutdown()
        await bot.text("beispiel", "sitzung planen EG2")
        await bot.say("beispiel", "umfrage EG2")
        await bot.text("testmann", "sprache en")
        voted = await bot.text("testmann", "vote EG2 3")
    assert "Noted, Paul Testmann. Your choice: no. 3." in voted and "options 3" not in voted
