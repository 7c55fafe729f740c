"""Cross-signing primitives against independent implementations: canonicaljson and
signedjson/PyNaCl (what Synapse uses), not the bot's pycryptodome + vodozemac."""
from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from canonicaljson import encode_canonical_json
from signedjson.key import decode_verify_key_bytes
from signedjson.sign import SignatureVerifyException, verify_signed_json
from unpaddedbase64 import decode_base64

from bot.transports.matrix.crosssign import (CrossSigningError, CrossSigningKeys, SigningKey, canonical_json,
                                             fingerprint, identity_lines, signature_valid)

ME = "@bot:koeln.example"


def test_canonical_json_is_the_specs() -> None:
    obj = {"b": [1, {"z": "ä€😀", "a": None}], "a": True, "\u00e9": "x", "n": -3}
    assert canonical_json(obj) == encode_canonical_json(obj)


def test_signatures_verify_with_pynacl_and_keep_the_existing_ones() -> None:
    key = SigningKey.generate()
    device = {"user_id": ME, "device_id": "DEV", "keys": {"ed25519:DEV": "abc"},
              "signatures": {ME: {"ed25519:DEV": "device-self-signature"}}, "unsigned": {"device_display_name": "x"}}
    signed = key.sign(device, ME)
    assert signed["signatures"][ME]["ed25519:DEV"] == "device-self-signature"
    verify_key = decode_verify_key_bytes(f"ed25519:{key.public}", decode_base64(key.public))
    verify_signed_json({k: v for k, v in signed.items() if k != "unsigned"}, ME, verify_key)
    assert signature_valid(signed, ME, key.public)


def test_a_tampered_object_or_another_key_is_not_valid() -> None:
    key, other = SigningKey.generate(), SigningKey.generate()
    signed = key.sign({"user_id": ME, "keys": {"ed25519:A": "A"}}, ME)
    tampered = dict(signed, keys={"ed25519:A": "B"})
    assert not signature_valid(tampered, ME, key.public)
    assert not signature_valid(signed, ME, other.public)
    assert not signature_valid(signed, "@someone:else", key.public)
    verify_key = decode_verify_key_bytes(f"ed25519:{key.public}", decode_base64(key.public))
    with pytest.raises(SignatureVerifyException):
        verify_signed_json(tampered, ME, verify_key)


def test_keys_file_is_private_and_bound_to_the_account(tmp_path: Path) -> None:
    keys = CrossSigningKeys(tmp_path, ME)
    assert not keys.load()
    keys.create()
    assert stat.S_IMODE(keys.path.stat().st_mode) == 0o600
    again = CrossSigningKeys(tmp_path, ME)
    assert again.load() and again.public("master") == keys.public("master")
    ssk = keys.key_object("self_signing")
    master_key = decode_verify_key_bytes(f"ed25519:{keys.public('master')}", decode_base64(keys.public("master")))
    verify_signed_json(ssk, ME, master_key)  # self-signing key signed by the master key
    with pytest.raises(CrossSigningError, match="@bot:koeln.example"):
        CrossSigningKeys(tmp_path, "@other:koeln.example").load()
    keys.path.chmod(0o644)  # restored from a backup carelessly
    assert CrossSigningKeys(tmp_path, ME).load()
    assert stat.S_IMODE(keys.path.stat().st_mode) == 0o600


def test_identity_lines(tmp_path: Path) -> None:
    lines, ok = identity_lines(tmp_path, ME)
    assert not ok and "beim ersten Start" in lines[0]
    keys = CrossSigningKeys(tmp_path, ME)
    keys.create()
    (tmp_path / "sachstand-state.json").write_text(json.dumps({"credentials": {"device_id": "DEVX"}}))
    lines, ok = identity_lines(tmp_path, ME)
    assert ok and f"Hauptschlüssel (master key): {fingerprint(keys.public('master'))}" in lines
    assert "Gerät (session): DEVX" in lines
    keys.path.write_text("{kaputt")
    lines, ok = identity_lines(tmp_path, ME)
    assert not ok and "nicht lesbar" in lines[0]


