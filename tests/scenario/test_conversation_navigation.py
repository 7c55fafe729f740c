"""Exact navigation in the status-update conversation (issue #17, deliver 2), through the router.

Each test names the defect a newcomer met on the console and fails on it: `zurück` skipping a
metric, an everyday answer run as a command, an error said twice, a wrong position counter
after `überspringen`, German-only words to change a part, and the races at a round's end.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from storage.models import ConversationState, Recommendation
from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


async def _eg1_round(bot: Bot) -> None:
    await bot.say("koordination", "runde starten EG1 frist 15.12.2026")


async def _eg2_round(bot: Bot) -> None:
    await bot.say("koordination", "runde starten EG2 frist 15.12.2026")


async def test_back_at_the_second_metric_asks_the_first_metric(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _eg1_round(bot)  # mustermann: HF1-04 with two target metrics
        second = await bot.answers("mustermann", "2", "30", "9,0")
        assert "Jugendliche in Lernpatenschaften" in second
        first = await bot.text("mustermann", "zurück")
        assert "Anteil Abgänge ohne Abschluss" in first and "Lernpatenschaften" not in first
        progress = await bot.text("mustermann", "zurück")
        assert "Wie weit ist die Umsetzung" in progress
        status = await bot.text("mustermann", "zurück")
        assert "Wie ist der Status?" in status
        # forward again: each metric in turn, the earlier answers kept for the summary
        await bot.answers("mustermann", "2", "30", "9,1")
        summary = await bot.answers("mustermann", "150", "a", "b", "keine", "keine")
        assert "Bitte prüfen" in summary and "9,1" in summary and "150" in summary


async def test_an_everyday_reply_at_a_step_is_an_answer_not_a_command(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _eg1_round(bot)
        text = await bot.text("mustermann", "vielleicht bald")
        assert "Gremium" not in text  # not run as the RSVP command `vielleicht <Gremium>`
        assert "ist kein Status" in text and "Wie ist der Status?" not in text
        assert "Wie weit ist die Umsetzung" in await bot.text("mustermann", "in Umsetzung")


async def test_a_complete_command_runs_and_the_step_is_asked_again(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _eg1_round(bot)
        await bot.text("mustermann", "2")
        messages = await bot.say("mustermann", "wer bin ich")
        texts = [m.text("plain") for m in messages]
        assert len(texts) == 2 and "mustermann" in texts[0].casefold()
        assert "Wie weit ist die Umsetzung" in texts[1]  # the open step, asked again after the command


async def test_a_problem_at_the_confirm_step_is_said_once(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _eg2_round(bot)
        await bot.answers("testmann", "2", "75", "a", "b", "keine", "keine")
        wrong = await bot.text("testmann", "vielleicht")
        assert wrong.count("zum Speichern") == 1


async def test_the_counter_after_skipping_names_the_item_shown(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _eg2_round(bot)  # testmann: HF2-04 (1/2), HF2-06 (2/2)
        second = await bot.text("testmann", "überspringen")
        assert "HF2-06" in second and "(2/2)" in second
        saved = await bot.answers("testmann", "2", "50", "unverändert", "a", "b", "keine", "keine", "ja")
        # the skipped item, asked last, says so (not "(1/2)" after "(2/2)": findings-rounds F13)
        assert "HF2-04" in saved and "(zuvor übersprungen · noch 1 offen)" in saved and "(1/2)" not in saved
        assert "Gespeichert: HF2-06. Als Nächstes:" in saved  # one more follows, though it was 2/2


async def test_change_a_part_in_english_and_in_german(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _eg2_round(bot)
        confirm = await bot.answers("ersatz", "2", "850", "15", "a", "b", "none", "none")
        assert "“yes”" in confirm and "“change”" in confirm and "metrics" in confirm
        assert "ändern" not in confirm and "“ja”" not in confirm and "fortschritt" not in confirm
        assert "What is the status?" in await bot.text("ersatz", "change status")
        assert "Please check" in await bot.text("ersatz", "3")
        assert "happened" in await bot.text("ersatz", "ändern geschehen")  # German words work too
        assert "Please check" in await bot.text("ersatz", "Kick-off")
        german = await bot.answers("testmann", "2", "75", "a", "b", "keine", "keine")
        assert "„ändern“" in german and "kennzahlen" in german and "change" not in german
        assert "aktuelle Wert" in await bot.text("testmann", "change metrics")  # English words work for him
        assert "Bitte prüfen" in await bot.text("testmann", "80")


async def test_closing_a_round_ends_the_conversation_with_one_message(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _eg2_round(bot)
        await bot.text("testmann", "2")
        closing = await bot.say("koordination", "runde schließen EG2")
        to_testmann = bot.to("dm:testmann", closing)
        assert len(to_testmann) == 1 and "geschlossen" in to_testmann[0]
        late = await bot.text("testmann", "50")
        assert "kenne ich nicht" not in late
        assert "geschlossen" in late and "aktualisieren HF2-04" in late  # how to report anyway
        english = await bot.text("ersatz", "2")
        assert "closed" in english and "update HF2-01" in english


async def test_two_rounds_closing_together_send_one_message_and_no_new_question(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        with bot.app.uow_factory() as uow:  # testmann also owns an EG1 item
            rec = uow.session.scalars(select(Recommendation).where(Recommendation.code == "HF1-02")).one()
            rec.owner_id = uow.people.by_handle("testmann").id  # type: ignore[union-attr]
            uow.commit()
        await _eg2_round(bot)
        await _eg1_round(bot)
        await bot.text("testmann", "2")
        bot.clock.now = datetime(2026, 12, 16, 8, 0, tzinfo=timezone.utc)  # both deadlines passed
        closing = await bot.tick()
        to_testmann = bot.to("dm:testmann", closing)
        assert len(to_testmann) == 1 and "geschlossen" in to_testmann[0]
        with bot.app.uow_factory() as uow:
            active = uow.session.scalars(select(ConversationState).where(
                ConversationState.status == "active")).all()
            assert active == []
        assert "kenne ich nicht" not in await bot.text("testmann", "2")


async def test_back_to_a_metric_works_after_a_restart(db_url: str) -> None:
    settings = make_settings(db_url)
    async with Bot(settings) as bot:
        await _eg1_round(bot)
        assert "Lernpatenschaften" in await bot.answers("mustermann", "2", "30", "9,0")
    async with Bot(settings) as restarted:  # the position within the step is stored with the history
        first = await restarted.text("mustermann", "zurück")
        assert "Anteil Abgänge ohne Abschluss" in first and "Lernpatenschaften" not in first
        assert "Lernpatenschaften" in await restarted.text("mustermann", "9,0")


async def test_english_words_at_every_step_for_a_german_speaker_too(db_url: str) -> None:
    """Both languages' words are accepted everywhere: `back`, `skip`, `same`, `yes` for testmann."""
    async with Bot(make_settings(db_url)) as bot:
        await _eg2_round(bot)
        assert "(2/2)" in await bot.text("testmann", "skip")
        assert "Wie weit" in await bot.text("testmann", "2")
        assert "Wie ist der Status?" in await bot.text("testmann", "back")
        await bot.answers("testmann", "2", "same", "same", "a", "b", "none", "none")
        assert "Gespeichert: HF2-06" in await bot.text("testmann", "yes")
