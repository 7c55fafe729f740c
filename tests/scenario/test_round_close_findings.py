"""Around a round's close (findings F20–F22 of the rounds walk): an English office reads English
dates and digests, a follower gets one digest when rounds close together, and nobody is asked a
question one minute before the round closes on it."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
BERLIN = ZoneInfo("Europe/Berlin")
JAN_11 = datetime(2027, 1, 11, 9, 0, tzinfo=BERLIN)


async def test_no_reminder_a_minute_before_the_round_closes(db_url: str) -> None:
    async with Bot(make_settings(db_url, rounds__auto_open="false"), now=JAN_11) as bot:
        await bot.say("koordination", "runde starten EG2 frist 29.01.2027")
        bot.clock.now = datetime(2027, 1, 29, 23, 58, tzinfo=BERLIN)  # the clock jumped over 7/2/0 days
        late = await bot.tick()
        # was: "Erinnerung: … bis 29.01.2027." and the status question again, to every owner
        assert [m.text() for m in late] == []
        bot.clock.now += timedelta(minutes=2)
        closed = await bot.tick()
        assert any("ist geschlossen" in text for text in bot.to("dm:testmann", closed))
        assert not any("Erinnerung" in m.text() or "Reminder" in m.text() for m in closed)


async def test_a_reminder_in_time_still_goes_out(db_url: str) -> None:
    async with Bot(make_settings(db_url, rounds__auto_open="false"), now=JAN_11) as bot:
        await bot.say("koordination", "runde starten EG2 frist 29.01.2027")
        bot.clock.now = datetime(2027, 1, 29, 9, 5, tzinfo=BERLIN)  # the day's reminder, 15 hours ahead
        reminded = bot.to("dm:testmann", await bot.tick())
        assert reminded and "Erinnerung" in reminded[0] and "29.01.2027" in reminded[0]


def _digests(bot: Bot, channel: str) -> list[str]:
    return [text for text in bot.to(channel) if text.startswith("Digest")]


async def test_rounds_closing_together_make_one_digest(db_url: str) -> None:
    async with Bot(make_settings(db_url, rounds__auto_open="false"), now=JAN_11) as bot:
        await bot.say("koordination", "folgen")  # in the office's DM: everything
        for body in ("EG1", "EG4", "EG5"):
            await bot.say("koordination", f"runde starten {body} frist 29.01.2027")
        bot.clock.now = datetime(2027, 1, 30, 0, 0, tzinfo=BERLIN)
        await bot.tick()
        # was three full digests within a second, the last two without any change
        [digest] = _digests(bot, "dm:koordination")
        assert digest.startswith("Digest: EG1, EG4, EG5 2027-Q1")


async def test_a_round_closed_after_the_monthly_digest_repeats_nothing(db_url: str) -> None:
    async with Bot(make_settings(db_url, rounds__auto_open="false"), now=JAN_11) as bot:
        await bot.say("koordination", "folgen")
        await bot.say("koordination", "runde starten EG3 frist 15.02.2027")
        await bot.say("koordination", "runde starten EG2 frist 15.02.2027")
        bot.clock.now = datetime(2027, 2, 1, 8, 5, tzinfo=BERLIN)  # the first Monday: the monthly digest
        await bot.tick()
        assert len(_digests(bot, "dm:koordination")) == 1
        bot.clock.now += timedelta(minutes=1)
        await bot.say("koordination", "runde schließen EG3")
        # was a second full digest one minute later, without a change
        assert len(_digests(bot, "dm:koordination")) == 1
        # news since the monthly digest: the next round's close brings a digest with them
        for answer in ("4", "75", "Nichts.", "Räume suchen.", "Räume fehlen.", "keine", "ja", "ja"):
            await bot.say("testmann", answer)
        await bot.say("koordination", "runde schließen EG2")
        digests = _digests(bot, "dm:koordination")
        assert len(digests) == 2 and digests[1].startswith("Digest: EG2 2027-Q1")
        assert "HF2-04: Status:" in digests[1]


async def test_an_english_office_reads_english_dates_and_digests(db_url: str) -> None:
    async with Bot(make_settings(db_url, rounds__auto_open="false"), now=JAN_11) as bot:
        assert "(de)" in await bot.text("koordination", "folgen")  # followed while reading German
        await bot.say("koordination", "runde starten EG3 frist 15.02.2027")
        await bot.say("koordination", "sprache en")
        again = await bot.text("koordination", "round start EG3")
        # was "(deadline 15.02.2027)" in an English sentence
        assert "The round 2027-Q1 of EG3 is already open (deadline 15 Feb 2027)." in again
        closing = await bot.say("koordination", "round close EG3")
        [digest] = [t for t in bot.to("dm:koordination", closing) if t.startswith("Digest")]
        # was German ("Nach Handlungsfeld"): the subscription kept the language of `folgen`
        assert "By field" in digest and "Nach Handlungsfeld" not in digest
        summary = [t for t in bot.to("dm:koordination", closing) if "closed" in t][-1]
        assert "No report: HF3-01" in summary and "“no report”" not in summary
        assert "(en)" in await bot.text("koordination", "subscriptions")


async def test_a_digest_names_the_body_of_each_meeting(db_url: str) -> None:
    from bot.digests import DigestData
    from storage.models import Body, Meeting

    async with Bot(make_settings(db_url), now=JAN_11) as bot:
        meeting = Meeting(title="1. Sitzung 2027", starts_at=datetime(2027, 2, 18, 10, 0, tzinfo=BERLIN),
                          body=Body(code="EG3", name="Expertengruppe Gesundheit"))
        text = bot.app.services.renderer.render("digest", "plain", "de", data=DigestData(
            "all", None, [], meetings=[meeting]), title="", labels={}, status=None)
        # was "18.02.2027, 10:00 1. Sitzung 2027" among every body's meetings
        assert "18.02.2027, 10:00 EG3: 1. Sitzung 2027" in text
