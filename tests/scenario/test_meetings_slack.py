"""The meeting flow on Slack (issue #6, "the same flow on Slack"): the body's room bound with
a slash command in its channel, an invitation with buttons to the channel and to each member
reachable on Slack, RSVPs by button in a DM and in the channel, who answered.

Runs the real App with its Slack transport against the local fake of Slack's Web API."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.app import App
from bot.core.clock import DemoClock
from storage.models import Meeting, Rsvp
from tests.helpers.slack_app import ERSATZ, KOORDINATION, TESTMANN, SlackBot, slack_settings
from tests.helpers.slack_fake import SlackFake

CHANNEL = "C0EGARBEIT"  # the fake's channel of EG2
BEISPIEL = "U0BSPL004"


@pytest.fixture
async def slack(tmp_path: Path) -> AsyncIterator[SlackBot]:
    fake = await SlackFake().start()
    # a fixed spring day: `sitzung planen` proposes five dates then; in late December it skips
    # the holidays and proposes fewer (CI on 4 December 2026 saw four)
    clock = DemoClock(datetime(2027, 3, 2, 9, 0, tzinfo=ZoneInfo("Europe/Berlin")))
    app = App(slack_settings(f"sqlite:///{tmp_path / 'slack.db'}", fake.api_url, "http"), clock=clock)
    await app.start()
    bot = SlackBot(app, fake, "http")
    try:
        yield bot
    finally:
        await bot.close()
        await app.shutdown()
        await fake.stop()


def _buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["text"]["text"], e["value"]) for b in message.get("blocks", []) if b["type"] == "actions"
            for e in b["elements"]]


def _answers(bot: SlackBot) -> dict[str, str]:
    with bot.app.uow_factory() as uow:
        handles = {p.id: p.handle for p in uow.people.all()}
        return {handles[r.person_id]: r.answer for r in uow.session.query(Rsvp).all()}


async def test_invitation_and_rsvps_on_slack(slack: SlackBot) -> None:
    bot = slack
    await bot.command(KOORDINATION, "gremium raum EG2", channel=CHANNEL)
    await bot.posted(1)
    day = date(2027, 3, 23)  # a Tuesday three weeks after the fixture's clock
    await bot.command(BEISPIEL, f'sitzung anlegen EG2 {day:%d.%m.%Y} 10:00 90min "Rathaus, Raum 12"', channel=CHANNEL)
    # the channel and the members reachable on Slack (beispiel, ersatz, testmann), each with buttons
    posted = await bot.posted(5)
    invitations = {m["channel"]: m for m in posted if "vitation:" in m["text"] or "Einladung:" in m["text"]}
    assert set(invitations) == {CHANNEL, "D0BSPL004", "D0ERSTZ14", "D0TSTMN10"}
    invitation = invitations[CHANNEL]
    with bot.app.uow_factory() as uow:
        meeting = uow.session.query(Meeting).one()
        mid = meeting.id
    assert _buttons(invitation) == [("Ja", f"zusagen {mid}"), ("Nein", f"absagen {mid}"),
                                    ("Vielleicht", f"vielleicht {mid}")]
    to_testmann, to_ersatz = invitations["D0TSTMN10"], invitations["D0ERSTZ14"]
    # each with the calendar entry as a file
    done = await bot.fake.wait_calls("files.completeUploadExternal", 4)
    files = [f for call in done for f in call.response["files"]]
    assert {f["channel"] for f in files} == set(invitations)
    for f in files:
        cal = Calendar.from_ical(bot.fake.uploads[f["id"]])
        assert str(cal["METHOD"]) == "REQUEST" and f["filename"].endswith(".ics")
    assert "Rathaus, Raum 12" in to_testmann["text"] and "Invitation" in to_ersatz["text"]

    await bot.click(TESTMANN, to_testmann, "Ja")  # a button in the DM
    await bot.click(ERSATZ, invitation, "Nein")  # buttons in the channel: one message, many people
    await bot.click(BEISPIEL, invitation, "Ja")
    await bot.fake.wait_for(lambda _: len(_answers(bot)) == 3 or None)
    assert _answers(bot) == {"testmann": "yes", "ersatz": "no", "beispiel": "yes"}
    # the channel's invitation keeps its buttons for the others; the DM's shows the answer
    updated = {c.params["channel"] for c in bot.fake.called("chat.update")}
    assert CHANNEL not in updated and "D0TSTMN10" in updated

    await bot.say(KOORDINATION, "sitzung EG2")
    status = (await bot.posted(1, "D0KOORD01"))[-1]["text"]
    assert "2 ja, 1 nein" in status and "Testmann" in status and "Ersatz" in status


async def test_a_date_poll_in_the_channel_on_slack(slack: SlackBot) -> None:
    bot = slack
    await bot.command(KOORDINATION, "gremium raum EG2", channel=CHANNEL)
    await bot.command(BEISPIEL, "sitzung planen EG2", channel=CHANNEL)
    await bot.command(BEISPIEL, "umfrage EG2", channel=CHANNEL)
    poll = await bot.fake.wait_for(lambda _: next((m for m in [c.params for c in bot.fake.called("chat.postMessage")]
                                                   if "Terminumfrage" in m.get("text", "")), None))
    assert [value for _, value in _buttons(poll)] == [f"abstimmen EG2 +{n}" for n in range(1, 6)]
    poll = {**poll, "ts": next(c.response["ts"] for c in bot.fake.called("chat.postMessage") if c.params is poll)}
    labels = [label for label, _ in _buttons(poll)]
    await bot.click(TESTMANN, poll, labels[0])  # one person, two dates on the same message
    await bot.click(TESTMANN, poll, labels[2])
    await bot.click(ERSATZ, poll, labels[2])

    def votes(_: object) -> dict[int, int] | None:
        with bot.app.uow_factory() as uow:
            from storage.models import PollOption, PollVote

            counts = {o.position: uow.session.query(PollVote).filter_by(option_id=o.id).count()
                      for o in uow.session.query(PollOption).all()}
        return counts if sum(counts.values()) == 3 else None
    assert await bot.fake.wait_for(votes) == {1: 1, 2: 0, 3: 2, 4: 0, 5: 0}
