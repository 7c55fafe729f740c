"""Attachments on Matrix: a digest's chart arrives as an encrypted m.image that Element can show,
with its width, height and an encrypted thumbnail (issue #14: Element reserves the space, the
timeline does not jump)."""
from __future__ import annotations

import io

import pytest
from conftest import BOT
from helpers_matrix import bot_message
from nio.crypto.attachments import decrypt_attachment
from PIL import Image

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

        info = image.content["info"]
        with Image.open(io.BytesIO(plain)) as png:
            assert (info["w"], info["h"]) == png.size and info["size"] == len(plain)
        thumb = info["thumbnail_file"]  # encrypted like the image; no plaintext URL beside it
        assert "thumbnail_url" not in info and "url" not in image.content
        got = await m.client.download(thumb["url"])
        small = decrypt_attachment(got.body, thumb["key"]["k"], thumb["hashes"]["sha256"], thumb["iv"])
        with Image.open(io.BytesIO(small)) as png:
            assert png.size == (info["thumbnail_info"]["w"], info["thumbnail_info"]["h"])
            assert png.width <= 800 and png.height <= 600 and png.width <= info["w"]
        assert info["thumbnail_info"]["mimetype"] == "image/png" and info["thumbnail_info"]["size"] == len(small)


async def test_in_an_unencrypted_room_the_image_and_its_thumbnail_are_plain_media(bot, member_factory) -> None:  # type: ignore[no-untyped-def]
    async with member_factory("testmann") as m:
        room = await m.create_room(invite=[BOT])  # a room without encryption
        await m.wait_joined(room, BOT)
        mark = m.mark()
        await m.say(room, "!s digest HF2")
        image = await m.wait_for(lambda s: s.room_id == room and s.sender == BOT and s.type == "m.room.message"
                                 and s.content.get("msgtype") == "m.image", mark)
        info = image.content["info"]
        assert "file" not in image.content and "thumbnail_file" not in info
        full = (await m.client.download(image.content["url"])).body
        with Image.open(io.BytesIO(full)) as png:
            assert (info["w"], info["h"]) == png.size
        thumb = (await m.client.download(info["thumbnail_url"])).body
        with Image.open(io.BytesIO(thumb)) as png:
            assert png.size == (info["thumbnail_info"]["w"], info["thumbnail_info"]["h"]) and png.width <= 800
