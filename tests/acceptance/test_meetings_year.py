"""A year of meetings of one new body (issue #16, "must show"), driven through the real router
with the demo clock (`bot/core/clock.py`: what `sachstand run --at` and the console's `zeit`
use; each move runs what fell due, as `zeit` does).

AK1 is created and staffed from chat; four meetings are planned through date polls — the
second is moved, the third cancelled while the fourth is planned ahead; agendas get items
proposed, accepted, rejected and reordered; minutes with action items follow each meeting,
with the reminders when they are missing and the approval at the next meeting. At each step
the test looks at what members, the room, the public page, OParl and the calendar feeds show."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import aiohttp
import pytest
from icalendar import Calendar
from sqlalchemy import select

from bot.core.clock import DemoClock, parse_move
from storage.models import Body, Meeting
from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
ROOM = "#ak-sprache"
TZ = "Europe/Berlin"
UTC = timezone.utc


class Year:
    """The bot, its demo clock and the public outputs, read over HTTP."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.clock = DemoClock(bot.clock(), monotonic=lambda: 0.0)  # no real time passes in a test
        self.base = f"http://127.0.0.1:{bot.app.web_port}/"

    async def zeit(self, text: str) -> list[Any]:
        """`zeit +3d` / `zeit 18.03.2027 09:05`: the demo clock moves, what fell due runs."""
        self.clock.move_to(parse_move(text, self.clock(), TZ))
        self.bot.clock.now = self.clock()
        sent = await self.bot.tick()
        return sent + await self.bot.tick()  # a second tick: what the first one made due

    async def say(self, who: str, text: str, room: str | None = None) -> str:
        return await self.bot.text(who, text, room)

    async def get(self, path: str) -> str:
        async with aiohttp.ClientSession() as http, http.get(self.base + path) as resp:
            assert resp.status == 200, path
            return (await resp.read()).decode()

    async def feed(self) -> list[Any]:
        return Calendar.from_ical(await self.get("calendar/AK1.ics")).walk("VEVENT")

    async def oparl_meetings(self) -> list[dict[str, Any]]:
        import json

        data = json.loads(await self.get("oparl/v1.1/body/1/meeting"))
        return [m for m in data["data"] if m["name"].startswith("AK1")]

    def meetings(self) -> list[Meeting]:
        with self.bot.app.uow_factory() as uow:
            body = uow.session.scalar(select(Body).where(Body.code == "AK1"))
            rows = list(uow.session.scalars(select(Meeting).where(Meeting.body_id == body.id)
                                            .order_by(Meeting.starts_at)))
            for row in rows:
                uow.session.expunge(row)
            return rows

    def day(self, meeting: Meeting, fmt: str = "%d.%m.%Y") -> str:
        from zoneinfo import ZoneInfo

        return meeting.starts_at.astimezone(ZoneInfo(TZ)).strftime(fmt)


def _lines(text: str) -> list[str]:
    return [line.strip().lstrip("• ") for line in text.splitlines() if "•" in line]


async def _plan_by_poll(year: Year, period: str = "") -> Meeting:
    """`sitzung planen` → `umfrage` in the room → every member votes → `sitzung festlegen`."""
    before = {m.id for m in year.meetings()}
    planned = await year.say("kmuster", f"sitzung planen AK1 {period}".strip())
    assert "Terminvorschläge für AK1" in planned
    await year.say("kmuster", "umfrage AK1")
    poll = year.bot.to(ROOM)[-1]
    assert "1)" in poll and "3)" in poll
    for member in ("testmann", "ersatz", "probe"):
        await year.say(member, "abstimmen 2", room=ROOM)
    await year.say("kmuster", "sitzung festlegen AK1")
    return next(m for m in year.meetings() if m.id not in before)


async def _minutes(year: Year, answers: list[str]) -> None:
    for answer in answers:
        await year.say("kmuster", answer)


