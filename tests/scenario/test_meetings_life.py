"""The rest of a meeting's life (issue #6): planning around holidays and absences, the
calendar feeds, minutes through the conversation, reminders across a restart, bodies set
up from chat and this year's compliance in `gremium EG2`."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import aiohttp
import pytest
import recurring_ical_events
from icalendar import Calendar
from sqlalchemy import select

from storage.models import Meeting, Round, StatusUpdate
from tests.helpers.harness import Bot, make_settings

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
BOTH = pytest.mark.parametrize("db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
                               indirect=True)
ROOM = "#eg-arbeit-wirtschaft"
UTC = timezone.utc


def _meetings(bot: Bot) -> list[Meeting]:
    return bot.meetings()


@SQLITE
async def test_planning_in_2027_skips_fronleichnam_and_a_members_absence(db_url: str) -> None:
    settings = make_settings(db_url, meetings__candidates="20")
    async with Bot(settings, now=datetime(2027, 4, 20, 8, 0, tzinfo=UTC)) as bot:
        await bot.say("testmann", "abwesend bis 12.05.2027")
        planned = await bot.text("beispiel", "sitzung planen EG2")
        days = [datetime.strptime(word, "%d.%m.%Y").date() for word in planned.split()
                if word.count(".") == 2 and word[:2].isdigit()]
        # the next window is the second quarter; two weeks ahead at the earliest; 20 spread over it
        assert len(days) == 20 and days == sorted(days) and days[-1].month == 6
        assert all(d > date(2027, 5, 12) for d in days)  # testmann is away until 12.05.
        assert all(d.weekday() < 5 for d in days)
        assert date(2027, 5, 27) not in days and date(2027, 5, 17) not in days  # Fronleichnam, Pfingstmontag
        with bot.app.uow_factory() as uow:
            from storage.models import PollOption

            options = uow.session.scalars(select(PollOption)).all()
            assert len(options) == 20


@BOTH
async def test_calendar_feeds_hold_exactly_the_bodys_meetings(db_url: str) -> None:
    settings = make_settings(db_url, web__enabled="true", web__port="0")
    async with Bot(settings) as bot:
        await bot.say("koordination", "runde starten EG2 frist 15.12.2026")
        await bot.say("beispiel", 'sitzung anlegen EG2 14.12.2026 10:00 90min "Rathaus, Raum 12"')
        # the standing item names the body's latest round
        assert "1. Sachstand der Empfehlungen (Runde 2026-Q4)" in bot.to(ROOM)[-1]
        await bot.say("beispiel", "sitzung anlegen EG2 10.03.2027 14:00 2h https://meet.example.org/eg2")
        await bot.say("mustermann", "sitzung anlegen EG1 15.12.2026 09:30")
        await bot.say("beispiel", "sitzung anlegen EG2 20.01.2027 10:00")
        await bot.say("beispiel", "sitzung absagen EG2 14.12.")  # three ahead: named by its date (#16)
        await bot.say("testmann", 'top vorschlagen EG2 "Interne Personalfrage"')  # proposed, not public
        await bot.say("testmann", "zusagen EG2")
        meetings = _meetings(bot)
        eg2 = {m.uid for m in meetings if m.title.startswith("EG2") and m.state != "cancelled"}
        assert len(eg2) == 2 and len(meetings) == 4

        base = f"http://127.0.0.1:{bot.app.web_port}"
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{base}/calendar/EG2.ics") as resp:
                assert resp.status == 200 and resp.content_type == "text/calendar"
                body = await resp.read()
            async with http.get(f"{base}/calendar/all.ics") as resp:
                everything = await resp.read()
            async with http.get(f"{base}/calendar/NOPE.ics") as resp:
                assert resp.status == 404

        cal = Calendar.from_ical(body)
        assert {str(e["UID"]) for e in cal.walk("VEVENT")} == eg2
        assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/Berlin"]
        found = recurring_ical_events.of(cal).between(date(2026, 1, 1), date(2028, 1, 1))
        assert [d.strftime("%d.%m.%Y %H:%M") for d in sorted(e.decoded("DTSTART") for e in found)] == \
            ["20.01.2027 10:00", "10.03.2027 14:00"]
        assert {str(e["UID"]) for e in found} == eg2
        text = body.decode()
        assert "ATTENDEE" not in text and "Testmann" not in text and "Personalfrage" not in text
        # the dial-in link is for the members (README): never in a public calendar (issue #15)
        assert "Sachstand der Empfehlungen" in text and "meet.example.org" not in text
        assert len(recurring_ical_events.of(Calendar.from_ical(everything)).between(
            date(2026, 1, 1), date(2028, 1, 1))) == 3


@SQLITE
async def test_minutes_through_the_conversation_are_posted(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", 'sitzung anlegen EG2 07.12.2026 10:00 90min "Rathaus, Raum 12"')
        await bot.say("testmann", 'top vorschlagen EG2 "Fachkräfteforum 2027"')
        agenda = await bot.text("beispiel", "top annehmen EG2 2 öffentlich")
        assert "1. Sachstand der Empfehlungen" in agenda and "2. Fachkräfteforum 2027 (öffentlich)" in agenda

        bot.clock.now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # the meeting is over
        asked = bot.to("dm:beispiel", await bot.tick())
        assert "ist vorbei" in asked[0] and "Wer war anwesend?" in asked[1]
        assert "3) Paul Testmann" in asked[1]
        assert bot.to("dm:beispiel", await bot.tick()) == []  # asked once

        assert "entschuldigt" in await bot.text("beispiel", "1 3")
        assert "Gäste" in await bot.text("beispiel", "keine")
        item1 = await bot.text("beispiel", "keine")
        assert "Punkt 1 von 2" in item1 and "Sachstand der Empfehlungen" in item1
        assert "Punkt 2 von 2" in await bot.text("beispiel", "Bericht zur Runde 2026-Q3 angenommen.")
        await bot.say("beispiel", "Forum am 12.05.2027 im Rathaus.")
        confirm = await bot.text("beispiel", "fertig")  # no action items
        assert "Anwesend:" in confirm and "Forum am 12.05.2027" in confirm
        before = len(bot.transport.sent)
        await bot.say("beispiel", "ja")
        posted = bot.to(ROOM, bot.transport.sent[before:])
        assert len(posted) == 1 and "Niederschrift:" in posted[0]
        assert "1. Sachstand der Empfehlungen: Bericht zur Runde 2026-Q3 angenommen." in posted[0]
        assert "2. Fachkräfteforum 2027: Forum am 12.05.2027 im Rathaus." in posted[0]

        [meeting] = _meetings(bot)
        assert meeting.state == "held" and "Forum am 12.05.2027" in meeting.minutes
        with bot.app.uow_factory() as uow:
            attended = sorted(r.attended for r in uow.session.get(Meeting, meeting.id).rsvps)
        assert attended.count(True) == 2 and attended.count(False) == 4


@BOTH
async def test_a_reminder_due_during_a_restart_arrives_once(db_url: str) -> None:
    settings = make_settings(db_url)
    async with Bot(settings) as bot:
        await bot.say("beispiel", 'sitzung anlegen EG2 14.12.2026 10:00 90min "Rathaus, Raum 12"')
        await bot.say("testmann", "zusagen EG2")
        assert await bot.tick() == []  # nothing due yet (reminders: 7.12. and 13.12., 09:00)

    # down over the 7-day reminder; it goes out once at the start
    later = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
    async with Bot(settings, now=later) as bot:
        reminders = [m for m in bot.transport.sent if "Erinnerung" in m.text() or "Reminder" in m.text()]
        members = ("beispiel", "ersatz", "testmann", "vorschau", "skizze", "attrappe")
        assert {m.channel.id for m in reminders} == {f"dm:{h}" for h in members}
        to_testmann = next(m for m in reminders if m.channel.id == "dm:testmann")
        assert to_testmann.choices == []  # testmann has answered
        to_skizze = next(m for m in reminders if m.channel.id == "dm:skizze")
        assert "noch nicht geantwortet" in to_skizze.text() and len(to_skizze.choices) == 3
        assert await bot.tick() == []
        await bot.say("skizze", "absagen EG2")
    async with Bot(settings, now=later) as bot:
        assert bot.transport.sent == [] and await bot.tick() == []
        bot.clock.now = datetime(2026, 12, 13, 8, 30, tzinfo=UTC)  # 09:30 Berlin, the day before
        day_before = await bot.tick()
        assert len(bot.to("dm:testmann", day_before)) == 1
        assert bot.to("dm:skizze", day_before) == []  # declined: not reminded
        assert await bot.tick() == []


@SQLITE
async def test_bodies_are_set_up_from_chat(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        refused = await bot.text("testmann", 'gremium anlegen AK1 arbeitskreis "Arbeitskreis Wohnen"')
        assert "Koordination" in refused or "coordinator" in refused.lower()
        created = await bot.text("koordination", 'gremium anlegen AK1 arbeitskreis "Arbeitskreis Wohnen"')
        assert "AK1 angelegt" in created
        await bot.say("koordination", "gremium takt AK1 mindestens 2")
        assert "Raum von AK1" in await bot.text("koordination", "gremium raum AK1", room="#ak-wohnen")
        await bot.say("koordination", "mitglied hinzufügen AK1 @probe")
        await bot.say("koordination", "mitglied hinzufügen AK1 @ersatz")
        assert "Vorsitz von AK1" in await bot.text("koordination", "vorsitz AK1 @testmann")
        assert "nicht mehr Mitglied" in await bot.text("koordination", "mitglied entfernen AK1 @probe")
        shown = await bot.text("koordination", "gremium AK1")
        assert "mindestens 2× im Jahr" in shown
        assert "Paul Testmann – Amt für Soziales, Arbeit und Senioren (Vorsitz)" in shown and "Lena Ersatz" in shown and "Probe" not in shown
        # the new chair plans in the bound room
        await bot.say("testmann", "sitzung anlegen AK1 15.12.2026 10:00")
        assert any("Einladung" in t for t in bot.to("#ak-wohnen"))
        assert any("Invitation" in t for t in bot.to("dm:ersatz"))


@SQLITE
async def test_compliance_in_gremium(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        with bot.app.uow_factory() as uow:
            body = uow.bodies.by_code("EG2")
            line = uow.bodies.line(body, uow.bodies.by_code("GF"))
            rec = next(r for r in uow.catalog.recommendations() if r.code.startswith("HF2")) \
                if hasattr(uow.catalog, "recommendations") else uow.catalog.recommendation("HF2-01")
            for n, month in enumerate((2, 5, 9), start=1):
                start = datetime(2026, month, 10, 9, 0, tzinfo=UTC)
                uow.session.add(Meeting(body_id=body.id, title="EG2", starts_at=start,
                                        ends_at=start + timedelta(hours=2), state="held", uid=f"held{n}@test"))
                due = datetime(2026, month + 1, 28, 22, 0, tzinfo=UTC)
                round_ = Round(reporting_line_id=line.id, period=f"2026-Q{n}", opens_at=due - timedelta(days=14),
                               due_at=due, state="closed", closed_at=due, result={})
                uow.session.add(round_)
                uow.flush()
                uow.session.add(StatusUpdate(round_id=round_.id, recommendation_id=rec.id, state="submitted",
                                             metric_values={}))
            uow.commit()
        await bot.say("beispiel", "sitzung anlegen EG2 14.12.2026 10:00")
        shown = await bot.text("koordination", "gremium EG2")
        assert "3 von 4 Sitzungen abgehalten, 1 geplant; 3 von 4 Berichten geliefert" in shown
        assert "Kalender: http://127.0.0.1:8080/calendar/EG2.ics" in shown


@SQLITE
async def test_rsvp_words_inside_a_conversation(db_url: str) -> None:
    """In an open conversation a bare “vielleicht” is an answer to the question; with its
    meeting (as a button sends it) it is an RSVP, and the conversation waits."""
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", "sitzung anlegen EG2 14.12.2026 10:00")
        [meeting] = _meetings(bot)
        await bot.say("testmann", "einstellungen")
        assert "Bitte antworten Sie mit 1 (Deutsch) oder 2 (English)" in await bot.text("testmann", "vielleicht")
        assert "kommt vielleicht zu EG2" in await bot.text("testmann", f"vielleicht {meeting.id}")
        assert "Zeitzone" in await bot.text("testmann", "1")  # the conversation goes on


@SQLITE
async def test_mistakes_and_rights_are_answered_clearly(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        assert "Vorsitz von EG2" in await bot.text("testmann", "sitzung planen EG2")  # a member, not the chair
        assert "Vergangenheit" in await bot.text("beispiel", "sitzung anlegen EG2 20.11.2026 10:00")
        assert "keine Uhrzeit" in await bot.text("beispiel", "sitzung anlegen EG2 14.12.2026 abends")
        too_long = await bot.text("beispiel", "sitzung anlegen EG2 14.12.2026 10:00 11h")
        assert "zwischen 15 Minuten und 10 Stunden" in too_long
        assert "keine Sitzung geplant" in await bot.text("testmann", "zusagen EG2")
        assert "Noch keine Terminvorschläge" in await bot.text("beispiel", "umfrage EG2")
        await bot.say("beispiel", "sitzung planen EG2")
        await bot.say("beispiel", "umfrage EG2")
        assert "keine Option 9" in await bot.text("testmann", "abstimmen EG2 9")
        assert "Nennen Sie die Optionen mit Nummer" in await bot.text("testmann", "abstimmen EG2 morgen")
        await bot.say("beispiel", 'sitzung anlegen EG2 14.12.2026 10:00 "Raum 1"')
        assert "überschneidet sich mit der 1. Sitzung von EG2" in await bot.text("beispiel", "sitzung anlegen EG2 14.12.2026 11:00")
        await bot.say("beispiel", "sitzung ort EG2 Raum 2")
        assert _meetings(bot)[0].place == "Raum 2" and _meetings(bot)[0].sequence == 1
        await bot.say("beispiel", "sitzung absagen EG2")
        assert "keine Sitzung geplant" in await bot.text("testmann", "absagen EG2")
