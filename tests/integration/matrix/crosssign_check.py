"""What any Matrix client sees of a user's cross-signing, checked with signedjson + PyNaCl
(Synapse's own implementation), not with the bot's code (pycryptodome + vodozemac)."""
from __future__ import annotations

import json
import urllib.request
from typing import Any

from signedjson.key import decode_verify_key_bytes
from signedjson.sign import verify_signed_json
from unpaddedbase64 import decode_base64

from tests.helpers.synapse import Synapse


def _post(synapse: Synapse, path: str, body: dict[str, Any], token: str = "") -> dict[str, Any]:
    req = urllib.request.Request(f"{synapse.url}{path}", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json",
                                          **({"Authorization": f"Bearer {token}"} if token else {})})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.load(resp)  # type: ignore[no-any-return]


def login(synapse: Synapse, user: str, password: str) -> str:
    answer = _post(synapse, "/_matrix/client/v3/login", {"type": "m.login.password", "password": password,
                                                          "identifier": {"type": "m.id.user", "user": user}})
    return str(answer["access_token"])


def keys_query(synapse: Synapse, token: str, who: str) -> dict[str, Any]:
    return _post(synapse, "/_matrix/client/v3/keys/query", {"device_keys": {who: []}}, token)


def public_key(obj: dict[str, Any]) -> str:
    ((_, key),) = obj["keys"].items()
    return str(key)


def fingerprint(key: str) -> str:
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


def cross_signed(answer: dict[str, Any], user_id: str, devices: set[str] | None = None) -> dict[str, str]:
    """Asserts the user's keys chain up: master → self-signing → every device (or those given). Returns
    {'master': …, 'self_signing': …, 'user_signing': …} public keys."""
    master, ssk = answer["master_keys"][user_id], answer["self_signing_keys"][user_id]
    usk = answer.get("user_signing_keys", {}).get(user_id)  # only the user themself sees it
    assert master["usage"] == ["master"] and ssk["usage"] == ["self_signing"], (master, ssk)

    def verify_key(obj: dict[str, Any]) -> Any:
        ((key_id, key),) = obj["keys"].items()
        return decode_verify_key_bytes(key_id, decode_base64(key))

    master_key, ssk_key = verify_key(master), verify_key(ssk)
    verify_signed_json(ssk, user_id, master_key)  # raises SignatureVerifyException
    if usk is not None:
        verify_signed_json(usk, user_id, master_key)
    listed = answer["device_keys"][user_id]
    assert listed and (devices is None or devices <= set(listed)), (devices, answer)
    for device_id, device in listed.items():
        if devices is not None and device_id not in devices:
            continue
        signed = {k: v for k, v in device.items() if k != "unsigned"}
        assert f"ed25519:{ssk_key.version}" in signed["signatures"][user_id], (device_id, signed)
        verify_signed_json(signed, user_id, ssk_key)
    return {"master": public_key(master), "self_signing": public_key(ssk),
            "user_signing": public_key(usk) if usk else ""}
