"""The slash command over HTTP: signed, acknowledged at once, answered through the Web API."""
from __future__ import annotations

import asyncio
import json
import threading
import time
import urllib.parse

from tests.helpers.slack_fake import command_body

from tests.helpers.slack_app import ERSATZ, KOORDINATION, TESTMANN, SlackBot


async def test_signed_help_is_acknowledged_and_answered(slack: SlackBot) -> None:
    status, body = await slack.command(TESTMANN, "hilfe")
    assert status == 200 and body == ""  # the bare acknowledgement; the answer follows
    [answer] = await slack.posted(1)
    assert slack.fake.called("chat.postEphemeral"), "help in a channel is only for the asker"
    assert answer["channel"] == "C0EGARBEIT" and answer["user"] == TESTMANN
    text = "\n".join(b["text"]["text"] for b in answer["blocks"] if b["type"] == "section")
    assert "*Sachstand – Befehle*" in text and "`empfehlung &lt;Code&gt;`" in text
    assert "&amp;lt;" not in text  # escaped once, not twice


async def test_english_speaker_gets_english_help(slack: SlackBot) -> None:
    await slack.command(ERSATZ, "help")
    [answer] = await slack.posted(1)
    assert "Sachstand – commands" in answer["text"]


async def test_bad_signature_is_refused_with_401(slack: SlackBot) -> None:
    body = urllib.parse.urlencode(command_body(TESTMANN, "hilfe"))
    status, _ = await slack.post(body, "application/x-www-form-urlencoded", secret="not-the-secret")
    assert status == 401
    assert not slack.fake.called("chat.postEphemeral") and not slack.fake.called("chat.postMessage")


async def test_request_older_than_five_minutes_is_refused(slack: SlackBot) -> None:
    body = urllib.parse.urlencode(command_body(TESTMANN, "hilfe"))
    status, _ = await slack.post(body, "application/x-www-form-urlencoded", timestamp=int(time.time()) - 6 * 60)
    assert status == 401  # correctly signed, but a replay of an old request
    fresh, _ = await slack.post(body, "application/x-www-form-urlencoded")
    assert fresh == 200


async def test_coordinator_command_for_coordinator_and_refused_for_member(slack: SlackBot) -> None:
    await slack.command(KOORDINATION, "protokoll 3")
    [allowed] = await slack.posted(1)
    assert "Änderungsprotokoll" in allowed["text"] or "Protokoll" in allowed["text"]
    await slack.command(TESTMANN, "protokoll 3")
    refused = (await slack.posted(2))[1]
    assert refused["user"] == TESTMANN
    assert "Koordination" in refused["text"] and "Protokoll" not in refused["text"].split("\n")[0]


async def test_ack_waits_for_neither_database_nor_web_api(slack_any: SlackBot) -> None:
    """The acknowledgement comes while the database worker is busy; the answer after."""
    gate = threading.Event()
    busy = asyncio.get_running_loop().run_in_executor(slack_any.app.executor, gate.wait)
    try:
        status, _ = await asyncio.wait_for(slack_any.command(TESTMANN, "hilfe"), 20)
        assert status == 200
        assert not slack_any.fake.called("chat.postEphemeral")  # nothing could be answered yet
    finally:
        gate.set()
        await busy
    [answer] = await slack_any.posted(1)
    assert "Befehle" in answer["text"]


async def test_an_announcement_goes_to_the_channel_personal_views_stay_private(slack: SlackBot) -> None:
    await slack.command(KOORDINATION, "status HF2-04 verzögert")
    [announced] = await slack.posted(1)
    assert slack.fake.called("chat.postMessage") and "user" not in announced  # everyone sees it
    assert announced["channel"] == "C0EGARBEIT" and "HF2-04" in announced["text"]
    await slack.command(KOORDINATION, "empfehlung HF2-04")
    personal = (await slack.posted(2))[1]
    assert personal["user"] == KOORDINATION and "HF2-04" in personal["text"]  # ephemeral


async def test_slash_command_in_the_direct_message_starts_a_conversation_there(slack: SlackBot) -> None:
    await slack.command(TESTMANN, "einstellungen", channel="D0TSTMN10", channel_name="directmessage")
    [first] = await slack.posted(1)
    assert first["channel"] == "D0TSTMN10" and "user" not in first and "(1/4)" in first["text"]
    await slack.say(TESTMANN, "2")  # the DM's next message answers the conversation
    assert "(2/4)" in (await slack.posted(2, "D0TSTMN10"))[1]["text"]


async def test_a_message_to_a_person_opens_the_direct_message_first(slack: SlackBot) -> None:
    from bot.core.events import ChannelRef, OutgoingMessage
    from bot.core.outbox_rows import to_row
    from storage.models import utcnow

    def enqueue() -> None:
        with slack.app.uow_factory() as uow:
            uow.session.add(to_row(OutgoingMessage(ChannelRef("slack", "", direct=True), {"slack": "Hallo"},
                                                   to_person=TESTMANN), "txn-dm-1", utcnow()))
            uow.commit()

    await slack.app.run_sync(enqueue)
    await slack.app.workers["slack"].flush()
    [opened] = slack.fake.called("conversations.open")
    assert opened.params["users"] == TESTMANN
    [hello] = await slack.posted(1)
    assert hello["channel"] == "D0TSTMN10" and hello["text"] == "Hallo"
    with slack.app.uow_factory() as uow:  # remembered: the next message needs no conversations.open
        assert uow.people.identity("slack", TESTMANN).dm_channel == "D0TSTMN10"


async def test_slack_can_verify_the_events_url(slack: SlackBot) -> None:
    """Slack checks a newly entered Request URL with a signed challenge."""
    status, body = await slack.post(json.dumps({"token": "legacy", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3g",
                                                "type": "url_verification"}), "application/json")
    assert status == 200 and "3eZbrw1aBm2rZgRNFdxV2595E9CY3g" in body
