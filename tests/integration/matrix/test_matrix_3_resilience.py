"""What must not go wrong: bad input, a killed bot, a homeserver that goes away (30 s, issue #9).

Runs after the other Matrix tests (file order), as it kills and restarts the shared
bot and homeserver.
"""
from __future__ import annotations

import asyncio
import json
import os
import signal

import pytest
from conftest import BOT
from helpers_matrix import bot_message

from storage.models import AuditEntry, OutboxMessage, Recommendation

pytestmark = pytest.mark.matrix


def _state(bot) -> dict:  # type: ignore[no-untyped-def]
    with bot.uow() as uow:
        audit = uow.session.query(AuditEntry).count()
        items = {r.code: (r.status, r.progress) for r in uow.session.query(Recommendation).all()}
    return {"audit": audit, "items": items}


async def test_oversized_and_malformed_commands_get_a_polite_answer_and_change_nothing(bot, member_factory) -> None:  # type: ignore[no-untyped-def]
    async with member_factory("koordination") as k:  # a coordinator: well-formed, these would change things
        room = await k.create_room(invite=[BOT])
        await k.wait_joined(room, BOT)
        before = _state(bot)
        mark = k.mark()
        # 100 kB is more than any Matrix event may carry: the homeserver itself refuses it
        with pytest.raises(AssertionError, match="M_TOO_LARGE"):
            await k.say(room, "!s status HF2-04 verzögert " + "x" * 100_000)
        # the largest message the homeserver passes on is still far over the bot's limit
        big = await k.say(room, "!s status HF2-04 verzögert " + "x" * 60_000)
        answer = await k.wait_for(bot_message(room, big), mark)
        assert "zu lang" in answer.body and "nichts geändert" in answer.body, answer.body
        malformed = ["!s status HF2-04 kaputt", "!s fortschritt HF2-04 viel", "!s fortschritt HF9-99 50 %",
                     "!s empfehlung", "!s liste feld:", "!s ¿¿ 💥 <b>fett</b> &amp;", "!s status"]
        for text in malformed:
            asked = await k.say(room, text)
            answer = await k.wait_for(bot_message(room, asked), mark)
            assert answer.body.strip() and "Traceback" not in answer.body, (text, answer.body)
            assert "Entschuldigung" not in answer.body, (text, answer.body)  # not a crash apology
        escaped = k.after(mark, room, BOT, "m.room.message")[-2]
        assert "<b>fett</b>" not in escaped.content.get("formatted_body", "")  # escaped, not rendered
        assert _state(bot) == before