async def test_a_year_of_meetings_of_a_new_working_group(db_url: str) -> None:
    settings = make_settings(db_url, web__enabled="true", web__port="0")
    async with Bot(settings, now=datetime(2027, 1, 4, 8, 0, tzinfo=UTC)) as bot:  # Mon 04.01.2027, 09:00
        year = Year(bot)

        # -- created and staffed from chat ------------------------------------------------------
        assert "AK1" in await year.say("koordination", 'gremium anlegen AK1 arbeitskreis "Arbeitskreis Sprache"')
        await year.say("koordination", "gremium takt AK1 4")
        await year.say("koordination", "gremium raum AK1", room=ROOM)
        for who, org in (("kmuster", "Amt für Integration"), ("testmann", "Volkshochschule Köln"),
                         ("ersatz", "Jobcenter Köln"), ("probe", "")):
            await year.say("koordination", f"mitglied hinzufügen AK1 @{who} {org}".strip())
        await year.say("koordination", "vorsitz AK1 @kmuster")
        assert "Vorsitz" in await year.say("testmann", "sitzung planen AK1")  # a member may not plan

        # -- meeting 1: a poll in the first quarter, the place follows -------------------------
        first = await _plan_by_poll(year)
        assert first.number == 1 and first.starts_at.year == 2027 and first.starts_at.month <= 3
        invitation = bot.to("dm:testmann")[-1]
        assert "Einladung: AK1 – Arbeitskreis Sprache" in invitation and "Wo: Ort folgt" in invitation
        assert "Where: place to follow" in bot.to("dm:ersatz")[-1]  # in her language
        (event,) = await year.feed()
        assert "LOCATION" not in event and "Ort folgt." in str(event["DESCRIPTION"])
        await year.say("kmuster", 'sitzung ort AK1 "Rathaus, Raum 12"')
        assert "Wo: Rathaus, Raum 12" in bot.to("dm:testmann")[-1]
        (event,) = await year.feed()
        assert str(event["LOCATION"]) == "Rathaus, Raum 12" and int(event["SEQUENCE"]) == 1

        # agenda: proposed by members, decided by the chair; numbers never move
        for who, title in (("testmann", "Sprachkurse 2027"), ("ersatz", "Personalfrage"),
                           ("probe", "Sprachförderung in Kitas")):
            await year.say(who, f'top vorschlagen AK1 "{title}"')
        await year.say("kmuster", "top ablehnen AK1 3")
        await year.say("kmuster", "top annehmen AK1 4 öffentlich")
        await year.say("kmuster", "top annehmen AK1 2 intern")
        assert "bleibt vorn" in await year.say("kmuster", "top reihenfolge AK1 2 1 4")
        agenda = _lines(await year.say("kmuster", "top reihenfolge AK1 2 4"))
        assert agenda[:3] == ["1. Sachstand der Empfehlungen (öffentlich)", "2. Sprachkurse 2027 (intern)",
                              "4. Sprachförderung in Kitas (öffentlich)"]
        assert agenda[3] == "3. Personalfrage – abgelehnt"
        member_view = _lines(await year.say("ersatz", "agenda AK1"))
        assert member_view[3].startswith("3. Personalfrage")
        page = await year.get("gremien.html")
        assert "Arbeitskreis Sprache (AK1)" in page and "Sprachförderung in Kitas" in page
        assert "Sprachkurse 2027" not in page and "Personalfrage" not in page  # internal, rejected
        assert "Volkshochschule Köln" in page and "calendar/AK1.ics" in page
        shown = year.day(first, "%d.%m.%Y, %H:%M")
        assert f">{shown}</time>" in page and f">{shown}:00" not in page  # no seconds
        (oparl,) = await year.oparl_meetings()
        assert [a["name"] for a in oparl["agendaItem"]] == ["Sachstand der Empfehlungen", "Sprachförderung in Kitas"]
        assert "Sprachkurse" not in str(await year.feed())

        # a week before: the reminder, with the agenda in its order
        await year.zeit(_before(first, days=7))
        reminder = bot.to("dm:probe")[-1]
        assert "Erinnerung" in reminder and "4. Sprachförderung in Kitas" in reminder

        # the meeting is over: the chair is asked for the minutes
        asked = bot.to("dm:kmuster", await year.zeit(_after(first)))
        assert any("Wer war anwesend?" in t for t in asked)
        await _minutes(year, ["1 2 4", "3", "Frau Gast (IHK Köln)"])
        assert "Punkt 2 von 3" in await year.say("kmuster", "Bericht zur Lage angenommen.")
        assert "Punkt 1 von 3" in await year.say("kmuster", "zurück")
        await year.say("kmuster", "Bericht der Geschäftsstelle angenommen.")
        await year.say("kmuster", "Zwei neue Kurse ab März.")
        assert "Aufgabe 1" in await year.say("kmuster", "Zehn Kitas gewinnen.")
        await year.say("kmuster", "Kursliste verschicken; @testmann; 15.04.2027")
        confirm = await year.say("kmuster", "fertig")
        assert "1. Sachstand der Empfehlungen: Bericht der Geschäftsstelle angenommen." in confirm
        assert "Gäste: Frau Gast (IHK Köln)" in confirm and "Entschuldigt: Lena Ersatz" in confirm
        await year.say("kmuster", "ja")
        posted = bot.to(ROOM)[-1]
        assert "Niederschrift: AK1" in posted and "Kursliste verschicken – Paul Testmann – bis 15.04.2027" in posted
        assert any("Kursliste verschicken" in t for t in bot.to("dm:testmann")[-2:])
        assert "Kursliste verschicken" in await year.say("testmann", "meine")
        assert "Zehn Kitas gewinnen." in await year.say("probe", "niederschrift AK1")
        page = await year.get("gremien.html")
        assert "Zehn Kitas gewinnen." not in page  # not yet approved

        # -- meeting 2: a poll in the second quarter, then moved ---------------------------------
        second = await _plan_by_poll(year, "2027-Q2")
        assert second.number == 2 and 4 <= second.starts_at.month <= 6
        agenda = _lines(await year.say("testmann", "tagesordnung AK1"))
        assert agenda[0].startswith("1. Sachstand der Empfehlungen")
        assert agenda[1].startswith(f"2. Genehmigung der Niederschrift der 1. Sitzung ({year.day(first)})")
        assert agenda[2].startswith("3. Aufgaben aus früheren Sitzungen")
        moved_to = _next_weekday(second)
        await year.say("kmuster", f"sitzung verschieben AK1 {moved_to}")
        change = bot.to("dm:testmann")[-1]
        assert "Geändert" in change and f"{moved_to}, {year.day(second, '%H:%M')}" in change
        assert "Ort folgt" in change  # the place was never set; nothing else changed
        second = year.meetings()[1]
        assert year.day(second) == moved_to
        (_, event) = sorted(await year.feed(), key=lambda e: e.decoded("DTSTART"))
        assert int(event["SEQUENCE"]) == 1 and event.decoded("DTSTART").strftime("%d.%m.%Y") == moved_to

        # the action item reminds its owner three days before it is due
        reminded = bot.to("dm:testmann", await year.zeit("12.04.2027 09:30"))
        assert any("Erinnerung an eine Aufgabe aus AK1" in t for t in reminded)

        # minutes of meeting 2 approve those of meeting 1: its public results appear
        await year.zeit(_after(second))
        await _minutes(year, ["alle", "keine", "keine", "Bericht angenommen.", "genehmigt",
                              "Kursliste verschickt.", "fertig", "ja"])
        page = await year.get("gremien.html")
        assert "Vergangene Sitzungen" in page and "Zehn Kitas gewinnen." in page
        assert "Bericht der Geschäftsstelle" in page  # the standing item is public
        assert "Genehmigt am" in await year.say("testmann", "niederschrift AK1 1")

        # -- meetings 3 and 4 planned ahead; the third is cancelled ------------------------------
        third = await _plan_by_poll(year, "2027-Q3")
        fourth = await _plan_by_poll(year, "2027-Q4")
        assert (third.number, fourth.number) == (3, 4)
        asked = await year.say("kmuster", "sitzung absagen AK1")
        assert "2 Sitzungen vor sich" in asked and "3. Sitzung" in asked and "4. Sitzung" in asked
        assert [m.state for m in year.meetings()][2:] == ["invited", "invited"]
        await year.say("kmuster", "sitzung absagen AK1 3")
        assert "Abgesagt" in bot.to("dm:ersatz")[-1] or "Cancelled" in bot.to("dm:ersatz")[-1]
        assert [m.state for m in year.meetings()][2:] == ["cancelled", "invited"]
        assert len(await year.feed()) == 3  # the cancelled one leaves the feed …
        assert [m["cancelled"] for m in await year.oparl_meetings()] == [False, False, True, False]  # … OParl says so
        page = await year.get("gremien.html")
        assert year.day(year.meetings()[2]) + "," not in page

        # meeting 4: held; the chair does not answer — reminded after a week, the office after two
        await year.zeit(_after(fourth))
        week = bot.to("dm:kmuster", await year.zeit("+7d"))
        assert any("fehlt noch" in t for t in week)
        office = bot.to("#geschaeftsfuehrung", await year.zeit("+7d"))
        assert len(office) == 1 and "4. Sitzung von AK1" in office[0] and "Koordination" not in office[0]
        await year.say("kmuster", "niederschrift schreiben AK1")
        await _minutes(year, ["1 2", "keine", "keine", "Bericht angenommen.", "genehmigt", "Keine offenen.",
                              "fertig", "ja"])
        assert "Genehmigt am" in await year.say("probe", "niederschrift AK1 2")
        gremium = await year.say("koordination", "gremium AK1")
        assert "3 von 4" in gremium


def _before(meeting: Meeting, days: int) -> str:
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    return (meeting.starts_at.astimezone(ZoneInfo(TZ)) - timedelta(days=days)).replace(hour=9, minute=30) \
        .strftime("%d.%m.%Y %H:%M")


def _after(meeting: Meeting) -> str:
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    return (meeting.ends_at.astimezone(ZoneInfo(TZ)) + timedelta(hours=1)).strftime("%d.%m.%Y %H:%M")


def _next_weekday(meeting: Meeting) -> str:
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    day = meeting.starts_at.astimezone(ZoneInfo(TZ)).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.strftime("%d.%m.%Y")
