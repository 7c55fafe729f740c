"""Element's view of the bot: a js-sdk 43 user (Element Web's Rust crypto) in an encrypted DM.

In "exclude insecure devices" mode (OnlySignedDeviceIsolationMode, Element's default from
April 2026) the js-sdk neither sends room keys to a device its owner has not cross-signed
nor decrypts what such a device sends (UNSIGNED_SENDER_DEVICE). The bot cross-signs its
device at start, so the conversation works and its messages carry no shield.
"""
from __future__ import annotations

import pytest
from conftest import BOT, PASSWORD
from crosssign_check import cross_signed, fingerprint, keys_query, login

from storage.models import Person
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
    with bot.uow() as uow:  # an earlier test may have switched musterfrau to English: this one reads German
        uow.session.query(Person).filter_by(handle="musterfrau").update({"locale": "de"})
        uow.commit()
    async with JsClient(synapse.url, f"@musterfrau:{SERVER_NAME}", PASSWORD.format("musterfrau"),
                        isolation="only_signed", log_path=tmp_path / "js.log") as user:
        room = await _dm_with_bot(user)

        async def answer(contains: str) -> dict:  # type: ignore[type-arg]
            event = await user.wait_event(room_id=room, sender=BOT, type_="m.room.message", contains=contains,
                                          timeout=60)
            assert event["decrypted"], event  # not UNSIGNED_SENDER_DEVICE
            assert event["shield"] == {"colour": "NONE", "reason": None}, event["shield"]
            return event

        await user.send_text(room, "hilfe")  # the user's message reaches the bot: it answers
        print("SHIELD only-signed mode:", (await answer("hilfe"))["shield"])
        status = await user.device_status(BOT)  # the js-sdk's own verdict on the bot's devices
        assert status["cross_signing_keys"], status
        assert status["devices"] and all(d["known"] and d["signed_by_owner"] for d in status["devices"].values()), status
        await user.send_text(room, "einstellungen")
        await answer("(1/4)")
        await user.send_text(room, "2")  # English, typed
        await answer("(2/4)")
        typo = await user.send_text(room, "Europe/Viena")
        await answer("Europe/Viena")  # not a time zone: refused, the step stays open
        await user.send_edit(room, typo, "Europe/Vienna")  # the correction answers it
        await answer("(3/4)")
    assert "cannot decrypt" not in bot.log_text()


def test_keys_query_shows_the_bot_cross_signed(bot, synapse: Synapse) -> None:  # type: ignore[no-untyped-def]
    """Checked as another user sees it, with signedjson + PyNaCl (not the bot's libraries)."""
    bot.wait_for_log("cross-signing")
    answer = keys_query(synapse, login(synapse, "ersatz", PASSWORD.format("ersatz")), BOT)
    keys = cross_signed(answer, BOT)
    assert fingerprint(keys["master"]) in bot.log_text()  # the fingerprint people compare is in the log