@pytest.mark.parametrize("content", ["{kaputt", "[]", '{"user_id": "@bot:koeln.example"}',
                                     '{"user_id": "@bot:koeln.example", "master": "AAAA", "self_signing": "AAAA", '
                                     '"user_signing": "AAAA"}', '{"user_id": "@bot:koeln.example", "master": 5}'])
def test_a_damaged_keys_file_is_reported_and_never_overwritten(tmp_path: Path, content: str) -> None:
    keys = CrossSigningKeys(tmp_path, ME)
    keys.path.write_text(content)
    with pytest.raises(CrossSigningError, match="restore it from the backup"):
        keys.load()
    assert keys.path.read_text() == content


class FakeHomeserver:
    """Just enough of /keys/* for CrossSigner: one device, cross-signing set up by someone else,
    replacing it needs user-interactive auth with the given flows."""

    def __init__(self, flows: list[dict[str, object]], params: dict[str, object] | None = None) -> None:
        self.flows, self.params = flows, params or {}
        self.requests: list[tuple[str, dict[str, object]]] = []
        other = SigningKey.generate().public
        self.answer = {"device_keys": {ME: {"DEV": {"user_id": ME, "device_id": "DEV", "keys": {}}}},
                       "master_keys": {ME: {"user_id": ME, "usage": ["master"], "keys": {f"ed25519:{other}": other}}}}

    async def __call__(self, method: str, path: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
        self.requests.append((path, body))
        if path.endswith("/keys/query"):
            return 200, self.answer
        if path.endswith("/device_signing/upload"):
            if "auth" not in body:
                return 401, {"flows": self.flows, "params": self.params, "session": "S"}
            return 200, {}
        return 200, {"failures": {}}


async def test_replacing_keys_answers_password_auth_with_the_configured_password(tmp_path: Path) -> None:
    from bot.transports.matrix.crosssign import CrossSigner

    server = FakeHomeserver([{"stages": ["m.login.password"]}])
    signer = CrossSigner(tmp_path, ME, "DEV", "geheim", server, lambda obj: "sig")
    assert await signer.ensure() == "uploaded"
    auth = [b["auth"] for p, b in server.requests if "auth" in b][0]
    assert auth == {"type": "m.login.password", "session": "S", "password": "geheim",
                    "identifier": {"type": "m.id.user", "user": ME}}


async def test_an_oidc_homeserver_gets_a_clear_message_with_its_url(tmp_path: Path) -> None:
    from bot.transports.matrix.crosssign import CrossSigner

    server = FakeHomeserver([{"stages": ["m.oauth"]}], {"m.oauth": {"url": "https://auth.example/account?x=1"}})
    signer = CrossSigner(tmp_path, ME, "DEV", "geheim", server, lambda obj: "sig")
    with pytest.raises(CrossSigningError, match=r"approved \(m.oauth\): https://auth.example/account\?x=1"):
        await signer.ensure()
    assert not any("auth" in b for _, b in server.requests)  # the password was not sent there


@pytest.mark.parametrize("answer", [{}, {"master_keys": []}, {"master_keys": {ME: "x"}}, {"device_keys": {ME: []}},
                                    {"device_keys": {ME: {"DEV": {"signatures": []}}}, "master_keys": {ME: {"keys": [1]}}}])
async def test_a_garbled_keys_query_answer_is_an_error_not_a_crash(tmp_path: Path, answer: dict[str, object]) -> None:
    from bot.transports.matrix.crosssign import CrossSigner

    async def server(method: str, path: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
        return (200, answer) if path.endswith("/keys/query") else (200, {})

    signer = CrossSigner(tmp_path, ME, "DEV", None, server, lambda obj: "sig")
    try:
        await signer.ensure()
    except CrossSigningError:
        pass  # said clearly; anything else would be a traceback in the log
