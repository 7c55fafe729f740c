"""A multi-step conversation in an encrypted direct room: reactions answer, edits correct."""
from __future__ import annotations

import pytest
from conftest import BOT
from helpers_matrix import bot_message, bot_reaction

from storage.models import Person

pytestmark = pytest.mark.matrix
ONE, TWO = "1\ufe0f\u20e3", "2\ufe0f\u20e3"


async def test_settings_in_an_encrypted_dm_answered_by_reaction_and_corrected_by_edit(bot, member_factory) -> None:  # type: ignore[no-untyped-def]
    async with member_factory("musterfrau") as m:
        room = await m.create_room(invite=[BOT], direct=True, encrypted=True)
        await m.wait_joined(room, BOT)
        mark = m.mark()
        start = await m.say(room, "einstellungen")
        language = await m.wait_for(bot_message(room, start, "(1/4)"), mark)
        assert language.event.decrypted and language.content["msgtype"] == "m.notice"
        assert "1) Deutsch" in language.body and "2) English" in language.body
        # the bot offers the choices as reactions on its question
        await m.wait_for(bot_reaction(room, language.event_id, ONE), mark)
        await m.wait_for(bot_reaction(room, language.event_id, TWO), mark)

        await m.react(room, language.event_id, TWO)  # English
        await m.wait_for(bot_message(room, contains="(2/4)"), mark)

        typo = await m.say(room, "Europe/Viena")
        await m.wait_for(bot_message(room, typo, "Europe/Viena"), mark)  # not a time zone: step stays open
        await m.edit(room, typo, "Europe/Vienna")  # the correction answers the open step
        consent = await m.wait_for(bot_message(room, contains="(3/4)"), mark)
        await m.wait_for(bot_reaction(room, consent.event_id, TWO), mark)

        # an edit of an answer already taken changes nothing
        await m.edit(room, typo, "Asia/Tokyo")
        await m.react(room, language.event_id, ONE)  # a reaction to an old question: no answer
        await m.react(room, consent.event_id, TWO)  # no
        summary = await m.wait_for(bot_message(room, contains="(4/4)"), mark)
        assert "Europe/Vienna" in summary.body and "Asia/Tokyo" not in summary.body
        assert "en" in summary.body
        between = [s.body for s in m.after(mark, room, BOT, "m.room.message")
                   if s.event_id not in (consent.event_id, summary.event_id)
                   and m.seen.index(s) > m.seen.index(consent)]
        assert between == [], between  # neither the late edit nor the old reaction was taken as an answer

        done = await m.say(room, "ja")
        await m.wait_for(bot_message(room, done), mark)
        questions = [s.body.split("\n")[0] for s in m.after(mark, room, BOT, "m.room.message")]
        assert sum("(4/4)" in q for q in questions) == 1, questions  # nothing asked twice

    with bot.uow() as uow:
        person = uow.session.query(Person).filter_by(handle="musterfrau").one()
        assert (person.locale, person.timezone, person.publication_consent) == ("en", "Europe/Vienna", False)
