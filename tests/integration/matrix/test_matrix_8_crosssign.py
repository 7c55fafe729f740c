"""The bot's cross-signing over its life: first start, restarts, a new device, lost keys.

A bot of its own (account @sachstand-zwei) so the shared bot's identity stays as it is.
Everything is checked as another user's client sees it (keys/query, signedjson + PyNaCl).
"""
from __future__ import annotations

import asyncio
import json
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import BOT, PASSWORD, ROOT, BotProcess
from crosssign_check import cross_signed, fingerprint, keys_query, login
from nacl.signing import SigningKey
from unpaddedbase64 import decode_base64, encode_base64

from tests.helpers.js_client import JsClient
from tests.helpers.synapse import SERVER_NAME, Synapse

pytestmark = pytest.mark.matrix
LOCAL = "sachstand-zwei"
ME = f"@{LOCAL}:{SERVER_NAME}"


@pytest.fixture(scope="module")
def own_bot(synapse: Synapse, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    synapse.register(LOCAL, PASSWORD.format(LOCAL))
    process = BotProcess(tmp_path_factory.mktemp("bot-zwei"), synapse)
    process.config.write_text(process.config.read_text()
                              .replace(f'user_id = "{BOT}"', f'user_id = "{ME}"')
                              .replace(PASSWORD.format("sachstand"), PASSWORD.format(LOCAL)))
    process.start()
    yield process
    assert process.stop() == 0, process.log()
    assert "Traceback" not in process.log(), process.log()


@pytest.fixture(scope="module")
def token(synapse: Synapse) -> str:
    return login(synapse, "ersatz", PASSWORD.format("ersatz"))


def _store(bot: BotProcess) -> Path:
    return bot.dir / "matrix-store"


def _device(bot: BotProcess) -> str:
    return str(json.loads((_store(bot) / "sachstand-state.json").read_text())["credentials"]["device_id"])


def _restart(bot: BotProcess) -> None:
    assert bot.stop() == 0, bot.log()
    bot.start()


def test_first_start_creates_the_keys_and_keeps_them_private(own_bot: BotProcess, synapse: Synapse,
                                                             token: str) -> None:
    own_bot.wait_for_log("cross-signing uploaded")
    path = _store(own_bot) / "cross-signing.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    # nio's key database (Olm account, Megolm sessions) too, not the umask's 0644 (tester's finding F5)
    keys_db = [f for f in _store(own_bot).iterdir() if f.suffix == ".db"]
    assert keys_db and all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in keys_db)
    saved = json.loads(path.read_text())
    keys = cross_signed(keys_query(synapse, token, ME), ME)
    # the private keys kept are those of the published public keys (PyNaCl derives them)
    assert encode_base64(bytes(SigningKey(decode_base64(saved["master"])).verify_key)) == keys["master"]
    assert encode_base64(bytes(SigningKey(decode_base64(saved["self_signing"])).verify_key)) == keys["self_signing"]
    own = keys_query(synapse, login(synapse, LOCAL, PASSWORD.format(LOCAL)), ME)  # the owner sees user-signing
    assert encode_base64(bytes(SigningKey(decode_base64(saved["user_signing"])).verify_key)) == \
        cross_signed(own, ME)["user_signing"]
    # what the office publishes: `sachstand matrix-identity` prints the master key's fingerprint
    shown = subprocess.run([sys.executable, "-m", "bot", "--config", str(own_bot.config), "matrix-identity"],
                           capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert shown.returncode == 0, shown.stderr
    assert f"Hauptschlüssel (master key): {fingerprint(keys['master'])}" in shown.stdout
    assert f"Gerät (session): {_device(own_bot)}" in shown.stdout


def test_a_restart_changes_nothing(own_bot: BotProcess, synapse: Synapse, token: str) -> None:
    before = keys_query(synapse, token, ME)
    logged = own_bot.log_text().count("matrix: cross-signing")
    _restart(own_bot)
    assert keys_query(synapse, token, ME) == before  # same keys, no new signature
    assert own_bot.log_text().count("matrix: cross-signing") == logged


async def test_a_new_device_is_signed_with_the_same_identity(own_bot: BotProcess, synapse: Synapse,
                                                             token: str, tmp_path: Path) -> None:
    old_device, master = _device(own_bot), cross_signed(keys_query(synapse, token, ME), ME)["master"]
    assert own_bot.stop() == 0
    state_file = _store(own_bot) / "sachstand-state.json"
    state = json.loads(state_file.read_text())
    state.pop("credentials")  # as after the access token was revoked: the next start logs in anew
    state_file.write_text(json.dumps(state))
    own_bot.start()
    own_bot.wait_for_log("cross-signing signed")
    new_device = _device(own_bot)
    assert new_device != old_device
    answer = keys_query(synapse, token, ME)
    assert cross_signed(answer, ME)["master"] == master  # same identity: nobody is warned
    assert new_device in answer["device_keys"][ME]
    # Element in "exclude insecure devices" mode talks to the new device
    async with JsClient(synapse.url, f"@koordination:{SERVER_NAME}", PASSWORD.format("koordination"),
                        isolation="only_signed", log_path=tmp_path / "js.log") as user:
        room = await user.create_dm(ME)
        await user.wait_event(room_id=room, sender=ME, type_="m.room.member", timeout=60)
        await user.send_text(room, "hilfe")
        event = await user.wait_event(room_id=room, sender=ME, type_="m.room.message", timeout=60)
        assert event["decrypted"] and event["shield"] == {"colour": "NONE", "reason": None}, event


async def test_lost_keys_are_replaced_with_password_auth_and_element_warns(own_bot: BotProcess, synapse: Synapse,
                                                                         token: str, tmp_path: Path) -> None:
    """Only the store's key file lost (not restored from the backup): the homeserver asks for the
    password before it accepts new keys; the bot gives it and signs its device with the new ones.
    Someone who talked to the bot before is told its identity was reset (docs/matrix.md)."""
    old = cross_signed(keys_query(synapse, token, ME), ME, {_device(own_bot)})
    async with JsClient(synapse.url, f"@testmann:{SERVER_NAME}", PASSWORD.format("testmann"),
                        log_path=tmp_path / "js.log") as user:
        room = await user.create_dm(ME)
        await user.wait_event(room_id=room, sender=ME, type_="m.room.member", timeout=60)
        await user.send_text(room, "hilfe")
        await user.wait_event(room_id=room, sender=ME, type_="m.room.message", timeout=60)
        assert (await user.user_status(ME))["needs_user_approval"] is False  # identity pinned at first contact

        assert own_bot.stop() == 0
        (_store(own_bot) / "cross-signing.json").unlink()
        own_bot.start()
        own_bot.wait_for_log("cross-signing uploaded", count=2)
        assert "restore the store from the backup" in own_bot.log_text()
        new = cross_signed(keys_query(synapse, token, ME), ME, {_device(own_bot)})  # the device it runs as
        assert new["master"] != old["master"] and new["self_signing"] != old["self_signing"]

        for _ in range(100):  # the js-sdk learns of the change through its sync (device_lists.changed)
            if (await user.user_status(ME))["needs_user_approval"]:
                break
            await asyncio.sleep(0.2)
        assert (await user.user_status(ME))["needs_user_approval"], "Element would not have warned"


def test_without_a_password_the_bot_says_what_is_missing_and_still_runs(own_bot: BotProcess, synapse: Synapse,
                                                                        token: str) -> None:
    assert own_bot.stop() == 0
    access = login(synapse, LOCAL, PASSWORD.format(LOCAL))
    config = own_bot.config.read_text()
    own_bot.config.write_text(config.replace(f'password = "{PASSWORD.format(LOCAL)}"', f'access_token = "{access}"'))
    state_file = _store(own_bot) / "sachstand-state.json"
    state = json.loads(state_file.read_text())
    state.pop("credentials")
    state_file.write_text(json.dumps(state))
    (_store(own_bot) / "cross-signing.json").unlink()
    try:
        own_bot.start()  # healthy: Matrix works, only unsigned
        own_bot.wait_for_log("set matrix.password")
    finally:
        assert own_bot.stop() == 0
        own_bot.config.write_text(config)
        (_store(own_bot) / "cross-signing.json").unlink(missing_ok=True)
        own_bot.start()
