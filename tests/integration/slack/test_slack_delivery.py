"""Nothing lost, nothing twice: Slack's retries handled once; 429 and 5xx waited out."""
from __future__ import annotations

import json
from pathlib import Path

from bot.app import App
from tests.helpers.slack_app import KOORDINATION, TESTMANN, SlackBot, slack_settings
from tests.helpers.slack_fake import BOT_ID, BOT_USER, SlackFake, dm_event

DM = "D0TSTMN10"


async def test_an_event_delivered_three_times_is_handled_once(slack_any: SlackBot) -> None:
    event = dm_event(TESTMANN, "wer bin ich", DM)
    for retry in range(3):  # the original and Slack's two retries (X-Slack-Retry-Num 1, 2)
        status, _ = await slack_any.event(event, "Ev0DUPLICATE", retry=retry)
        assert status == 200  # every delivery is acknowledged, or Slack keeps retrying
    own = {**dm_event(BOT_USER, "Sachstand – Befehle", DM), "bot_id": BOT_ID}  # the bot's own post
    edited = {**dm_event(TESTMANN, "hilfe", DM), "subtype": "message_changed"}
    for n, ignored in enumerate((own, edited)):
        assert (await slack_any.event(ignored, f"Ev0IGNORED{n}"))[0] == 200
    await slack_any.say(TESTMANN, "hilfe", event_id="Ev0SENTINEL")  # handled after all of these
    texts = [m["text"] for m in await slack_any.posted(2, DM)]
    assert len(texts) == 2, texts  # one answer to the thrice-delivered event, one to the sentinel
    assert "testmann" in texts[0].lower() and "Befehle" in texts[1]


