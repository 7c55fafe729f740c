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
        reply = await b.send_event(room, "m.room.message", {"msgtype": "m.text", "body": "Antwort",
                                                            "m.relates_to": {"m.in_reply_to": {"event_id": sent}}})
        got = await a.wait_event(room_id=room, reply_to=sent, timeout=30)
        assert got["event_id"] == reply
        reaction = await b.send_reaction(room, sent, "👍")
        got = await a.wait_event(room_id=room, type_="m.reaction", timeout=30)
        # Element (js-sdk) sends reactions in the clear even in encrypted rooms: the key is readable
        assert got["event_id"] == reaction and not got["encrypted"] and got["content"]["m.relates_to"]["key"] == "👍"
        seen = {e["event_id"] for e in await a.history(room_id=room, sender=bob)}
        assert {reply, reaction} <= seen
        # both users cross-signed themselves at login, as Element does
        keys = await a.keys_query(bob)
        assert keys["master_keys"][bob]["usage"] == ["master"]
        assert b.device_id in keys["device_keys"][bob]


async def test_a_second_login_is_the_same_identity_and_may_send_in_strict_mode(synapse: Synapse, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """As a person's second Element device that was verified: no identity reset, so sending in
    "exclude insecure devices" mode works (a reset would leave it "not verified")."""
    alice, bob = f"@musterfrau:{SERVER_NAME}", f"@beispiel:{SERVER_NAME}"
    async with JsClient(synapse.url, alice, PASSWORD.format("musterfrau"), log_path=tmp_path / "a1.log") as first:
        master = (await first.keys_query(alice))["master_keys"][alice]["keys"]
    async with JsClient(synapse.url, alice, PASSWORD.format("musterfrau"), isolation="only_signed",
                        log_path=tmp_path / "a2.log") as a, \
            JsClient(synapse.url, bob, PASSWORD.format("beispiel"), log_path=tmp_path / "b.log") as b:
        assert (await a.keys_query(alice))["master_keys"][alice]["keys"] == master
        assert (await a.device_status(alice))["devices"][a.device_id]["cross_signing_verified"]
        room = await a.create_dm(bob)
        await a.wait_event(room_id=room, sender=bob, type_="m.room.member", timeout=30)
        sent = await a.send_text(room, "zweites Gerät")
        got = await b.wait_event(room_id=room, sender=alice, type_="m.room.message", timeout=30)
        assert got["event_id"] == sent and got["decrypted"]
