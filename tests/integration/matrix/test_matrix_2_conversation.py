"""A multi-step conversation in an encrypted direct room: polls answer (encrypted, issue #14), edits correct."""
from __future__ import annotations

import pytest
from conftest import BOT
from helpers_matrix import bot_message
from helpers_polls import bot_poll, vote

from storage.models import Person

pytestmark = pytest.mark.matrix


async def test_settings_in_an_encrypted_dm_answered_by_poll_and_corrected_by_edit(bot, member_factory) -> None:  # type: ignore[no-untyped-def]
    async with member_factory("musterfrau") as m:
        room = await m.create_room(invite=[BOT], direct=True, encrypted=True)
        await m.wait_joined(room, BOT)
        mark = m.mark()
        start = await m.say(room, "einstellungen")
        language = await m.wait_for(bot_message(room, start, "(1/4)"), mark)
        assert language.event.decrypted and language.content["msgtype"] == "m.notice"
        assert "1) Deutsch" in language.body and "2) English" in language.body
        # the bot offers the choices as an (encrypted) poll after its question
        language_poll = await m.wait_for(bot_poll(room, "(1/4)"), mark)
        assert language_poll.event.decrypted

        await vote(m, room, language_poll, "English")
        await m.wait_for(bot_message(room, contains="(2/4)"), mark)

        typo = await m.say(room, "Europe/Viena")
        await m.wait_for(bot_message(room, typo, "Europe/Viena"), mark)  # not a time zone: step stays open
        await m.edit(room, typo, "Europe/Vienna")  # the correction answers the open step
        consent = await m.wait_for(bot_message(room, contains="(3/4)"), mark)
        consent_poll = await m.wait_for(bot_poll(room, "(3/4)"), mark)

        # an edit of an answer already taken changes nothing
        await m.edit(room, typo, "Asia/Tokyo")
        await vote(m, room, language_poll, "Deutsch")  # a vote on an old question: no answer
        await vote(m, room, consent_poll, "no")  # English from the language step on
        summary = await m.wait_for(bot_message(room, contains="(4/4)"), mark)
        assert "Europe/Vienna" in summary.body and "Asia/Tokyo" not in summary.body
        assert "Language: English" in summary.body
        between = [s.body for s in m.after(mark, room, BOT, "m.room.message")
                   if s.event_id not in (consent.event_id, summary.event_id)
                   and m.seen.index(s) > m.seen.index(consent)]
        # neither the late edit nor the old vote was taken as an answer; the vote is told so (in the
        # language chosen in the conversation), the edit changes nothing
        assert between == ["This poll has ended; your vote was not counted."], between

        done = await m.say(room, "yes")
        await m.wait_for(bot_message(room, done), mark)
        questions = [s.body.split("\n")[0] for s in m.after(mark, room, BOT, "m.room.message")]
        assert sum("(4/4)" in q for q in questions) == 1, questions  # nothing asked twice

    with bot.uow() as uow:
        person = uow.session.query(Person).filter_by(handle="musterfrau").one()
        assert (person.locale, person.timezone, person.publication_consent) == ("en", "Europe/Vienna", False)
