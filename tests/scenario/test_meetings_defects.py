"""Every defect of issue #16 as a regression test, through the real router (each failed on main
before the fix)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from icalendar import Calendar
from sqlalchemy import select

from storage.models import Meeting
from tests.helpers.harness import Bot, make_settings

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
ROOM = "#eg-arbeit-wirtschaft"
UTC = timezone.utc


def _meetings(bot: Bot) -> list[Meeting]:
    with bot.app.uow_factory() as uow:
        rows = list(uow.session.scalars(select(Meeting).order_by(Meeting.starts_at)))
        for row in rows:
            uow.session.expunge(row)
        return rows


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
        assert "2 Sitzungen vor sich" in text and "1. Sitzung, 16.03.2027" in text and "2. Sitzung, 15.06.2027" in text
        assert [c.value for c in asked[0].choices] == ["sitzung absagen EG2 1", "sitzung absagen EG2 2"]
        assert all(m.state != "cancelled" for m in _meetings(bot))
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
