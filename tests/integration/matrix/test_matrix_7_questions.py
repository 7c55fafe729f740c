"""A question from the public page on a real Synapse (issue #8): posted through the bot's own web
form, it arrives in the office's room (the catalog's alias of GF) and in EG2's, markup shown as
text in the HTML body, with the moderation choices as reactions; the office answers with a
command and publishes with a reaction; the page then shows question and answer as text."""
from __future__ import annotations

import re

import aiohttp
import pytest
from conftest import BOT
from helpers_matrix import bot_message, bot_reaction
from nio import RoomResolveAliasResponse
from test_matrix_6_meetings import _eg2_room, _in_room

pytestmark = pytest.mark.matrix
OFFICE_ALIAS = "#koeln-geschaeftsfuehrung:koeln.example"  # GF's room in examples/koeln.yaml
KEYCAPS = [f"{n}\ufe0f\u20e3" for n in range(1, 4)]
EVIL = "Abends? <script>alert(1)</script> <b>fett</b> & <a href='https://evil.example'>Link</a>"


async def _office_room(k) -> str:  # type: ignore[no-untyped-def]
    resolved = await k.client.room_resolve_alias(OFFICE_ALIAS)
    if isinstance(resolved, RoomResolveAliasResponse):
        room = resolved.room_id
        await k.client.join(room)
    else:
        room = (await k.client.room_create(alias="koeln-geschaeftsfuehrung", invite=[BOT])).room_id
    await _in_room(k, room, BOT)
    return room


async def test_a_public_question_is_moderated_by_reaction_on_matrix(bot, member_factory) -> None:  # type: ignore[no-untyped-def]
    base = f"http://127.0.0.1:{bot.web_port}/"
    async with member_factory("koordination") as k:
        office = await _office_room(k)
        eg2 = await _eg2_room(k, [])
        mark = k.mark()
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            async with http.get(base + "empfehlungen/HF2-04.html") as resp:
                token = re.search(r'name="token" value="([^"]*)"', await resp.text())[1]  # type: ignore[index]
            form = {"token": token, "empfehlung": "HF2-04", "text": EVIL, "consent": "1", "website": ""}
            async with http.post(base + "fragen", data=form, allow_redirects=False) as resp:
                assert resp.status == 303

            arrived = await k.wait_for(bot_message(office, contains="Neue Frage"), mark)
            await k.wait_for(bot_message(eg2, contains="Neue Frage"), mark)  # the responsible body's room
            number = int(re.search(r"Neue Frage (\d+)", arrived.body)[1])  # type: ignore[index]
            html = arrived.content["formatted_body"]
            assert "&lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;fett&lt;/b&gt; &amp; &lt;a href=" in html
            assert "<script" not in html and "<b>fett" not in html and "<a href='https://evil" not in html
            assert EVIL in arrived.body and "HF2-04" in arrived.body
            for key in KEYCAPS:  # publish, forward, reject
                await k.wait_for(bot_reaction(office, arrived.event_id, key))

            asked = await k.say(office, f"!s frage antworten {number} Ja, ab März.")
            preview = await k.wait_for(bot_message(office, asked, "bereit zur Veröffentlichung"), mark)
            for key in KEYCAPS:  # the bot maps reactions once it has offered them all
                await k.wait_for(bot_reaction(office, preview.event_id, key))
            async with http.get(base + "empfehlungen/HF2-04.html") as resp:
                assert "Ja, ab März." not in await resp.text()  # nothing public before the reaction
            await k.react(office, preview.event_id, KEYCAPS[0])  # 1️⃣ = publish
            await k.wait_for(bot_message(office, contains="mit ihrer Antwort veröffentlicht"), mark)
            async with http.get(base + "empfehlungen/HF2-04.html") as resp:
                page = await resp.text()
    assert "Abends? &lt;script&gt;alert(1)&lt;/script&gt; &lt;b&gt;fett&lt;/b&gt;" in page and "Ja, ab März." in page
