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
