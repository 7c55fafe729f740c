"""Element's view of the bot: a js-sdk 43 user (Element Web's Rust crypto) in an encrypted DM.

In "exclude insecure devices" mode (OnlySignedDeviceIsolationMode, Element's default from
April 2026) the js-sdk neither sends room keys to a device its owner has not cross-signed
nor decrypts what such a device sends (UNSIGNED_SENDER_DEVICE). The bot cross-signs its
device at start, so the conversation works and its messages carry no shield.
"""
from __future__ import annotations

import pytest
from conftest import BOT, PASSWORD

from tests.helpers.js_client import JsClient
from tests.helpers.synapse import SERVER_NAME, Synapse

pytestmark = pytest.mark.matrix


async def _dm_with_bot(user: JsClient) -> str:
    room = await user.create_dm(BOT)
    await user.wait_event(room_id=room, sender=BOT, type_="m.room.member", timeout=60)
    return room


async def test_shield_in_default_mode(bot, synapse: Synapse, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with JsClient(synapse.url, f"@beispiel:{SERVER_NAME}", PASSWORD.format("beispiel"),
                        log_path=tmp_path / "js.log") as user:
        room = await _dm_with_bot(user)
        await user.send_text(room, "hilfe")
        answer = await user.wait_event(room_id=room, sender=BOT, type_="m.room.message", timeout=60)
        print("SHIELD default mode:", answer["shield"], answer["failure"])
        assert answer["decrypted"], answer
        assert answer["shield"] == {"colour": "NONE", "reason": None}, answer["shield"]


async def test_conversation_in_exclude_insecure_devices_mode(bot, synapse: Synapse, tmp_path) -> None:  # type: ignore[no-untyped-def]
    async with JsClient(synapse.url, f"@musterfrau:{SERVER_NAME}", PASSWORD.format("musterfrau"),
                        isolation="only_signed", log_path=tmp_path / "js.log") as user:
        room = await _dm_with_bot(user)
        await user.send_text(room, "hilfe")
        answer = await user.wait_event(room_id=room, sender=BOT, type_="m.room.message", timeout=60)
        print("SHIELD only-signed mode:", answer["shield"], answer["failure"])
        assert answer["decrypted"], answer
        assert answer["shield"] == {"colour": "NONE", "reason": None}, answer["shield"]


def _keys_query(synapse: Synapse, user: str, password: str, who: str) -> dict:  # type: ignore[type-arg]
    import json
    import urllib.request

    def post(path: str, body: dict, token: str = "") -> dict:  # type: ignore[type-arg]
        req = urllib.request.Request(f"{synapse.url}{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {token}"} if token else {})})
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.load(resp)  # type: ignore[no-any-return]

    login = post("/_matrix/client/v3/login", {"type": "m.login.password", "password": password,
                                               "identifier": {"type": "m.id.user", "user": user}})
    return post("/_matrix/client/v3/keys/query", {"device_keys": {who: []}}, login["access_token"])


def test_keys_query_shows_the_bot_cross_signed(bot, synapse: Synapse) -> None:  # type: ignore[no-untyped-def]
    """Checked with signedjson + PyNaCl (Synapse's own implementation), not the bot's code."""
    from signedjson.key import decode_verify_key_bytes
    from signedjson.sign import verify_signed_json
    from unpaddedbase64 import decode_base64

    bot.wait_for_log("cross-signing")
    answer = _keys_query(synapse, "ersatz", PASSWORD.format("ersatz"), BOT)
    master = answer["master_keys"][BOT]
    ssk = answer["self_signing_keys"][BOT]
    assert master["usage"] == ["master"] and ssk["usage"] == ["self_signing"]

    def verify_key(obj: dict):  # type: ignore[no-untyped-def,type-arg]
        (key_id, key), = obj["keys"].items()
        return decode_verify_key_bytes(key_id, decode_base64(key))

    master_key, ssk_key = verify_key(master), verify_key(ssk)
    verify_signed_json(ssk, BOT, master_key)  # the self-signing key is the master's
    devices = answer["device_keys"][BOT]
    assert devices, answer
    for device_id, device in devices.items():  # every device of the bot: signed by the self-signing key
        device = {k: v for k, v in device.items() if k != "unsigned"}
        verify_signed_json(device, BOT, ssk_key)
        assert f"ed25519:{ssk_key.version}" in device["signatures"][BOT], device_id
    # the fingerprint people compare is in the bot's log
    fingerprint = " ".join(master_key.version[i:i + 4] for i in range(0, len(master_key.version), 4))
    assert fingerprint in bot.log_text()
