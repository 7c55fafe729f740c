"""Regression tests for what an independent tester met walking issue #17's status rounds on the
console (/work/notes/findings-rounds.md, F2…), each driven through the router as a person would."""
from __future__ import annotations

import pytest

from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


async def _eg2_round(bot: Bot) -> None:
    await bot.say("koordination", "runde starten EG2 frist 15.12.2026")


async def test_f2_back_never_lands_on_a_stale_plausibility_question(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _eg2_round(bot)  # ersatz (English): HF2-01 with two target metrics
        assert "Is that right?" in await bot.answers("ersatz", "2", "75")
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
        assert "Is that right?" in await bot.answers("ersatz", "2", "2")
        for wrong in ("unchanged", "-5"):
            text = await bot.text("ersatz", wrong)
            assert text.count("one of the numbers") == 1 and "1) yes, that is right" in text
            assert "Nothing was changed" not in text  # the conversation goes on; nothing was meant to change


async def test_f5_done_keeping_a_low_progress_unchanged_is_asked_about(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _eg2_round(bot)
        await bot.answers("ersatz", "2", "850", "15", "a", "b", "none", "none", "yes")  # HF2-01 done first
        with bot.app.uow_factory() as uow:
            assert uow.catalog.recommendation("HF2-05").progress == 0
        await bot.answers("ersatz", "5", "unchanged", "a", "b", "none", "none")  # HF2-05 done: 100 % by itself
        doubt = await bot.answers("ersatz", "change progress", "unchanged")
        assert "“done”, but the progress is 0%" in doubt and "1) set to 100%" in doubt
        assert "Please check" in await bot.text("ersatz", "2")  # keep it as it is: the person chose


async def test_f6_f12_the_progress_question_speaks_english_and_names_whole_numbers(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _eg2_round(bot)
        await bot.answers("testmann", "überspringen", "2")  # HF2-06: progress of its own (20 %)
        german = await bot.text("testmann", "25,5")
        assert "ganze Zahl" in german and "kein Fortschritt" not in german
        english = await bot.answers("ersatz", "überspringen", "2", "120")  # HF2-05: progress of its own
        assert "“about 70%”" in english and "ca." not in english and "100 %" not in english
        assert "whole number" in await bot.text("ersatz", "25.5")
        assert "drops" not in await bot.text("ersatz", "about 70 percent")


async def test_f7_the_confirm_step_offers_only_parts_this_item_has(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _eg2_round(bot)  # HF2-01: progress from its measures, two metrics
        confirm = await bot.answers("ersatz", "2", "850", "15", "a", "b", "none", "none")
        assert "metrics" in confirm and "progress" not in confirm.split("Please check")[1].split("•")[-1]
        refused = await bot.text("ersatz", "change progress")
        assert "nothing to change there" in refused and "progress" not in refused.split("there.")[1]
        assert "status, metrics, happened" in refused


async def test_f9_an_english_speaker_types_dates_back_as_the_bot_writes_them(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        welcome = await bot.text("koordination", "runde starten EG2 frist 15.12.2026")
        prompt = "\n".join(bot.to("dm:ersatz"))
        assert "“away until 7 Dec 2026”" in prompt and "10.3." not in prompt, welcome
        away = await bot.text("ersatz", "away until 10 Dec 2026")
        assert "is not a date" not in away and "10 Dec 2026" in away
        wrong = await bot.text("ersatz", "away until someday soon")
        assert "Write it like 14 Mar 2027" in wrong and "14.03.2027" not in wrong


async def test_f14_an_english_number_reads_as_the_bot_writes_it(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _eg2_round(bot)
        first = await bot.answers("ersatz", "2", "1,280")  # 812 → 1280: no plausibility question
        assert "Verfahrensdauer" in first and "1.28" not in first
        summary = await bot.answers("ersatz", "15", "a", "b", "none", "none")
        assert "1,280 Anzahl" in summary
        german = await bot.answers("testmann", "überspringen", "2", "30", "1.234,5")  # German stays German
        assert "1.234,5" in german or "Bitte prüfen" in german or "aktuelle Wert" in german
        with bot.app.uow_factory() as uow:
            state = uow.conversations.active_of(uow.people.by_handle("testmann").id, "round")
            assert "1234.5" in str(state.data["item"].get("metrics"))


async def test_f18_an_english_office_opens_a_round_with_an_english_deadline(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("koordination", "sprache en")
        opened = await bot.text("koordination", "round start EG3 deadline 15 Dec 2026")
        assert "frist" not in opened and "15 Dec 2026" in opened, opened
        wrong = await bot.text("koordination", "round start EG4 deadline whenever")
        assert "frist" not in wrong and "Write it like 14 Mar 2027" in wrong and "<deadline date…>" in wrong
        assert "round start EG2 deadline 15 Dec 2026" in await bot.text("koordination", "help round start")


async def test_f8_a_second_handover_names_who_handed_it_on(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _eg2_round(bot)  # beispiel: HF2-03 only
        first = await bot.text("beispiel", "übergeben an @vorschau")
        assert "Vielen Dank für Ihre Meldung" not in first and "nichts mehr offen" in first
        await bot.tick()
        assert any("Ayşe Beispiel" in t for t in bot.to("dm:vorschau"))
        before = len(bot.to("dm:phantasie"))
        await bot.say("vorschau", "übergeben an @phantasie")
        await bot.tick()
        told = "\n".join(bot.to("dm:phantasie")[before:])
        assert "Jana Vorschau handed an item to you" in told and "Ayşe Beispiel" not in told


async def _hand_to_phantasie(bot: Bot) -> None:
    await _eg2_round(bot)
    await bot.say("beispiel", "übergeben an @phantasie")  # HF2-03 to an English-speaking deputy
    await bot.tick()


async def test_f10_the_same_absence_twice_tells_the_office_once(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _eg2_round(bot)
        first = await bot.say("ersatz", "away until 10 Dec 2026")
        second = await bot.say("ersatz", "away until 10.12.")
        assert len([t for t in bot.to("#geschaeftsfuehrung", first) if "abwesend" in t]) == 1
        assert not [t for t in bot.to("#geschaeftsfuehrung", second) if "abwesend" in t]


async def test_f11_the_open_question_is_asked_again_after_away_and_a_command(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _eg2_round(bot)
        away = bot.to("dm:ersatz", await bot.say("ersatz", "away until 10 Dec 2026"))
        assert "Noted: you are away" in away[0] and "What is the status?" in away[-1]
        helped = bot.to("dm:testmann", await bot.say("testmann", "!hilfe"))
        assert len(helped) >= 2 and "Wie ist der Status?" in helped[-1]


async def test_f16_a_deputy_is_reminded_of_items_asked_about_not_their_own(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _hand_to_phantasie(bot)
        reminded = "\n".join(bot.to("dm:phantasie", await bot.say("koordination", "runde erinnern EG2")))
        assert "Reminder" in reminded and "your recommendations" not in reminded
        assert "1 recommendation you were asked about still needs a report" in reminded
        owner = "\n".join(bot.to("dm:testmann"))
        assert "Ihrer Empfehlungen" in owner


async def test_f17_a_late_deputy_is_told_who_can_still_record_the_answers(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _hand_to_phantasie(bot)
        await bot.answers("phantasie", "2")
        await bot.say("koordination", "runde schließen EG2")
        late = await bot.text("phantasie", "50")
        assert "has closed" in late and "update HF2-03" not in late
        assert "Ayşe Beispiel" in late and "chair of EG2" in late
        owner_late = await bot.text("testmann", "2")
        assert "aktualisieren HF2-04" in owner_late  # the owner may still report himself


async def test_f19_an_odd_target_metric_is_refused_and_the_reply_echoes_what_was_stored(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:  # beispiel chairs EG2
        added = await bot.text("beispiel", "zielgröße HF2-03 Neue Betriebe ziel 30")
        assert "Ziel 30;" in added and " ;" not in added
        odd = await bot.text("beispiel", "zielgröße HF2-03 Quote ziel 120 einheit % basis -5")
        assert "passt nicht" in odd and "nichts angelegt" in odd
        assert "Quote" not in await bot.text("beispiel", "empfehlung HF2-03")
        based = await bot.text("beispiel", "zielgröße HF2-03 Quote ziel 60 einheit % basis 5")
        assert "Ziel 60 %, Ausgangswert 5 %" in based
        await bot.say("koordination", "sprache en")
        english = await bot.text("koordination", "target metric HF2-01 Share target 150 unit %")
        assert "150 % does not fit" in english


async def test_f15_an_english_summary_is_marked_and_the_hints_use_listed_numbers(db_url: str) -> None:
    import re

    from bot.public.site import Site

    summary = "Digital advice now available"  # few common words: the reporter's language decides
    async with Bot(make_settings(db_url)) as bot:
        await _eg2_round(bot)
        await bot.answers("ersatz", "2", "850", "15", "a", "b", "none", summary, "yes", "yes")
        pending = (await bot.text("koordination", "freigabe")).replace("\xa0", " ")
        number = re.search(r"\[(\d+)\] HF2-01", pending)
        assert number and "Die Zusammenfassung ist auf Englisch" in pending, pending
        listed = re.findall(r"\[(\d+)\]", pending)
        assert f"„zurückhalten {listed[-1]}“" in pending and "„freigeben 3 4“" not in pending
        refused = await bot.text("koordination", f"freigeben {number[1]} 99")
        assert "99 wartet nicht auf Freigabe" in refused and f"auch nicht mit {number[1]}" in refused
        await bot.say("koordination", f"freigeben {number[1]}")
        with bot.app.uow_factory() as uow:
            page = Site(bot.app.services).page(uow, "empfehlungen/HF2-01.html")
            assert page is not None
        assert f'<p class="text" lang="en">{summary}</p>' in page.body.decode()


async def test_f9_away_until_an_english_date_outside_a_round_and_its_example(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:  # no round open: the command, not the conversation word
        away = await bot.text("ersatz", "away until 15 Jan 2027")
        assert "away until 15 Jan 2027" in away or "Noted: you are away until 15 Jan 2027" in away
        assert "Vermerkt" in await bot.text("testmann", "abwesend bis 15. Januar 2027")
        helped = await bot.text("ersatz", "help away until")
        assert "away until 10 Mar" in helped and "10.3." not in helped


async def test_rounds2_f2_a_conversation_word_outside_a_conversation_says_so(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        said = await bot.text("testmann", "abbrechen")
        assert "Gerade läuft kein Gespräch mit Ihnen" in said and "kenne ich nicht" not in said, said
        await bot.say("ersatz", "sprache en")
        said = await bot.text("ersatz", "back")
        assert "No conversation is going on" in said and "“help”" in said, said


async def test_rounds2_f1_skipping_every_step_outside_a_round_saves_and_says_how_to_report_again(db_url: str) -> None:
    """Skipping the summary step crashed the summary ("Entschuldigung, bei mir ist etwas schiefgegangen");
    after `aktualisieren` outside a round the bot offered `korrigieren`, which then refused."""
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("testmann", "aktualisieren HF2-04")
        out = await bot.answers("testmann", "unverändert", "unverändert", "Kurse laufen.")  # status, metric, happened
        for _ in range(12):
            if "Bitte prüfen Sie" in out:
                break
            assert "schiefgegangen" not in out, out
            out = await bot.text("testmann", "überspringen")
        assert "Bitte prüfen Sie" in out and "Öffentliche Zusammenfassung: keine" in out, out
        done = await bot.text("testmann", "ja")
        assert "Gespeichert: HF2-04" in done and "korrigieren" not in done, done
        assert "schreiben Sie „aktualisieren“ und den Code" in done
