"""Readable history and audit (issue #17, deliver 5): `verlauf` and `protokoll` say what changed in
words — labels and names, not handles or action codes; German numbers and dates (English ones for an
English reader); stamped by the bot's clock, not the machine's."""
from __future__ import annotations

import pytest

from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
CHANGES = ["fortschritt HF2-05 60", "status HF2-05 verzögert", "zuweisen HF2-05 @testmann",
           "empfehlung ändern HF2-05 zeitziel 31.12.2027", "maßnahme ändern HF2-04-M1 fortschritt 60",
           "maßnahme ändern HF2-04-M1 budget 95000", "gremium anlegen AK9 arbeitskreis \"Arbeitskreis Probe\"",
           "mitglied hinzufügen AK9 @probe"]


async def test_history_and_audit_log_read_as_sentences(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:  # the bot's clock: 23.11.2026, 10:00 in Köln
        await bot.app.scheduler.shutdown()
        for text in CHANGES:
            await bot.text("koordination", text)
        await bot.text("testmann", "folgen HF2")
        history = await bot.text("koordination", "verlauf HF2-05")
        measures = await bot.text("koordination", "verlauf HF2-04")
        log = await bot.text("koordination", "protokoll 20")
        await bot.text("koordination", "sprache en")
        english = await bot.text("koordination", "protokoll 20")
    history, measures, log, english = (t.replace("\xa0", " ") for t in (history, measures, log, english))

    assert "Verantwortlich: Lena Ersatz → Paul Testmann (per Befehl)" in history
    assert "Zeitziel: 30.09.2027 → 31.12.2027" in history and "Fortschritt: 0 % → 60 %" in history
    assert "Status: nicht begonnen → verzögert" in history and "(command)" not in history
    assert "23.11.2026, 10:00" in history  # the bot's clock, not the machine's
    assert "Maßnahme HF2-04-M1 – Fortschritt: 25 % → 60 %" in measures
    assert "Maßnahme HF2-04-M1 – Budget: 90.000 € → 95.000 €" in measures

    for internal in ("edit_", "set_status", "set_progress", "recommendation HF2", "create_body", "add_member",
                     "follow field", "koordination ·", "testmann ·"):
        assert internal not in log, internal
    office = "Interkulturelles Referat (Geschäftsführung)"
    assert f"23.11.2026, 10:00 · {office} · HF2-05: Fortschritt 0 % → 60 %" in log
    assert "HF2-05: Verantwortlich: Lena Ersatz → Paul Testmann" in log
    assert "HF2-04: Maßnahme HF2-04-M1 – Fortschritt: 25 % → 60 %" in log
    assert "Gremium AK9 „Arbeitskreis Probe“ angelegt" in log and "AK9: Mitglied Olena Probe hinzugefügt" in log
    assert "Paul Testmann · folgt HF2" in log
    assert "HF2-05: progress 0% → 60%" in english and "created body AK9 “Arbeitskreis Probe”" in english
    assert "23 Nov 2026, 10:00" in english
