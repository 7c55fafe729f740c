"""Rooms and direct messages on a real Synapse: invitations, help, roles, bad input."""
from __future__ import annotations

import asyncio

import pytest
from conftest import BOT
from helpers_matrix import bot_message

pytestmark = pytest.mark.matrix


async def test_invited_by_a_member_the_bot_joins_and_answers_help_in_the_room(bot, member_factory) -> None:  # type: ignore[no-untyped-def]
    async with member_factory("testmann") as m:
        room = await m.create_room(invite=[BOT])
        await m.wait_joined(room, BOT)
        mark = m.mark()
        asked = await m.say(room, "!sachstand hilfe")
        answer = await m.wait_for(bot_message(room, asked), mark)
        assert answer.content["msgtype"] == "m.notice"
        assert "Sachstand – Befehle" in answer.body
        assert answer.content["format"] == "org.matrix.custom.html"
        assert "<" in answer.content["formatted_body"]
        # the short alias works too; chatter without prefix or mention is not for the bot
        await m.say(room, "Guten Morgen zusammen")
        asked = await m.say(room, "!s wer bin ich")
        answer = await m.wait_for(bot_message(room, asked), mark)
        assert "Paul Testmann" in answer.body
        replies = [s for s in m.after(mark, room, BOT, "m.room.message")]
        assert len(replies) == 2, [r.body[:60] for r in replies]


async def test_help_in_an_encrypted_direct_message_needs_no_prefix(bot, member_factory) -> None:  # type: ignore[no-untyped-def]
    async with member_factory("ersatz") as m:
        room = await m.create_room(invite=[BOT], direct=True, encrypted=True)
        await m.wait_joined(room, BOT)
        mark = m.mark()
        asked = await m.say(room, "help")
        answer = await m.wait_for(bot_message(room, asked), mark)
        assert answer.event.decrypted  # it travelled encrypted
        assert "Sachstand" in answer.body and "help" in answer.body  # ersatz reads English


async def test_invitation_from_someone_not_allowed_is_rejected(bot, member_factory) -> None:  # type: ignore[no-untyped-def]
    async with member_factory("fremd") as m:
        room = await m.create_room(invite=[BOT])
        left = await m.wait_for(lambda s: s.room_id == room and s.type == "m.room.member"
                                and s.source.get("state_key") == BOT
                                and s.content.get("membership") == "leave")
        assert left.sender == BOT  # the bot declined the invitation itself


async def test_coordinator_command_works_for_the_coordinator_and_is_refused_for_a_member(bot, member_factory) -> None:  # type: ignore[no-untyped-def]
    async with member_factory("koordination") as k, member_factory("testmann") as t:
        room = await k.create_room(invite=[BOT, t.user_id])
        await k.wait_joined(room, BOT)
        await t.client.join(room)
        await k.wait_joined(room, t.user_id)
        mark = k.mark()
        asked = await k.say(room, "!sachstand protokoll")
        answer = await k.wait_for(bot_message(room, asked), mark)
        assert "Änderungsprotokoll" in answer.body or "Protokoll" in answer.body, answer.body
        asked = await t.say(room, f"{BOT}: protokoll")
        refusal = await k.wait_for(bot_message(room, asked), mark)
        assert "Koordination" in refusal.body, refusal.body


async def test_a_bodys_room_is_addressed_by_its_alias_from_the_catalog(bot, member_factory) -> None:  # type: ignore[no-untyped-def]
    from storage.models import BodyRoom, OutboxMessage

    alias = "#koeln-eg-arbeit-wirtschaft:koeln.example"
    with bot.uow() as uow:
        assert uow.session.query(BodyRoom).filter_by(transport="matrix", room_id=alias).count() == 1
    async with member_factory("koordination") as k:
        resp = await k.client.room_create(alias="koeln-eg-arbeit-wirtschaft", invite=[BOT])
        room = resp.room_id
        await k.wait_joined(room, BOT)
        mark = k.mark()
        asked = await k.say(room, "!s wer bin ich")  # the core sees the alias; the answer finds the room
        answer = await k.wait_for(bot_message(room, asked), mark)
        assert "Interkulturelles Referat" in answer.body
        # the core addressed the body's room by its catalog alias (the outbox row is marked sent once
        # the transport's send returns, which may be just after the member sees the message)
        for _ in range(100):
            with bot.uow() as uow:
                if uow.session.query(OutboxMessage).filter_by(channel_id=alias, remote_id=answer.event_id).count():
                    break
            await asyncio.sleep(0.1)
    with bot.uow() as uow:
        assert uow.session.query(OutboxMessage).filter_by(channel_id=alias, remote_id=answer.event_id).count() == 1


def _queue_direct_message(bot, handle: str, text: str, forget_room: bool = False) -> None:  # type: ignore[no-untyped-def]
    """What a reminder does: the core writes a DM to a person into the outbox."""
    from bot.app import App
    from bot.config import load_settings
    from bot.core.events import ChannelRef
    from bot.jobs import system_context

    app = App(load_settings(bot.config))
    try:
        with app.uow_factory() as uow:
            person = uow.people.by_handle(handle)
            if forget_room:  # make the bot look the room up in m.direct
                for identity in person.identities:
                    identity.dm_channel = None
            ctx = system_context(app.services, uow, ChannelRef("matrix", "!elsewhere:koeln.example"), None)
            ctx.send_to_person(person, "notice", text=text)
            uow.commit()
    finally:
        app.engine.dispose()


async def test_the_bot_opens_an_encrypted_direct_room_once_and_then_reuses_it(bot, member_factory) -> None:  # type: ignore[no-untyped-def]
    async with member_factory("koordination") as k:
        room = await k.create_room(invite=[BOT])
        await k.wait_joined(room, BOT)
        mark = k.mark()
        _queue_direct_message(bot, "koordination", "Erinnerung eins")
        poke = await k.say(room, "!s wer bin ich")  # any event makes the bot flush its outbox now
        await k.wait_for(bot_message(room, poke), mark)
        first = await k.wait_for(lambda s: s.sender == BOT and "Erinnerung eins" in s.body, mark)
        assert first.room_id != room and first.event.decrypted  # a new direct room, encrypted
        invite = await k.wait_for(lambda s: s.room_id == first.room_id and s.type == "m.room.member"
                                  and s.source.get("state_key") == k.user_id)
        assert invite.sender == BOT

        _queue_direct_message(bot, "koordination", "Erinnerung zwei", forget_room=True)
        poke = await k.say(room, "!s wer bin ich")
        await k.wait_for(bot_message(room, poke), mark)
        second = await k.wait_for(lambda s: s.sender == BOT and "Erinnerung zwei" in s.body, mark)
        assert second.room_id == first.room_id  # found again through m.direct, not a second room
