"""Issue #14, 5: a message the bot encrypts reaches the person even when sharing its room key
fails on the way.

Under load a homeserver answers some requests with an error. nio marks a room key as shared
whatever happened to it: the one-time key of the person's device could not be claimed, or the
to-device message carrying the key failed — every message encrypted with that key was then lost
for that device for good (the person's client reported the same Megolm session "no session
found" on every sync; seen in test_matrix_6 under two test workers). Here a proxy in front of the
real Synapse fails exactly those requests; the person reads on Element's crypto stack
(matrix-js-sdk with its Rust crypto), and must decrypt every message.
"""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from conftest import PASSWORD
from test_matrix_8_first_messages import _transport

from bot.core.events import ChannelRef, OutgoingMessage
from tests.helpers.fault_proxy import FaultProxy
from tests.helpers.js_client import JsClient
from tests.helpers.synapse import SERVER_NAME, Synapse

pytestmark = pytest.mark.matrix


class _Via:
    """The homeserver as the bot sees it: through the proxy (registration goes to Synapse)."""

    def __init__(self, synapse: Synapse, url: str) -> None:
        self.url, self._synapse = url, synapse

    def register(self, localpart: str, password: str) -> str:
        return self._synapse.register(localpart, password)


async def test_a_room_key_that_failed_to_reach_a_device_is_sent_again(synapse: Synapse, tmp_path: Path) -> None:
    person = f"@musterfrau:{SERVER_NAME}"
    proxy = await FaultProxy(synapse.url).start()
    try:
        async with JsClient(synapse.url, person, PASSWORD.format("musterfrau"), log_path=tmp_path / "js.log") as user:
            transport = await _transport(_Via(synapse, proxy.url), tmp_path / "store", "sachstand-schluessel")  # type: ignore[arg-type]
            try:
                async def say(room: str, text: str, txn: str) -> None:
                    msg = OutgoingMessage(channel=ChannelRef("matrix", room, direct=True), texts={"plain": text},
                                          meta={"txn_id": txn})
                    failure: Exception | None = None
                    for _ in range(20):  # as the outbox does: a failed send is sent again
                        try:
                            await transport.send(msg)
                            return
                        except Exception as exc:  # noqa: BLE001 - the outbox retries every failure
                            failure = exc
                            await asyncio.sleep(0.5)
                    raise AssertionError(f"{text} was never sent: {failure!r}")

                async def read(room: str) -> dict:  # type: ignore[type-arg]
                    while True:
                        event = await user.wait_event(sender=transport.settings.user_id, type_="m.room.message",
                                                      timeout=60, failure_grace=10)
                        if event["room_id"] == room:
                            return event

                # 1. the person's one-time key cannot be claimed, twice (nio cannot even parse that answer)
                first = await transport.new_direct_room(person)
                proxy.fail("POST", "/keys/claim", times=2)
                await say(first, "Erste Nachricht", "key-share-1")
                event = await read(first)
                assert event["decrypted"], f"never decrypted: {event['failure']} (faults: {proxy.failed})"
                assert event["content"]["body"] == "Erste Nachricht"
                assert proxy.failed.count(next(f for f in proxy.failed if "/keys/claim" in f)) == 2, proxy.failed

                # 2. the to-device message with the room key fails once (an Olm session exists by now)
                second = await transport.new_direct_room(person)
                proxy.fail("PUT", "/sendToDevice/m.room.encrypted/", times=1)
                await say(second, "Zweite Nachricht", "key-share-2")
                event = await read(second)
                assert event["decrypted"], f"never decrypted: {event['failure']} (faults: {proxy.failed})"
                assert event["content"]["body"] == "Zweite Nachricht"
                assert any("/sendToDevice/" in f for f in proxy.failed), proxy.failed
            finally:
                await transport.stop()
    finally:
        await proxy.stop()
