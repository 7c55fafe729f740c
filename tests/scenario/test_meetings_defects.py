"""Every defect of issue #16 as a regression test, through the real router (each failed on main
before the fix)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from icalendar import Calendar

from storage.models import Meeting
from tests.helpers.harness import Bot, make_settings

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
ROOM = "#eg-arbeit-wirtschaft"
UTC = timezone.utc


def _meetings(bot: Bot) -> list[Meeting]:
    return bot.meetings()


async def _agenda_with_three_proposals(bot: Bot) -> None:
    await bot.say("beispiel", 'sitzung anlegen EG2 14.12.2026 10:00 "Rathaus, Raum 12"')
    for title in ("Fachkräfteforum", "Interne Personalfrage", "Haushalt 2027"):
        await bot.say("testmann", f'top vorschlagen EG2 "{title}"')


def _line(agenda: str, title: str) -> str:
    return next(line.strip().lstrip("• ") for line in agenda.splitlines() if title in line)


@SQLITE
async def test_agenda_numbers_do_not_shift_after_a_decision(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _agenda_with_three_proposals(bot)
        shown = await bot.text("beispiel", "tagesordnung EG2")
        assert "3. Interne Personalfrage" in shown and "4. Haushalt 2027" in shown
        after = await bot.text("beispiel", "top ablehnen EG2 3")
        assert "3. Interne Personalfrage – abgelehnt" in after and "4. Haushalt 2027" in after
        # typed from the number just seen: item 4 is accepted as public, the rejected one stays so
        accepted = await bot.text("beispiel", "top annehmen EG2 4 öffentlich")
        assert _line(accepted, "Haushalt 2027") == "4. Haushalt 2027 (öffentlich)"
        assert "abgelehnt" in _line(accepted, "Interne Personalfrage")
        assert "öffentlich" not in _line(accepted, "Interne Personalfrage")


@SQLITE
async def test_accepting_an_accepted_item_changes_only_what_is_said(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _agenda_with_three_proposals(bot)
        await bot.say("beispiel", "top annehmen EG2 2 öffentlich")
        again = await bot.text("beispiel", "top annehmen EG2 2")
        assert "schon angenommen (öffentlich)" in again
        assert "(öffentlich)" in _line(await bot.text("beispiel", "tagesordnung EG2"), "Fachkräfteforum")
        made_internal = await bot.text("beispiel", "top annehmen EG2 2 intern")
        assert "öffentlich" not in _line(made_internal, "Fachkräfteforum")


@SQLITE
async def test_the_standing_item_stays_first(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _agenda_with_three_proposals(bot)
        await bot.say("beispiel", "top annehmen EG2 2")
        await bot.say("beispiel", "top annehmen EG2 4")
        refused = await bot.text("beispiel", "top reihenfolge EG2 2 1 4")
        assert "„Sachstand der Empfehlungen“ bleibt vorn" in refused
        ordered = await bot.text("beispiel", "top reihenfolge EG2 4 2")
        lines = [line.strip().lstrip("• ") for line in ordered.splitlines() if "•" in line]
        assert [line.split(".")[0] for line in lines][:3] == ["1", "4", "2"]
        assert "Sachstand der Empfehlungen" in lines[0]


@SQLITE
async def test_a_new_date_alone_keeps_the_time_and_the_online_link(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", "sitzung anlegen EG2 16.03.2027 10:00 90min https://meet.example.org/eg2")
        sent = await bot.say("beispiel", "sitzung verschieben EG2 17.03.2027")
        told = bot.to("dm:testmann", sent)[0]
        assert "Wo: 17.03.2027" not in told
        assert "17.03.2027, 10:00–11:30" in told and "https://meet.example.org/eg2" in told
        ics = next(a for m in sent if m.channel and m.channel.id == "dm:testmann" for a in m.attachments)
        event = Calendar.from_ical(ics.data).walk("VEVENT")[0]
        assert event.decoded("DTSTART").strftime("%d.%m.%Y %H:%M") == "17.03.2027 10:00"
        assert str(event["URL"]) == "https://meet.example.org/eg2"
        meeting = _meetings(bot)[0]
        assert meeting.online_url == "https://meet.example.org/eg2" and meeting.place == ""
        # a time alone keeps the day; a place alone keeps the link
        await bot.say("beispiel", "sitzung verschieben EG2 14:00")
        await bot.say("beispiel", 'sitzung ort EG2 "Rathaus, Raum 12"')
        meeting = _meetings(bot)[0]
        assert meeting.starts_at == datetime(2027, 3, 17, 13, 0, tzinfo=UTC)
        assert meeting.place == "Rathaus, Raum 12" and meeting.online_url == "https://meet.example.org/eg2"


@SQLITE
async def test_with_two_meetings_ahead_each_is_named_and_the_bot_asks(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", 'sitzung anlegen EG2 16.03.2027 10:00 "Raum 1"')
        await bot.say("beispiel", 'sitzung anlegen EG2 15.06.2027 10:00 "Raum 1"')
        asked = await bot.say("beispiel", "sitzung absagen EG2")
        text = asked[0].text("plain")
        assert "2 Sitzungen vor sich" in text and "16.03.2027 10:00 (1. Sitzung)" in text and "15.06.2027 10:00 (2. Sitzung)" in text
        assert [c.value for c in asked[0].choices] == ["sitzung absagen EG2 1", "sitzung absagen EG2 2"]
        assert all(m.state != "cancelled" for m in _meetings(bot))
        # the agenda commands name the meeting too (or are asked which)
        # read only: the next one, naming the later one (findings-meet2 F14)
        assert "„tagesordnung EG2 2“" in await bot.text("testmann", "tagesordnung EG2")
        assert "am 15.06.2027 als Punkt 2" in await bot.text("testmann", 'top vorschlagen EG2 2 "Sommerfest"')
        assert "Sommerfest" in await bot.text("testmann", "tagesordnung EG2 2")
        assert "Sommerfest" not in await bot.text("testmann", "tagesordnung EG2 1")
        await bot.say("beispiel", "sitzung absagen EG2 15.06.")
        assert [m.state for m in _meetings(bot)] == ["invited", "cancelled"]
        await bot.say("beispiel", 'sitzung anlegen EG2 14.09.2027 10:00 "Raum 1"')
        await bot.say("beispiel", "sitzung verschieben EG2 3 21.09.2027")
        assert _meetings(bot)[-1].starts_at == datetime(2027, 9, 21, 8, 0, tzinfo=UTC)
        await bot.say("beispiel", "sitzung verschieben EG2 16.03. 18.03.")
        assert _meetings(bot)[0].starts_at == datetime(2027, 3, 18, 9, 0, tzinfo=UTC)


@SQLITE
async def test_an_overlapping_meeting_is_refused_with_the_clash_named(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", 'sitzung anlegen EG2 14.12.2026 10:00 "Raum 1"')
        refused = await bot.text("beispiel", "sitzung anlegen EG2 14.12.2026 11:00")
        assert "überschneidet sich mit der 1. Sitzung von EG2 am 14.12.2026, 10:00–11:30" in refused
        assert "trotzdem" in refused and len(_meetings(bot)) == 1
        await bot.say("beispiel", "sitzung anlegen EG2 14.12.2026 11:00 trotzdem")
        assert len(_meetings(bot)) == 2


@SQLITE
async def test_planning_in_a_chosen_period_outside_the_blackout(db_url: str) -> None:
    settings = make_settings(db_url, meetings__candidates="20")
    async with Bot(settings, now=datetime(2026, 12, 1, 9, 0, tzinfo=UTC)) as bot:
        planned = await bot.text("beispiel", "sitzung planen EG2 2027-Q1")
        days = [datetime.strptime(w, "%d.%m.%Y").date() for w in planned.split() if w.count(".") == 2]
        assert days and all(d.year == 2027 and d.month <= 3 for d in days)
        around_new_year = await bot.text("beispiel", "sitzung planen EG2 ab 15.12. bis 15.1.")
        days = [datetime.strptime(w, "%d.%m.%Y").date() for w in around_new_year.split() if w.count(".") == 2]
        assert days and not any(d.month == 12 and d.day >= 24 or d.month == 1 and d.day == 1 for d in days)
        assert "Aufruf: sitzung planen <Gremium> [<Zeitraum…>]" in await bot.text("beispiel", "sitzung planen EG2 irgendwann")


@SQLITE
async def test_a_meeting_from_a_poll_says_place_to_follow(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", "sitzung planen EG2")
        await bot.say("beispiel", "umfrage EG2")
        await bot.say("testmann", "abstimmen EG2 2")
        sent = await bot.say("beispiel", "sitzung festlegen EG2")
        invitation = bot.to("dm:testmann", sent)[0]
        assert "Wo: Ort folgt" in invitation
        ics = next(a for m in sent if m.channel and m.channel.id == "dm:testmann" for a in m.attachments)
        event = Calendar.from_ical(ics.data).walk("VEVENT")[0]
        assert "LOCATION" not in event and "Ort folgt." in str(event["DESCRIPTION"])
        await bot.say("beispiel", 'sitzung ort EG2 "Rathaus, Raum 12"')
        assert "Wo: Rathaus, Raum 12" in bot.to("dm:testmann")[-1]


@SQLITE
async def test_the_poll_error_names_the_poll_command(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        told = await bot.text("beispiel", "umfrage")
        assert "„umfrage EG2“" in told and "sitzung EG2" not in told


async def _held_meeting_with_an_item(bot: Bot) -> None:
    await bot.say("beispiel", 'sitzung anlegen EG2 07.12.2026 10:00 90min "Rathaus, Raum 12"')
    await bot.say("testmann", 'top vorschlagen EG2 "Fachkräfteforum 2027"')
    await bot.say("beispiel", "top annehmen EG2 2 öffentlich")
    bot.clock.now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)  # the meeting is over
    await bot.tick()


@SQLITE
async def test_back_in_the_minutes_returns_to_the_item_before(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _held_meeting_with_an_item(bot)
        await bot.say("beispiel", "1 3")
        await bot.say("beispiel", "keine")
        assert "Punkt 1 von 2" in await bot.text("beispiel", "keine")  # no guests
        assert "Punkt 2 von 2" in await bot.text("beispiel", "Bericht angenommen.")
        back = await bot.text("beispiel", "zurück")
        assert "Punkt 1 von 2" in back and "erste Frage" not in back
        assert "Punkt 2 von 2" in await bot.text("beispiel", "Bericht zur Runde angenommen.")
        assert "Aufgabe 1" in await bot.text("beispiel", "Forum am 12.05.2027.")
        confirm = await bot.text("beispiel", "fertig")
        assert "1. Sachstand der Empfehlungen: Bericht zur Runde angenommen." in confirm
        assert "2. Fachkräfteforum 2027: Forum am 12.05.2027." in confirm


@SQLITE
async def test_errors_in_the_attendance_step_are_said_once(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _held_meeting_with_an_item(bot)
        told = await bot.text("beispiel", "vielleicht alle")
        assert told.count("„alle“") == 1, told


@SQLITE
async def test_missing_minutes_remind_the_chair_then_tell_the_office(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _held_meeting_with_an_item(bot)
        bot.clock.now += timedelta(days=7, hours=1)
        week = await bot.tick()
        assert any("Niederschrift der Sitzung von EG2 am 07.12.2026 fehlt noch" in t for t in bot.to("dm:beispiel", week))
        assert any("Wer war anwesend?" in t for t in bot.to("dm:beispiel", week))  # asked again
        assert bot.to("dm:beispiel", await bot.tick()) == []  # once
        bot.clock.now += timedelta(days=7)
        later = await bot.tick()
        office = bot.to("#geschaeftsfuehrung", later)
        assert len(office) == 1 and "1. Sitzung von EG2 am 07.12.2026 fehlt nach 14 Tagen" in office[0]


async def _minutes_saved(bot: Bot) -> None:
    await _held_meeting_with_an_item(bot)
    for answer in ("1 3", "2", "Frau Gast (IHK Köln)", "Bericht angenommen.", "Forum am 12.05.2027.",
                   "Einladung zum Forum verschicken; @testmann; 15.03.2027", "Räume anfragen; EG3", "fertig", "ja"):
        await bot.say("beispiel", answer)


@SQLITE
async def test_minutes_last_and_members_can_read_them(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _minutes_saved(bot)
        shown = await bot.text("testmann", "niederschrift EG2")
        assert "Niederschrift: EG2" in shown and "1. Sitzung am 07.12.2026" in shown
        assert "Gäste: Frau Gast (IHK Köln)" in shown and "Entschuldigt:" in shown
        assert "Einladung zum Forum verschicken – Paul Testmann – bis 15.03.2027" in shown
        assert "Räume anfragen – EG3" in shown
        assert "Nur Mitglieder von EG2" in await bot.text("exempel", "niederschrift EG2")  # not a member
        # the audit log has its own name now; the old word still works
        assert "Änderungsprotokoll" in await bot.text("koordination", "änderungsprotokoll 5")
        assert "Änderungsprotokoll" in await bot.text("koordination", "protokoll 5")


@SQLITE
async def test_action_items_remind_and_show_in_mine_and_come_up_next_time(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _minutes_saved(bot)
        assert any("Einladung zum Forum verschicken" in t for t in bot.to("dm:testmann"))  # told at once
        mine = await bot.text("testmann", "meine")
        assert "Einladung zum Forum verschicken" in mine and "bis 15.03.2027" in mine
        await bot.say("beispiel", 'sitzung anlegen EG2 10.03.2027 10:00 "Rathaus"')
        agenda = await bot.text("testmann", "tagesordnung EG2")
        lines = [line.strip().lstrip("• ") for line in agenda.splitlines() if "•" in line]
        assert lines[0].startswith("1. Sachstand der Empfehlungen")
        assert lines[1].startswith("2. Genehmigung der Niederschrift der 1. Sitzung (07.12.2026)")
        assert lines[2].startswith("3. Aufgaben aus früheren Sitzungen")
        bot.clock.now = datetime(2027, 3, 12, 8, 30, tzinfo=UTC)  # 09:30 local, three days before
        reminded = bot.to("dm:testmann", await bot.tick())
        assert any("Erinnerung an eine Aufgabe aus EG2" in t and "15.03.2027" in t for t in reminded)
        number = next(w for t in reminded for w in t.replace("“", " ").replace("„", " ").split()
                      if w.isdecimal())
        assert "Erledigt" in await bot.text("testmann", f"aufgabe erledigt {number}")
        assert "Einladung zum Forum" not in await bot.text("testmann", "meine")


def _gremien(bot: Bot) -> str:
    from bot.public.site import Site

    with bot.app.uow_factory() as uow:
        page = Site(bot.app.services).page(uow, "gremien.html")
        assert page is not None
        return page.body.decode() if hasattr(page, "body") else page[0].decode()


@SQLITE
async def test_the_public_page_of_the_bodies(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _minutes_saved(bot)  # EG2 met on 07.12.2026; its public item has a result
        await bot.say("beispiel", 'sitzung anlegen EG2 15.12.2026 15:00 "Rathaus, Raum 12"')
        page = _gremien(bot)
        assert "15.12.2026, 15:00<" in page and "15:00:00" not in page
        assert "/calendar/EG2.ics" in page and "/oparl/v1.1/organization/EG2" in page
        assert "Amt für Wirtschaftsförderung" in page  # the chair's organisation
        assert "Forum am 12.05.2027." not in page  # results only once the minutes are approved
        bot.clock.now = datetime(2026, 12, 15, 17, 0, tzinfo=UTC)
        await bot.tick()
        for answer in ("alle", "keine", "keine", "Bericht angenommen.", "genehmigt", "keine weiteren", "fertig",
                       "ja"):
            await bot.say("beispiel", answer)
        page = _gremien(bot)
        assert "Vergangene Sitzungen" in page and "Forum am 12.05.2027." in page
        assert "Genehmigt am 15.12.2026" in await bot.text("testmann", "niederschrift EG2 1")


@SQLITE
async def test_the_beirat_report_names_each_meetings_body(db_url: str) -> None:
    from bot.reports.documents import render

    settings = make_settings(db_url, general__example_history="true")
    async with Bot(settings) as bot:
        with bot.app.uow_factory() as uow:
            html = render(bot.app.services, uow, "beirat", "2026")
        # a table of the meetings held: date, body (code and name), meeting (issue #21)
        rows = [row for row in html.split("<tr>") if "3. Sitzung 2026" in row]
        bodies = {row.split("</td><td>")[1] for row in rows}
        assert len(rows) >= 2 and len(bodies) == len(rows)
        assert "EG2 Expertengruppe Ausbildung, Arbeit und Wirtschaft" in bodies


@SQLITE
async def test_a_reminder_does_not_repeat_a_question_still_open(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _held_meeting_with_an_item(bot)
        bot.clock.now += timedelta(days=6)
        await bot.say("beispiel", "niederschrift schreiben EG2")
        await bot.say("beispiel", "1 3")  # then the chair stops, mid-way
        bot.clock.now += timedelta(days=1, hours=1)
        week = bot.to("dm:beispiel", await bot.tick())
        assert any("fehlt noch" in t for t in week)
        assert not any("Wer war anwesend?" in t for t in week)  # the conversation waits where it was
        assert "Waren Gäste da?" in await bot.text("beispiel", "keine")