async def test_bot_killed_mid_conversation_continues_at_the_same_step_and_answers_once(bot, member_factory) -> None:  # type: ignore[no-untyped-def]
    state_file = bot.dir / "matrix-store" / "sachstand-state.json"
    device = json.loads(state_file.read_text())["credentials"]["device_id"]
    async with member_factory("beispiel") as m:
        room = await m.create_room(invite=[BOT], direct=True, encrypted=True)
        await m.wait_joined(room, BOT)
        mark = m.mark()
        await m.say(room, "einstellungen")
        await m.wait_for(bot_message(room, contains="(1/4)"), mark)
        await m.say(room, "1")
        await m.wait_for(bot_message(room, contains="(2/4)"), mark)

        answer = await m.say(room, "Europe/Berlin")
        bot.kill()  # SIGKILL, wherever it is: before, during or after handling that answer
        bot.start()
        consent = await m.wait_for(bot_message(room, answer, "(3/4)"), mark)
        assert consent.event.decrypted  # same device, same keys after the restart
        sentinel = await m.say(room, "hilfe")  # answers come in order: a repeat would come before this
        await m.wait_for(bot_message(room, sentinel), mark)

        bodies = [s.body.split("\n")[0] for s in m.after(mark, room, BOT, "m.room.message")]
        for step in ("(1/4)", "(2/4)", "(3/4)"):
            assert sum(step in b for b in bodies) == 1, bodies
        replies = [s for s in m.after(mark, room, BOT, "m.room.message")
                   if s.content.get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id") == answer]
        assert len(replies) == 1
    assert json.loads(state_file.read_text())["credentials"]["device_id"] == device  # no new device


async def test_homeserver_down_for_30_seconds_every_answer_arrives_exactly_once(bot, synapse, member_factory) -> None:  # type: ignore[no-untyped-def]
    async with member_factory("testmann") as m:
        room = await m.create_room(invite=[BOT])
        await m.wait_joined(room, BOT)
        mark = m.mark()
        hello = await m.say(room, "!s hilfe")  # before the outage: the bot knows the room now
        await m.wait_for(bot_message(room, hello), mark)
        await asyncio.sleep(1)  # the bot is back in its long-poll sync

        # Freeze the bot, let five commands reach it (its pending sync answers with them),
        # take the homeserver away, thaw the bot: it has five answers to send and nowhere to go.
        failures = bot.log_text().count("delivery of outbox row")
        os.kill(bot.proc.pid, signal.SIGSTOP)
        try:
            asked = [await m.say(room, f"!s feld HF{i}") for i in range(1, 6)]
            await asyncio.sleep(2)  # the homeserver writes the sync answer to the bot's socket
            synapse.stop()
        finally:
            os.kill(bot.proc.pid, signal.SIGCONT)
        await asyncio.to_thread(bot.wait_for_log, "delivery of outbox row", failures + 1)  # tried, failed, kept
        await asyncio.to_thread(bot.wait_healthy, False)  # /healthz: 503 …
        health = bot.health()
        assert health is not None and health["transports"] == {"matrix": False}  # … because Matrix is away
        assert health["database"] is True
        await asyncio.sleep(30)  # the outage: the bot keeps its five answers and keeps trying
        synapse.start()
        await asyncio.to_thread(bot.wait_healthy, True)  # recovered by itself
        health = bot.health()
        assert health is not None and health["transports"] == {"matrix": True}
        for event_id in asked:
            await m.wait_for(bot_message(room, event_id), mark)
        after = await m.say(room, "!s feld HF6")  # after the outage: answered like any other
        await m.wait_for(bot_message(room, after), mark)
        sentinel = await m.say(room, "!s wer bin ich")  # answers come in order: repeats would come first
        await m.wait_for(bot_message(room, sentinel), mark)
        answers = _answers(m, mark, room, [hello, *asked, after])
        assert [len(a) for a in answers] == [1] * 7, answers  # each exactly once
        assert [f"HF{i}" in a[0] for i, a in enumerate(answers[1:], start=1)] == [True] * 6
        seen = [s.content.get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id")
                for s in m.after(mark, room, BOT, "m.room.message")]
        assert [e for e in seen if e in asked] == asked  # in the order they were asked

        # A crash between "the homeserver took it" and "marked as sent": every answer goes out
        # again after a restart, with the same transaction id, and the homeserver drops the repeat.
        with bot.uow() as uow:
            rows = uow.session.query(OutboxMessage).filter(OutboxMessage.channel_id == room).all()
            assert len(rows) == 8
            for row in rows:
                row.state = "pending"
            uow.commit()
        bot.kill()
        bot.start()
        sentinel = await m.say(room, "!s wer bin ich")
        await m.wait_for(bot_message(room, sentinel), mark)
        assert _answers(m, mark, room, [hello, *asked, after]) == answers
        with bot.uow() as uow:
            assert uow.session.query(OutboxMessage).filter_by(state="pending").count() == 0


def _answers(m, mark: int, room: str, asked: list[str]) -> list[list[str]]:  # type: ignore[no-untyped-def]
    """The bot's answers to each asked event, in the order they arrived."""
    seen = m.after(mark, room, BOT, "m.room.message")
    return [[s.body for s in seen if s.content.get("m.relates_to", {}).get("m.in_reply_to", {})
             .get("event_id") == event_id] for event_id in asked]


async def test_a_new_device_answers_nothing_from_before_it_existed(bot, member_factory) -> None:  # type: ignore[no-untyped-def]
    async with member_factory("testmann") as m:
        room = await m.create_room(invite=[BOT])
        await m.wait_joined(room, BOT)
        assert bot.stop() == 0  # SIGTERM: a clean shutdown
        mark = m.mark()
        old = await m.say(room, "!s hilfe")  # said while the bot is away
        # The bot loses its state file: it logs in as a new device and has no sync token.
        (bot.dir / "matrix-store" / "sachstand-state.json").unlink()
        bot.start()
        sentinel = await m.say(room, "!s wer bin ich")
        await m.wait_for(bot_message(room, sentinel), mark)
        assert not [s for s in m.after(mark, room, BOT, "m.room.message")
                    if s.content.get("m.relates_to", {}).get("m.in_reply_to", {}).get("event_id") == old]


async def test_a_revoked_access_token_makes_the_bot_log_in_again_by_itself(bot, synapse, member_factory) -> None:  # type: ignore[no-untyped-def]
    import urllib.request

    state_file = bot.dir / "matrix-store" / "sachstand-state.json"
    old = json.loads(state_file.read_text())["credentials"]
    request = urllib.request.Request(f"{synapse.url}/_matrix/client/v3/logout", data=b"{}", method="POST",
                                     headers={"Authorization": f"Bearer {old['access_token']}",
                                              "Content-Type": "application/json"})
    await asyncio.to_thread(urllib.request.urlopen, request)  # e.g. an admin ended the bot's session
    async with member_factory("testmann") as m:
        room = await m.create_room(invite=[BOT])
        await m.wait_joined(room, BOT)
        mark = m.mark()
        asked = await m.say(room, "!s wer bin ich")
        await m.wait_for(bot_message(room, asked), mark)
    assert json.loads(state_file.read_text())["credentials"]["device_id"] != old["device_id"]
