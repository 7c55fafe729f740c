"""The public face of meetings as the outside tester read it (findings-meet.md F1, F2, F8), over
HTTP: /gremien.html, the body's calendar feed and OParl give an agenda item the number the
invitation gave it; a running meeting and a held one without approved minutes stay on the page
(results only once approved); stamps come from the bot's clock, not the wall clock."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

import aiohttp
import pytest
from icalendar import Calendar

from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
UTC = timezone.utc
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # the harness's clock, a week before the wall clock


async def _get(bot: Bot, path: str) -> str:
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{bot.app.web_port}/{path}") as resp:
        assert resp.status == 200, path
        return await resp.text()


async def _section(bot: Bot, code: str) -> str:
    page = await _get(bot, "gremien.html")
    found = re.search(rf'<section aria-labelledby="gremium-{code}">.*?</section>', page, re.S)
    assert found, code
    return found.group(0)


async def _oparl_meetings(bot: Bot) -> list[dict[str, Any]]:
    data = json.loads(await _get(bot, "oparl/v1.1/body/1/meeting"))
    return [m for m in data["data"] if m["name"].startswith("EG2")]


async def _agenda_with_a_gap(bot: Bot) -> None:
    """Items 2–5 proposed; 3 internal, 4 rejected: the public sees TOP 1, 2 and 5."""
    await bot.say("beispiel", 'sitzung anlegen EG2 14.12.2026 10:00 90min "Rathaus, Raum 12"')
    for title in ("Wohnraum", "Personalsache", "Abgelehntes", "Welcome centre report"):
        await bot.say("testmann", f'top vorschlagen EG2 "{title}"')
    for command in ("top annehmen EG2 2 öffentlich", "top annehmen EG2 3 intern", "top ablehnen EG2 4",
                    "top annehmen EG2 5 öffentlich", "top reihenfolge EG2 5 2 3"):
        await bot.say("beispiel", command)


@pytest.fixture
def settings(db_url: str):  # noqa: ANN201
    return make_settings(db_url, web__enabled="true", web__port="0")


async def test_f1_public_numbers_are_the_invitations(db_url: str, settings: Any) -> None:
    async with Bot(settings, now=START) as bot:
        await _agenda_with_a_gap(bot)
        agenda = await bot.text("beispiel", "tagesordnung EG2")
        assert "5. Welcome centre report" in agenda, agenda
        section = await _section(bot, "EG2")
        assert '<li value="5">Welcome centre report</li>' in section, section
        assert '<li value="2">Wohnraum</li>' in section and "Personalsache" not in section
        assert section.index("Welcome centre report") < section.index("Wohnraum")  # the order chosen
        items = (await _oparl_meetings(bot))[0]["agendaItem"]
        assert [(i["number"], i["name"]) for i in items] == [
            ("1", "Sachstand der Empfehlungen"), ("5", "Welcome centre report"), ("2", "Wohnraum")]
        assert [i["order"] for i in items] == [1, 2, 3]  # their places in the whole agenda
        event = Calendar.from_ical((await _get(bot, "calendar/EG2.ics")).encode()).walk("VEVENT")[0]
        assert "5. Welcome centre report" in str(event["DESCRIPTION"])


async def test_f8_running_and_unapproved_meetings_stay_on_the_page(db_url: str, settings: Any) -> None:
    async with Bot(settings, now=START) as bot:
        await _agenda_with_a_gap(bot)
        await bot.say("beispiel", 'sitzung anlegen EG2 18.01.2027 10:00 90min "Rathaus, Raum 12"')
        bot.clock.now = datetime(2026, 12, 14, 9, 45, tzinfo=UTC)  # 10:45 in Köln: in session
        assert "14.12.2026" in await _section(bot, "EG2")
        bot.clock.now = datetime(2026, 12, 14, 12, 0, tzinfo=UTC)  # over; the chair is asked for minutes
        await bot.tick()
        section = await _section(bot, "EG2")
        assert "Vergangene Sitzungen" in section and "14.12.2026" in section, section
        assert "Ergebnisse folgen, sobald die Niederschrift genehmigt ist" in section
        for answer in ("1 3", "keine", "keine", "Bericht angenommen.", "Forum im Mai.", "Wohnraum vertagt.",
                       "Intern besprochen.", "fertig", "ja"):
            await bot.say("beispiel", answer)
        section = await _section(bot, "EG2")
        assert "Forum im Mai" not in section and "Ergebnisse folgen" in section  # not approved yet
        held = (await _oparl_meetings(bot))[0]
        assert held["meetingState"] == "durchgeführt"
        assert all("resolutionText" not in i for i in held["agendaItem"])
        # approved at the next meeting: now the public results show, with their numbers
        bot.clock.now = datetime(2027, 1, 18, 12, 0, tzinfo=UTC)
        await bot.tick()
        for answer in ("alle", "keine", "keine", "Bericht.", "ja", "fertig", "ja"):
            await bot.say("beispiel", answer)
        section = await _section(bot, "EG2")
        assert '<li value="5">Welcome centre report: Forum im Mai.</li>' in section, section
        assert "Intern besprochen" not in section
        first = (await _oparl_meetings(bot))[0]
        assert {i["number"]: i.get("resolutionText") for i in first["agendaItem"]}["5"] == "Forum im Mai."


async def test_f2_feed_and_oparl_stamps_follow_the_bots_clock(db_url: str, settings: Any) -> None:
    async with Bot(settings, now=START) as bot:
        await _agenda_with_a_gap(bot)
        event = Calendar.from_ical((await _get(bot, "calendar/EG2.ics")).encode()).walk("VEVENT")[0]
        assert event.decoded("DTSTAMP").date() == START.date()
        meeting = (await _oparl_meetings(bot))[0]
        assert meeting["created"].startswith("2026-11-23") and meeting["modified"].startswith("2026-11-23")
        assert all(i["created"].startswith("2026-11-23") for i in meeting["agendaItem"])