async def test_rate_limit_is_waited_out_and_the_message_delivered_once(slack: SlackBot) -> None:
    slack.fake.fail("chat.postMessage", status=429, retry_after=1)
    await slack.say(TESTMANN, "hilfe")
    [message] = await slack.posted(1, DM)
    attempts = slack.fake.called("chat.postMessage", ok_only=False)
    assert [a.status for a in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 1.0  # Retry-After honoured, not retried at once
    assert "Befehle" in message["text"]
    await slack.say(TESTMANN, "wer bin ich")  # the queue moves on; the first is not resent
    await slack.posted(2, DM)
    assert len([a for a in slack.fake.called("chat.postMessage") if "Befehle" in a.params["text"]]) == 1


async def test_server_error_is_retried_with_backoff(slack: SlackBot) -> None:
    slack.fake.fail("chat.postEphemeral", status=500, retry_after=None)
    await slack.command(KOORDINATION, "hilfe")
    [message] = await slack.posted(1)
    attempts = slack.fake.called("chat.postEphemeral", ok_only=False)
    assert [a.status for a in attempts] == [500, 200] and "Befehle" in message["text"]


async def test_help_over_http_and_socket_mode(slack_any: SlackBot) -> None:
    status, ack = await slack_any.command(TESTMANN, "hilfe")
    assert status == 200 and json.loads(ack or "{}") == {}  # acknowledged, nothing more
    [answer] = await slack_any.posted(1)
    assert answer["user"] == TESTMANN and "Sachstand – Befehle" in answer["text"]
    if slack_any.mode == "socket":
        assert slack_any.fake.called("apps.connections.open")
    async with slack_any.http.get(f"http://127.0.0.1:{slack_any.app.web_port}/healthz") as response:
        health = await response.json()
    assert response.status == 200 and health["transports"] == {"slack": True}


async def test_an_answer_queued_while_slack_is_down_is_sent_after_a_restart(tmp_path: Path,
                                                                            fake: SlackFake) -> None:
    settings = slack_settings(f"sqlite:///{tmp_path / 'restart.db'}", fake.api_url)
    fake.fail("chat.postMessage", status=503, retry_after=None, times=10_000)
    first = App(settings)
    await first.start()
    bot = SlackBot(first, fake, "http")
    try:
        await bot.say(TESTMANN, "hilfe")
        await fake.wait_for(lambda calls: any(c.method == "chat.postMessage" for c in calls))
    finally:
        await bot.close()
        await first.shutdown()  # Slack still down: the answer stays in the outbox
    assert not fake.called("chat.postMessage")
    fake.failures.clear()  # Slack is back
    second = App(settings)
    await second.start()
    again = SlackBot(second, fake, "http")
    try:
        [message] = await again.posted(1, DM)
        assert "Befehle" in message["text"]
        await second.workers["slack"].flush()
        assert len(fake.called("chat.postMessage")) == 1  # delivered once, after the restart
    finally:
        await again.close()
        await second.shutdown()


async def test_socket_mode_reconnects_when_slack_asks(tmp_path: Path, fake: SlackFake) -> None:
    app = App(slack_settings(f"sqlite:///{tmp_path / 'socket.db'}", fake.api_url, mode="socket"))
    await app.start()
    bot = SlackBot(app, fake, "socket")
    try:
        await fake.socket_refresh()
        assert len(fake.called("apps.connections.open")) == 2  # a fresh URL for the new connection
        await bot.command(TESTMANN, "hilfe")  # over the new connection
        [answer] = await bot.posted(1)
        assert "Befehle" in answer["text"]
    finally:
        await bot.close()
        await app.shutdown()


async def test_a_refused_message_does_not_hold_up_the_queue(slack: SlackBot) -> None:
    slack.fake.fail("chat.postMessage", status=200, error="is_archived")
    await slack.say(TESTMANN, "hilfe")  # its answer is refused for good …
    await slack.say(TESTMANN, "wer bin ich")  # … the next one still goes out
    [delivered] = await slack.posted(1, DM)
    assert "testmann" in delivered["text"].lower()
    await slack.app.workers["slack"].flush()  # the delivery is recorded after the call returns
    with slack.app.uow_factory() as uow:
        from storage.models import OutboxMessage

        states = sorted(r.state for r in uow.session.query(OutboxMessage).all())
        assert states == ["failed", "sent"]


async def test_a_command_where_the_bot_is_not_a_member_is_answered_directly(slack: SlackBot) -> None:
    slack.fake.fail("chat.postEphemeral", status=200, error="not_in_channel")
    await slack.command(TESTMANN, "hilfe", channel="C0FREMD", channel_name="fremd")
    [answer] = await slack.posted(1, DM)
    assert "Befehle" in answer["text"] and slack.fake.called("conversations.open")


async def test_a_digest_comes_with_its_chart_as_a_file(slack: SlackBot) -> None:
    await slack.say(TESTMANN, "digest HF2")
    [digest] = await slack.posted(1, DM)
    [done] = await slack.fake.wait_calls("files.completeUploadExternal")
    [chart] = done.response["files"]
    assert chart["channel"] == DM and chart["filename"].endswith(".png")
    assert slack.fake.uploads[chart["id"]].startswith(b"\x89PNG")  # the bytes arrived
    # asked for in a channel: "a digest now, here" — for the channel, chart included
    await slack.command(TESTMANN, "digest HF2")
    here = (await slack.posted(2))[1]
    assert here["channel"] == "C0EGARBEIT" and "user" not in here and here["text"] == digest["text"]
    second = (await slack.fake.wait_calls("files.completeUploadExternal", 2))[1]
    assert second.params["channel_id"] == "C0EGARBEIT"


async def test_a_file_for_one_person_in_a_channel_goes_to_their_direct_message(slack: SlackBot) -> None:
    from bot.core.events import Attachment, ChannelRef, OutgoingMessage
    from bot.core.outbox_rows import to_row
    from storage.models import utcnow

    message = OutgoingMessage(ChannelRef("slack", "C0EGARBEIT"), {"slack": "Nur für Sie"}, to_person=TESTMANN,
                              ephemeral=True, attachments=[Attachment("chart.png", "image/png", b"\x89PNG1")])

    def enqueue() -> None:
        with slack.app.uow_factory() as uow:
            uow.session.add(to_row(message, "txn-file-1", utcnow()))
            uow.commit()

    await slack.app.run_sync(enqueue)
    await slack.app.workers["slack"].flush()
    [text] = slack.fake.called("chat.postEphemeral")
    assert text.params["channel"] == "C0EGARBEIT" and text.params["user"] == TESTMANN
    [upload] = slack.fake.called("files.completeUploadExternal")
    assert upload.params["channel_id"] == DM  # files cannot be ephemeral
