"""A status round as the office and three owners live it (issue #5, "must show").

EG2's open items: HF2-01 and HF2-05 (ersatz, English), HF2-03 (beispiel), HF2-04 and
HF2-06 (testmann). The round is due on 15.12.2026; reminders 7 and 2 days before and on
the day, at 09:00 Berlin time.
"""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

import pytest
from sqlalchemy import select

from storage.models import Change, Release, Round, Status, StatusUpdate
from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
OFFICE = "#geschaeftsfuehrung"


def _rec(bot: Bot, code: str) -> tuple[Status, int, list[Decimal | None]]:
    with bot.app.uow_factory() as uow:
        rec = uow.catalog.recommendation(code)
        assert rec is not None
        return rec.status, rec.progress, [m.current for m in rec.metrics]


async def _status(bot: Bot) -> str:
    return await bot.text("koordination", "runde status EG2")


async def test_a_complete_round(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        opened = await bot.say("koordination", "runde starten EG2 frist 15.12.2026")
        assert "Runde 2026-Q4 von EG2, Frist 15.12.2026" in opened[0].text()
        assert "5 Empfehlungen, 3 Personen" in opened[0].text()
        # each owner got one prompt and the first question, in their language
        testmann = bot.to("dm:testmann")
        assert len(testmann) == 2 and "2 Empfehlungen bis 15.12.2026" in testmann[0]
        assert "HF2-04" in testmann[1] and "(1/2)" in testmann[1] and "ÜBERFÄLLIG" in testmann[1]
        assert "report on 2 recommendations" in bot.to("dm:ersatz")[0]
        assert "0 von 5 Punkten beantwortet" in await _status(bot)

        # testmann answers everything; HF2-04's progress comes from its measures: no progress step
        metric_q = await bot.answers("testmann", "2")
        assert "Teilnehmerinnen" in metric_q and "letzter Wert 58" in metric_q
        summary = await bot.answers("testmann", "75", "Zwei Kurse gestartet.", "Dritter Kurs im Januar.",
                                "keine", "Zwei Teilzeitkurse laufen.", "ja")
        assert "Bitte prüfen" in summary and "Zwei Teilzeitkurse laufen. (darf veröffentlicht werden)" in summary
        saved = await bot.text("testmann", "ja")
        assert "Gespeichert: HF2-04" in saved and "HF2-06" in saved and "(2/2)" in saved
        assert _rec(bot, "HF2-04")[0] == Status.IN_PROGRESS and _rec(bot, "HF2-04")[2] == [Decimal(75)]
        # 14,1 → 1.234,5 is more than 3-fold: asked about once (issue #17), and it is right
        await bot.answers("testmann", "in Umsetzung", "ca. 55 Prozent", "1.234,5", "1", "Beratung läuft.",
                      "Zweite Welle.", "Räume fehlen", "keine")
        done = await bot.text("testmann", "ja")
        assert "Vielen Dank für Ihre Meldung" in done
        assert _rec(bot, "HF2-06")[1] == 55 and _rec(bot, "HF2-06")[2] == [Decimal("1234.5")]

        # ersatz answers one of two, then says "later"
        await bot.answers("ersatz", "3", "same", "12", "Waiting for the state.", "Ask again.", "none",
                      "none", "yes")
        assert _rec(bot, "HF2-01")[0] == Status.DELAYED
        later = await bot.answers("ersatz", "2", "later")
        assert "remind you on" in later and "8 Dec 2026, 09:00" in later  # one English date format (issue #17)

        # beispiel is away
        away = await bot.text("beispiel", "abwesend bis 20.12.")
        assert "bis 20.12.2026 abwesend" in away
        assert any("Beispiel" in t and "20.12.2026" in t for t in bot.to(OFFICE))

        status = await _status(bot)
        assert "3 von 5 Punkten beantwortet" in status
        assert "2/2 ✓" in status
        assert "1/2 – offen: HF2-05" in status and "später" in status
        assert "0/1 – offen: HF2-03 · abwesend bis 20.12.2026" in status

        # the 7-day reminder: only ersatz (unanswered, present); the open step is asked again
        bot.clock.now = datetime(2026, 12, 8, 8, 30, tzinfo=timezone.utc)
        reminded = await bot.tick()
        assert {m.channel.id for m in reminded if m.channel} == {"dm:ersatz"}
        assert "still need a report" in reminded[0].text() or "still needs a report" in reminded[0].text()
        assert "in percent" in reminded[1].text()
        assert await bot.tick() == []  # not twice
        await bot.answers("ersatz", "10 %", "same", "Kick-off held.", "Plan the pilot.", "none", "none")
        assert "Thank you for your report" in await bot.text("ersatz", "yes")
        assert "4 von 5 Punkten beantwortet" in await _status(bot)

        # the due date passes: the round closes by itself
        bot.clock.now = datetime(2026, 12, 16, 8, 0, tzinfo=timezone.utc)
        closing = await bot.tick()
        office = bot.to(OFFICE, closing)
        assert len(office) == 1
        assert "Runde 2026-Q4 von EG2 geschlossen" in office[0] and "4 von 5 Punkten beantwortet" in office[0]
        assert "Keine Meldung: HF2-03" in office[0] and "Hindernisse oder Unterstützungsbedarf: HF2-06" in office[0]
        assert any("geschlossen" in t for t in bot.to("dm:beispiel", closing))
        assert "Geschlossen." in await _status(bot)

    with bot.app.uow_factory() as uow:
        round_ = uow.session.scalars(select(Round)).one()
        assert round_.state == "closed" and round_.result["no_report"] == 1
        states = dict(uow.session.execute(select(StatusUpdate.state, StatusUpdate.id)).all())
        assert set(states) == {"submitted", "no_report"}
        releases = uow.session.scalars(select(Release)).all()
        assert len(releases) == 4 and {r.state for r in releases} == {"pending"}  # one per answer
        assert [r.text for r in releases if r.text] == ["Zwei Teilzeitkurse laufen."]  # only with consent
        sources = set(uow.session.scalars(select(Change.source).where(Change.actor_id.is_not(None))))
        assert sources == {"round"}


async def test_restart_mid_round_loses_and_repeats_nothing(db_url: str) -> None:
    settings = make_settings(db_url)
    async with Bot(settings) as bot:
        await bot.say("koordination", "runde starten EG2 frist 15.12.2026")
        await bot.answers("testmann", "2")  # HF2-04 at the metric step
    async with Bot(settings, now=bot.clock.now) as again:
        assert again.transport.sent == []  # no prompt is sent twice after a restart
        text = await again.text("testmann", "80")
        assert "seit der letzten Meldung" in text and "(1/2)" in text
    # the bot is down over the 7-day reminder; it is sent once after the start
    late = datetime(2026, 12, 9, 7, 0, tzinfo=timezone.utc)
    async with Bot(settings, now=late) as third:
        reminded = {m.channel.id for m in third.transport.sent if "Erinnerung" in m.text() or "Reminder" in m.text()}
        assert reminded == {"dm:testmann", "dm:ersatz", "dm:beispiel"}
        assert await third.tick() == []
    async with Bot(settings, now=late) as fourth:
        assert fourth.transport.sent == []


async def test_hand_over_and_correct(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("koordination", "runde starten EG2 frist 15.12.2026")
        unknown = await bot.text("testmann", "übergeben an @niemand")
        assert "niemand kenne ich nicht" in unknown and "Wählen Sie den Status" in unknown  # the step stays open
        handed = await bot.text("testmann", "übergeben an @beispiel")
        assert "HF2-04 ist für diese Runde an" in handed and "HF2-06" in handed
        assert any("hat Ihnen einen Punkt übergeben" in t for t in bot.to("dm:beispiel"))
        status = await _status(bot)
        assert "0/2 – offen: HF2-03, HF2-04" in status and "übergeben: HF2-04" in status
        await bot.answers("testmann", "2", "40", "13", "a", "b", "keine", "keine")
        await bot.text("testmann", "ja")
        assert _rec(bot, "HF2-06")[1] == 40
        again = await bot.text("testmann", "korrigieren HF2-06")
        assert "Bitte prüfen" in again and "Fortschritt: 40" in again
        await bot.answers("testmann", "ändern fortschritt", "45")
        assert "Gespeichert: HF2-06" in await bot.text("testmann", "ja")
        assert _rec(bot, "HF2-06")[1] == 45
        refused = await bot.text("ersatz", "korrigieren HF2-06")
        assert "Only the person who answered" in refused or "no answer about" in refused


async def test_only_chairs_and_the_office_run_rounds(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        refused = await bot.text("testmann", "runde starten EG2")
        assert "nur der Vorsitz von EG2 oder die Geschäftsführung" in refused
        assert "Runde 2026-Q4 von EG2" in await bot.text("beispiel", "runde starten EG2 frist 10.12.2026")
        assert "bereits offen" in await bot.text("koordination", "runde starten EG2")
        assert "nicht in der Zukunft" in await bot.text("koordination", "runde starten EG3 frist 1.1.2020")
        closed = await bot.text("beispiel", "runde schließen EG2")
        assert "geschlossen" in closed
        assert "bereits geschlossen" in await bot.text("beispiel", "runde schließen EG2")


async def test_skip_an_item_for_now(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("koordination", "runde starten EG2 frist 15.12.2026")
        skipped = await bot.text("testmann", "überspringen")
        assert "HF2-06" in skipped and "(2/2)" in skipped  # its own number, not the first position (issue #17)
        last = await bot.answers("testmann", "2", "50", "13", "a", "b", "keine", "keine", "ja")
        assert "Gespeichert: HF2-06" in last and "HF2-04" in last and "(zuvor übersprungen · noch 1 offen)" in last  # F13
        assert "letzter offener Punkt" in await bot.text("testmann", "überspringen")


async def test_rounds_open_from_the_cadence_once(db_url: str) -> None:
    settings = make_settings(db_url)
    opening_day = datetime(2026, 12, 17, 7, 0, tzinfo=timezone.utc)  # 14 days before 31.12.
    async with Bot(settings, now=datetime(2026, 12, 16, 7, 0, tzinfo=timezone.utc)) as early:
        assert early.transport.sent == []  # one day too early: nothing opens
    async with Bot(settings, now=opening_day) as bot:
        with bot.app.uow_factory() as uow:
            opened = {(r.reporting_line.from_body.code, r.period) for r in uow.rounds.open_rounds()}
        assert ("EG2", "2026-Q4") in opened and len(opened) >= 3
        assert all(period == "2026-Q4" for _, period in opened)
        assert "bis 31.12.2026" in bot.to("dm:testmann")[0]
    async with Bot(settings, now=opening_day) as again:
        assert again.transport.sent == []  # opened once, asked once
        with again.app.uow_factory() as uow:
            assert len(uow.rounds.open_rounds()) == len(opened)


async def test_history_reads_in_words(db_url: str) -> None:
    """Issue #17: `verlauf` showed `progress: 55 → 60 (command)` and `metric:…: 262.0000 → 280 (round)`."""
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("koordination", "fortschritt HF2-06 60")
        await bot.say("koordination", "runde starten EG2 frist 15.12.2026")
        await bot.answers("testmann", "überspringen", "2", "70", "12,5", "a", "b", "keine", "keine", "ja")
        german = await bot.text("koordination", "verlauf HF2-06")
        assert "Fortschritt: 20\u00a0% → 60\u00a0% (per Befehl)" in german
        assert "Zielgröße „Arbeitslosenquote von Ausländer*innen“: 14,1 → 12,5 (in der Sachstandsrunde)" in german
        assert "Status: in Umsetzung" not in german or "Paul Testmann" in german
        assert "progress" not in german and "command" not in german and "0000" not in german
        english = await bot.text("ersatz", "history HF2-06")
        assert "Progress: 20% → 60% (by command)" in english and "14.1 → 12.5 (in a status round)" in english


async def test_a_round_close_digest_counts_as_the_periods_digest_and_shows_metrics(db_url: str) -> None:
    """Issue #17: a round-close digest and a monthly digest with the same content arrived seconds
    apart, and changed metric values were missing from the digest."""
    room = "#eg-arbeit-wirtschaft"
    async with Bot(make_settings(db_url), now=datetime(2026, 12, 1, 8, 0, tzinfo=timezone.utc)) as bot:
        await bot.text("testmann", "folgen EG2", room=room)
        await bot.say("koordination", "runde starten EG2 frist 15.12.2026")
        await bot.answers("testmann", "2", "75", "a", "b", "keine", "keine", "ja")
        bot.clock.now = datetime(2026, 12, 7, 6, 0, tzinfo=timezone.utc)  # the first Monday, early
        closing = await bot.say("koordination", "runde schließen EG2")
        [digest] = [t for t in bot.to(room, closing) if t.startswith("Digest")]
        assert "HF2-04: Teilnehmerinnen 58 → 75" in digest
        bot.clock.now = datetime(2026, 12, 7, 8, 30, tzinfo=timezone.utc)  # the monthly digest is due
        assert [t for t in bot.to(room, await bot.tick()) if t.startswith("Digest")] == []
