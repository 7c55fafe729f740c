"""Site findings F5 and F4 for the question form: a question published before it is answered still
owes its author an answer by e-mail, and the office sees that; the same form sent again later (back,
then send) is one question, also after the in-memory double-submit guard has forgotten it."""
from __future__ import annotations

import re

import pytest

from bot.questions import forms
from tests.helpers.harness import Bot, make_settings
from tests.integration.test_questions import Visitor

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


async def test_published_without_answer_is_owed_and_a_resend_is_one_question(db_url: str,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:
        visitor = Visitor(f"http://127.0.0.1:{bot.app.web_port}/")
        try:
            question = {"text": "Wann beginnt der nächste Kurs?", "email": "buerger@example.org", "consent": "1",
                        "empfehlung": "HF2-04"}
            token = await visitor.token()
            status, _, first = await visitor.post(question, token=token)
            monkeypatch.setattr(forms, "REPEAT_SECONDS", -1)  # as after ten minutes or a restart
            again, _, second = await visitor.post(question, token=token)  # back, and send again
            assert (status, again) == (303, 303) and first == second
            listed = await bot.text("koordination", "fragen")
            numbers = re.findall(r"\[(\d+)\] HF2-04", listed)
            assert len(numbers) == 1, listed  # one question, not two
            number = numbers[0]
            said = await bot.text("koordination", f"frage veröffentlichen {number}")
            assert "noch ohne Antwort" in said
            owed = await bot.text("koordination", "fragen")
            assert "Antworten per E-Mail offen" in owed and f"[{number}] HF2-04: buerger@example.org" in owed
            assert "Eine Antwort per E-Mail" in await bot.text("koordination", f"frage {number}")
        finally:
            await visitor.http.close()


async def test_the_office_hears_before_an_owed_answers_address_is_deleted(db_url: str) -> None:
    """Site finding F12 (second walk): an owed e-mail answer expired after 90 days without a word."""
    from datetime import timedelta

    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:
        visitor = Visitor(f"http://127.0.0.1:{bot.app.web_port}/")
        try:
            question = {"text": "Gibt es Kurse am Abend?", "email": "abend@example.org", "consent": "1",
                        "empfehlung": "HF2-04"}
            await visitor.post(question, token=await visitor.token())
        finally:
            await visitor.http.close()
        number = re.findall(r"\[(\d+)\] HF2-04", await bot.text("koordination", "fragen"))[0]
        await bot.say("koordination", f"frage veröffentlichen {number}")  # published, no answer yet: owed
        start = bot.clock.now
        bot.clock.now = start + timedelta(days=80)
        assert not [m for m in await bot.tick() if "wird am" in m.text("plain")]  # not yet
        bot.clock.now = start + timedelta(days=84)
        told = [m.text("plain") for m in await bot.tick() if f"Frage {number}" in m.text("plain")]
        assert len(told) == 1 and "E-Mail-Adresse" in told[0] and f"„frage erledigt {number}“" in told[0], told
        bot.clock.now = start + timedelta(days=86)
        assert not [m for m in await bot.tick() if f"Frage {number}:" in m.text("plain")]  # once
