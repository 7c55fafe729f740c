"""People from chat (issue #17, deliver 7): the office adds, links and changes people in chat;
an unknown account is told exactly what to say, and the office exactly how to confirm."""
from __future__ import annotations

import pytest

from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
OFFICE = "#geschaeftsfuehrung"


async def test_an_unknown_account_says_who_it_is_and_the_office_confirms(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        refused = await bot.text("eva", "runde starten EG2")
        assert "console:eva" in refused and "„ich bin @ihr-kürzel“" in refused and "ist die Rolle" in refused
        claimed = await bot.say("eva", "ich bin @mueller")
        office = bot.to(OFFICE, claimed)
        assert len(office) == 1 and "console:eva sagt" in office[0]
        assert "„person anlegen @mueller \"Name\"“, dann „person verknüpfen @mueller console:eva“" in office[0]
        assert "Geschäftsstelle gebeten" in bot.to("dm:eva", claimed)[0]

        created = await bot.text("koordination", 'person anlegen @mueller "Eva Müller" eva.mueller@stadt.de Sozialamt')
        assert "Eva Müller (@mueller) angelegt" in created and "person verknüpfen @mueller" in created
        linked = await bot.say("koordination", "person verknüpfen @mueller console:eva")
        assert "jetzt mit console:eva verknüpft" in bot.to("dm:koordination", linked)[0]
        assert "jetzt kenne ich Sie" in bot.to("dm:eva", linked)[0]  # told at once, in the same turn
        me = await bot.text("eva", "wer bin ich")
        assert "Eva Müller (@mueller)" in me and "Sozialamt" in me
        changed = await bot.text("koordination", "person ändern @mueller sprache en")
        assert "sprache – → en" in changed
        assert "I know you already as Eva Müller" in await bot.text("eva", "ich bin @mueller")  # now in English


async def test_bad_input_changes_nothing_and_says_why(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        assert "gibt es schon" in await bot.text("koordination", 'person anlegen @testmann "X"')
        assert "keine E-Mail-Adresse" in await bot.text("koordination", 'person anlegen @neu "Neu" a@b')
        assert "kein Kürzel" in await bot.text("koordination", 'person anlegen @Ü! "Neu"')
        # a handle with digits is a handle (rounds2 F3); one shaped like a recommendation's code is said so
        assert "angelegt" in await bot.text("koordination", 'person anlegen @neu2 "Nora Zwei"')
        assert "Code einer Empfehlung" in await bot.text("koordination", 'person anlegen @hf2-04 "X"')
        assert "gehört schon zu" in await bot.text("koordination", "person verknüpfen @beispiel console:testmann")
        assert "kein Konto" in await bot.text("koordination", "person verknüpfen @beispiel skype:abc")
        assert "keine Zeitzone" in await bot.text("koordination", "person ändern @beispiel zeitzone Mars/Base")
        assert "lässt sich nicht ändern" in await bot.text("koordination", "person ändern @beispiel farbe blau")
        refused = await bot.text("testmann", 'person anlegen @neu "Neu"')
        assert "Koordination" in refused and "angelegt" not in refused
        with bot.app.uow_factory() as uow:
            assert uow.people.by_handle("neu") is None
            assert uow.people.by_identity("console", "testmann").handle == "testmann"  # type: ignore[union-attr]
        english = await bot.text("ersatz", "help person create")
        assert "person create" in english
