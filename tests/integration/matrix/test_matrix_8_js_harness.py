"""The js-sdk client harness itself (tests/js/client.mjs): two people on Element's crypto stack
talk in an encrypted DM, so a failing bot test is about the bot, not the harness."""
from __future__ import annotations

import pytest
from conftest import PASSWORD

from tests.helpers.js_client import JsClient
from tests.helpers.synapse import SERVER_NAME, Synapse

pytestmark = pytest.mark.matrix


async def test_two_js_sdk_users_talk_encrypted(synapse: Synapse, tmp_path) -> None:  # type: ignore[no-untyped-def]
    alice, bob = f"@musterfrau:{SERVER_NAME}", f"@beispiel:{SERVER_NAME}"
    async with JsClient(synapse.url, alice, PASSWORD.format("musterfrau"), log_path=tmp_path / "a.log") as a, \
            JsClient(synapse.url, bob, PASSWORD.format("beispiel"), log_path=tmp_path / "b.log") as b:
        room = await a.create_dm(bob)
        joined = await b.wait_event(room_id=room, sender=alice, type_="m.room.member", timeout=30)
        assert joined["room_id"] == room
        assert await a.encrypted_room(room)
        sent = await a.send_text(room, "Hallo, verschlüsselt")
        got = await b.wait_event(room_id=room, sender=alice, type_="m.room.message", timeout=30)
        assert got["event_id"] == sent and got["encrypted"] and got["decrypted"], got
        assert got["content"]["body"] == "Hallo, verschlüsselt"
        edit = await a.send_edit(room, sent, "Hallo, korrigiert")
        got = await b.wait_event(room_id=room, sender=alice, contains="korrigiert", timeout=30)
        assert got["event_id"] == edit and got["content"]["m.new_content"]["body"] == "Hallo, korrigiert"
