"""The outside tester's year of meetings (findings-meet.md, F1–F14) as regression tests, through
the real router as a secretary and members would type it; each failed before its fix."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from storage.models import Meeting
from tests.helpers.harness import Bot, make_settings

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
ROOM = "#eg-arbeit-wirtschaft"
UTC = timezone.utc


def _meetings(bot: Bot) -> list[Meeting]:
    return bot.meetings()


@SQLITE
async def test_f5_ten_uhr_is_a_time_on_creation_and_on_a_change(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        created = await bot.text("beispiel", "sitzung anlegen EG2 20.04.2027 10 Uhr 90min Bürgerzentrum")
        assert "keine Uhrzeit" not in created, created
        first = _meetings(bot)[0]
        assert first.starts_at == datetime(2027, 4, 20, 8, 0, tzinfo=UTC) and first.place == "Bürgerzentrum"
        await bot.say("beispiel", "sitzung anlegen EG2 18.05.2027 14:00 Rathaus")
        sent = await bot.say("beispiel", "sitzung verschieben EG2 2 10 Uhr")
        told = bot.to("dm:testmann", sent)
        assert told and "Wo: 10 Uhr" not in told[0] and "Wo: Rathaus" in told[0], told
        assert "18.05.2027, 10:00–11:30" in told[0], told[0]
        second = _meetings(bot)[1]
        assert second.starts_at == datetime(2027, 5, 18, 8, 0, tzinfo=UTC) and second.place == "Rathaus"
        # with one meeting ahead, "10 Uhr" is the time too, not "meeting no. 10"
        await bot.say("beispiel", "sitzung absagen EG2 2")
        await bot.say("beispiel", "sitzung verschieben EG2 14 Uhr")
        first = _meetings(bot)[0]
        assert first.starts_at == datetime(2027, 4, 20, 12, 0, tzinfo=UTC) and first.place == "Bürgerzentrum"


@SQLITE
async def test_f6_a_change_that_changes_nothing_tells_nobody(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", "sitzung anlegen EG2 17.02.2027 14:00 Rathaus")
        sequence = _meetings(bot)[0].sequence
        sent = await bot.say("beispiel", "sitzung verschieben EG2 17.02.2027 14:00")
        assert "Nichts geändert" in "\n".join(m.text("plain") for m in sent)
        assert not bot.to("dm:testmann", sent) and not bot.to(ROOM, sent)
        assert _meetings(bot)[0].sequence == sequence


async def _minutes(bot: Bot, *answers: str) -> list[str]:
    return [await bot.text("beispiel", answer) for answer in answers]


@SQLITE
async def test_f11_f7_followups_skip_a_running_meeting_and_a_bodys_chair_is_told(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", "sitzung anlegen EG2 17.02.2027 14:00 90min Rathaus")
        await bot.say("beispiel", "sitzung anlegen EG2 17.02.2027 15:30 90min Rathaus")
        await bot.say("beispiel", "sitzung anlegen EG2 17.03.2027 14:00 90min Rathaus")
        bot.clock.now = datetime(2027, 2, 17, 14, 55, tzinfo=UTC)  # 15:55 in Köln: the 2nd is in session
        await bot.tick()
        before = len(bot.transport.sent)
        await _minutes(bot, "1 3", "keine", "keine", "Bericht angenommen.", "Bericht an EG3; EG3; 30.04.2027",
                       "fertig", "ja")
        sent = bot.transport.sent[before:]
        running = await bot.text("beispiel", "tagesordnung EG2 2")
        assert "Genehmigung" not in running and "Aufgaben aus früheren Sitzungen" not in running, running
        ahead = await bot.text("beispiel", "tagesordnung EG2 3")
        assert "Genehmigung der Niederschrift der 1. Sitzung" in ahead and "Aufgaben aus früheren Sitzungen" in ahead
        told = bot.to("dm:exempel", sent)  # EG3's chair hears of EG3's action item
        assert told and "Eine Aufgabe für EG3" in told[0] and "Bericht an EG3" in told[0], told
        sent = await bot.say("beispiel", "aufgabe EG2 Zweiter Bericht; EG3; 31.05.2027")
        assert any("Zweiter Bericht" in text for text in bot.to("dm:exempel", sent))


@SQLITE
async def test_f12_the_approval_is_an_explicit_yes_or_no(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", "sitzung anlegen EG2 07.12.2026 10:00 90min Rathaus")
        await bot.say("beispiel", "sitzung anlegen EG2 14.12.2026 10:00 90min Rathaus")
        bot.clock.now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
        await bot.tick()
        await _minutes(bot, "1 3", "keine", "keine", "Bericht angenommen.", "fertig", "ja")
        bot.clock.now = datetime(2026, 12, 14, 12, 0, tzinfo=UTC)
        await bot.tick()
        asked = await _minutes(bot, "alle", "keine", "keine", "Bericht.")
        assert "2. Genehmigung der Niederschrift der 1. Sitzung" in asked[-1] and "„ja“ oder „nein“" in asked[-1]
        for unclear in ("Pool wird aufgebaut.", "Vertagt", "Genehmigung verschoben"):
            again = await bot.text("beispiel", unclear)
            assert "„ja“ oder „nein“" in again and "Aufgabe 1" not in again, again  # asked again, not taken
        assert "Aufgabe 1" in await bot.text("beispiel", "nein, Punkt 3 fehlt")
        summary = await bot.text("beispiel", "fertig")
        assert "Nicht genehmigt. Punkt 3 fehlt" in summary, summary
        await bot.say("beispiel", "ja")
        first = _meetings(bot)[0]
        assert first.state == "held" and first.minutes_approved_at is None  # "nein" never approves


@SQLITE
async def test_f4_f9_f10_long_titles_past_deadlines_and_the_audit_word(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", "sitzung anlegen EG2 07.12.2026 10:00 90min Rathaus")
        refused = await bot.text("testmann", "top vorschlagen EG2 " + "X" * 500)
        assert "höchstens 200 Zeichen" in refused and "X" * 201 not in await bot.text("testmann", "tagesordnung EG2")
        bot.clock.now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
        await bot.tick()
        told = await _minutes(bot, "1 3", "keine", "keine", "Bericht.", "Altes erledigen; @testmann; 01.01.2026")
        assert "Die Frist 01.01.2026 liegt in der Vergangenheit" in told[-1], told[-1]
        await _minutes(bot, "fertig", "ja")
        log = await bot.text("musterfrau", "änderungsprotokoll 5")  # the office reads the audit log
        assert "Niederschrift geschrieben" in log and "Protokoll geschrieben" not in log, log


@SQLITE
async def test_f3_accepting_says_what_it_set(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", "sitzung anlegen EG2 07.12.2026 10:00 90min Rathaus")
        await bot.say("testmann", 'top vorschlagen EG2 "Personalsache"')
        await bot.say("testmann", 'top vorschlagen EG2 "Forum"')
        told = await bot.text("beispiel", "top annehmen EG2 2")
        assert "Punkt 2 angenommen – intern." in told and "2. Personalsache (intern)" in told, told
        await bot.say("beispiel", "top ablehnen EG2 3")
        told = await bot.text("beispiel", "top annehmen EG2 3 öffentlich")
        assert "Punkt 3 angenommen – öffentlich; er war abgelehnt worden." in told, told
