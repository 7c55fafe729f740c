"""Attachments on Matrix: a digest's chart arrives as an encrypted m.image that Element can show."""
from __future__ import annotations

import pytest
from conftest import BOT
from helpers_matrix import bot_message
from nio.crypto.attachments import decrypt_attachment

pytestmark = pytest.mark.matrix


async def test_a_digest_chart_arrives_as_an_encrypted_image(bot, member_factory) -> None:  # type: ignore[no-untyped-def]
    async with member_factory("testmann") as m:
        room = await m.create_room(invite=[BOT], direct=True, encrypted=True)
        await m.wait_joined(room, BOT)
        mark = m.mark()
        await m.say(room, "digest HF2")
        digest = await m.wait_for(bot_message(room, "", "Digest"), mark)
        assert "Nach Handlungsfeld" in digest.body
        image = await m.wait_for(lambda s: s.room_id == room and s.sender == BOT and s.type == "m.room.message"
                                 and s.content.get("msgtype") == "m.image", mark)
        file = image.content["file"]  # encrypted room: the file is encrypted, its keys travel in the event
        assert image.event.decrypted and image.content["info"]["mimetype"] == "image/png"
        downloaded = await m.client.download(file["url"])
        plain = decrypt_attachment(downloaded.body, file["key"]["k"], file["hashes"]["sha256"], file["iv"])
        assert plain[:8] == b"\x89PNG\r\n\x1a\n"
