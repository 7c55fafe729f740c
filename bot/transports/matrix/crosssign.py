"""Cross-signing of the bot's own device (Matrix spec, "Cross-signing"), which matrix-nio lacks.

Element (and BundesMessenger) show a red shield on, and in "exclude insecure devices" mode
refuse, every message of a device its owner has not signed. So at start the bot:

1. has three Ed25519 key pairs: master, self-signing, user-signing. They are created at the
   first start and kept in `<store_path>/cross-signing.json` (mode 0600, next to nio's
   encryption store; back both up together, docs/operations.md). Signing uses pycryptodome's
   Ed25519 (a matrix-nio dependency); signatures are checked with vodozemac.
2. asks the homeserver (`POST /keys/query`) what it knows about its own keys;
3. uploads the public keys (`POST /keys/device_signing/upload`) when the homeserver has none
   or others. The first upload needs no user-interactive auth (MSC3967); replacing keys does:
   the bot answers with `m.login.password` and its configured password (with only an access
   token it cannot, and says so in the log);
4. signs its device keys with the self-signing key (`POST /keys/signatures/upload`), and
   the master key with its device key, as Element does - unless `/keys/query` already shows
   a valid signature of the current self-signing key on the device: then nothing is sent.

Signed JSON is canonical JSON (sorted keys, no whitespace, UTF-8) of the object without its
`signatures` and `unsigned`; keys and signatures are unpadded base64.
"""
from __future__ import annotations

import base64
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from Crypto.PublicKey import ECC
from Crypto.Signature import eddsa
from vodozemac import Ed25519PublicKey, Ed25519Signature

log = logging.getLogger(__name__)
KEYS_FILE = "cross-signing.json"
USAGES = ("master", "self_signing", "user_signing")


class CrossSigningError(RuntimeError):
    """The homeserver refused the keys or their signatures."""


def canonical_json(obj: Any) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def unb64(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


def _mapping(value: object) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one (what a server sent is not trusted)."""
    return value if isinstance(value, dict) else {}


def signable(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in ("signatures", "unsigned")}


def fingerprint(public_key: str) -> str:
    """A public key as people compare it: groups of four characters."""
    return " ".join(public_key[i:i + 4] for i in range(0, len(public_key), 4))


def signature_valid(obj: dict[str, Any], user_id: str, public_key: str) -> bool:
    """Whether `obj` carries a valid signature of `user_id`'s Ed25519 key `public_key`."""
    try:
        sig = obj["signatures"][user_id][f"ed25519:{public_key}"]
        if not isinstance(sig, str):
            return False
        Ed25519PublicKey.from_base64(public_key).verify_signature(canonical_json(signable(obj)),
                                                                  Ed25519Signature.from_base64(sig))
    except Exception:
        return False
    return True


@dataclass(frozen=True)
class SigningKey:
    seed: bytes

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(bytes(ECC.generate(curve="Ed25519").seed))

    @property
    def public(self) -> str:
        key = eddsa.import_private_key(self.seed)
        return b64(key.public_key().export_key(format="raw"))

    def sign(self, obj: dict[str, Any], user_id: str, key_id: str | None = None) -> dict[str, Any]:
        """A copy of `obj` with this key's signature added to its existing ones."""
        signature = eddsa.new(eddsa.import_private_key(self.seed), "rfc8032").sign(canonical_json(signable(obj)))
        signed = dict(obj)
        existing = _mapping(obj.get("signatures"))
        signatures = {u: dict(s) for u, s in existing.items() if isinstance(s, dict)}
        signatures.setdefault(user_id, {})[key_id or f"ed25519:{self.public}"] = b64(signature)
        signed["signatures"] = signatures
        return signed


class CrossSigningKeys:
    """The three private keys, in the store directory (mode 0600)."""

    def __init__(self, store_path: Path, user_id: str) -> None:
        self.path = store_path / KEYS_FILE
        self.user_id = user_id
        self.keys: dict[str, SigningKey] = {}

    def load(self) -> bool:
        if not self.path.exists():
            return False
        if self.path.stat().st_mode & 0o077:  # e.g. restored from a backup with the wrong mode
            log.warning("matrix: %s was readable by others; restricting it to its owner (0600)", self.path)
            os.chmod(self.path, 0o600)
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            owner = data.get("user_id")
            keys = {usage: SigningKey(unb64(data[usage])) for usage in USAGES}
            if any(len(k.seed) != 32 for k in keys.values()):
                raise ValueError("a key is not 32 bytes")
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:  # never overwritten: restore it
            raise CrossSigningError(f"{self.path} is not readable ({exc}); restore it from the backup") from exc
        if owner != self.user_id:
            raise CrossSigningError(f"{self.path} holds the keys of {owner}, not {self.user_id}")
        self.keys = keys
        return True

    def create(self) -> None:
        self.keys = {usage: SigningKey.generate() for usage in USAGES}
        body = {"user_id": self.user_id, **{usage: b64(k.seed) for usage, k in self.keys.items()}}
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(body, f, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.path)  # written before the upload: a crash never loses uploaded keys

    def public(self, usage: str) -> str:
        return self.keys[usage].public

    def key_object(self, usage: str) -> dict[str, Any]:
        """The public key object to upload; the self- and user-signing keys signed by the master key."""
        pub = self.public(usage)
        obj: dict[str, Any] = {"user_id": self.user_id, "usage": [usage], "keys": {f"ed25519:{pub}": pub}}
        if usage != "master":
            obj = self.keys["master"].sign(obj, self.user_id)
        return obj


def _entry(answer: dict[str, Any], kind: str, user_id: str) -> dict[str, Any]:
    """answer[kind][user_id] if the homeserver sent a well-formed one, else {}."""
    section = answer.get(kind)
    entry = section.get(user_id) if isinstance(section, dict) else None
    return entry if isinstance(entry, dict) else {}


def server_key(answer: dict[str, Any], kind: str, user_id: str) -> str:
    """The public key of `kind` (master_keys, self_signing_keys, …) the homeserver has, or ''."""
    keys = _entry(answer, kind, user_id).get("keys")
    value = next(iter(keys.values()), "") if isinstance(keys, dict) else ""
    return value if isinstance(value, str) else ""


class CrossSigner:
    """Brings the homeserver's view of the bot's cross-signing in line with the local keys.
    `request(method, path, body)` returns (HTTP status, JSON answer)."""

    def __init__(self, store_path: Path, user_id: str, device_id: str, password: str | None, request: Any,
                 device_sign: Any) -> None:
        self.keys = CrossSigningKeys(store_path, user_id)
        self.user_id, self.device_id, self.password = user_id, device_id, password
        self.request, self.device_sign = request, device_sign  # device_sign(dict) -> signature

    async def ensure(self) -> str:
        """Idempotent; returns what it did: 'unchanged', 'signed' or 'uploaded'."""
        answer = await self._query()
        created = False
        if not self.keys.load():
            if server_key(answer, "master_keys", self.user_id):
                log.warning("matrix: the homeserver has cross-signing keys for %s but %s is missing; "
                            "creating new ones (people who verified the bot will be warned; restore the "
                            "store from the backup to avoid this)", self.user_id, self.keys.path)
            self.keys.create()
            created = True
        did = "unchanged"
        if any(server_key(answer, f"{usage}_keys", self.user_id) != self.keys.public(usage) for usage in USAGES):
            await self._upload_keys()
            did = "uploaded"
            answer = await self._query()
        device = _entry(answer, "device_keys", self.user_id).get(self.device_id)
        if not isinstance(device, dict):
            raise CrossSigningError(f"the homeserver does not know device {self.device_id}")
        if not signature_valid(device, self.user_id, self.keys.public("self_signing")):
            await self._upload_signatures(device, answer)
            did = "signed" if did == "unchanged" else did
        if created or did != "unchanged":
            log.info("matrix: cross-signing %s for %s, device %s; master key %s", did, self.user_id, self.device_id,
                     fingerprint(self.keys.public("master")))
        return did

    async def _query(self) -> dict[str, Any]:
        status, answer = await self.request("POST", "/_matrix/client/v3/keys/query",
                                            {"device_keys": {self.user_id: []}})
        if status != 200:
            raise CrossSigningError(f"keys/query: HTTP {status} {answer}")
        return dict(answer)

    async def _upload_keys(self) -> None:
        body: dict[str, Any] = {f"{usage}_key": self.keys.key_object(usage) for usage in USAGES}
        path = "/_matrix/client/v3/keys/device_signing/upload"
        status, answer = await self.request("POST", path, body)
        if status == 401 and "flows" in answer:  # user-interactive auth: replacing existing keys
            stages = {stage for flow in answer.get("flows", []) if isinstance(flow, dict)
                      for stage in flow.get("stages", [])}
            if "m.login.password" not in stages:  # e.g. MAS (OIDC): a person approves it in the browser
                params = answer.get("params", {}) if isinstance(answer.get("params"), dict) else {}
                url = next((p.get("url") for p in params.values() if isinstance(p, dict) and p.get("url")), "")
                raise CrossSigningError("the homeserver wants the reset of the cross-signing keys approved "
                                        f"({', '.join(sorted(stages)) or 'no known stage'}){': ' + url if url else ''}; "
                                        "approve it there, then restart the bot")
            if not self.password:
                raise CrossSigningError("the homeserver wants a password to replace the cross-signing keys; "
                                        "set matrix.password (an access token alone cannot confirm this)")
            body["auth"] = {"type": "m.login.password", "session": answer.get("session"), "password": self.password,
                            "identifier": {"type": "m.id.user", "user": self.user_id}}
            status, answer = await self.request("POST", path, body)
        if status != 200:
            raise CrossSigningError(f"keys/device_signing/upload: HTTP {status} {answer.get('errcode', '')} "
                                    f"{answer.get('error', '')}".strip())

    async def _upload_signatures(self, device: dict[str, Any], answer: dict[str, Any]) -> None:
        ssk = self.keys.keys["self_signing"]
        signed_device = ssk.sign({k: v for k, v in device.items() if k != "unsigned"}, self.user_id)
        master = _entry(answer, "master_keys", self.user_id)
        body: dict[str, Any] = {self.user_id: {self.device_id: signed_device}}
        device_key_id = f"ed25519:{self.device_id}"
        existing = _mapping(master.get("signatures"))
        if master and device_key_id not in (existing.get(self.user_id) or {}):
            signatures = {u: dict(s) for u, s in existing.items() if isinstance(s, dict)}
            signatures.setdefault(self.user_id, {})[device_key_id] = self.device_sign(signable(master))
            body[self.user_id][self.keys.public("master")] = signable(master) | {"signatures": signatures}
        status, result = await self.request("POST", "/_matrix/client/v3/keys/signatures/upload", body)
        failures = result.get("failures") if isinstance(result, dict) else None
        if status != 200 or failures:
            raise CrossSigningError(f"keys/signatures/upload: HTTP {status} {failures or result}")


def identity_lines(store_path: Path, user_id: str) -> tuple[list[str], bool]:
    """What `sachstand matrix-identity` prints: the master key's fingerprint to publish, and
    the device it signs (German first, the English terms Element uses in brackets)."""
    keys = CrossSigningKeys(store_path, user_id)
    try:
        found = keys.load()
    except CrossSigningError as exc:
        return [f"Die Schlüsseldatei {keys.path} ist nicht lesbar: {exc}"], False
    if not found:
        return [f"Noch keine Cross-Signing-Schlüssel in {keys.path}: der Bot legt sie beim ersten Start an."], False
    lines = [f"Matrix-Konto: {user_id}",
             f"Hauptschlüssel (master key): {fingerprint(keys.public('master'))}",
             f"Selbstsignierschlüssel (self-signing key): {fingerprint(keys.public('self_signing'))}"]
    state = store_path / "sachstand-state.json"
    try:
        device = json.loads(state.read_text(encoding="utf-8")).get("credentials", {}).get("device_id", "")
    except (OSError, ValueError):
        device = ""
    if device:
        lines.append(f"Gerät (session): {device}")
    return lines, True
