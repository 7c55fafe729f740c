"""A Matrix user on Element's crypto stack: tests/js/client.mjs (matrix-js-sdk 43 + Rust crypto)
driven over JSON lines from asyncio.

    async with JsClient(synapse.url, "@testmann:koeln.example", "pw", isolation="only_signed") as user:
        room = await user.create_dm(BOT)
        await user.send_text(room, "hilfe")
        event = await user.wait_event(room_id=room, sender=BOT)
        assert event["decrypted"] and event["shield"]["colour"] == "NONE"

Skipped (with the reason) where `make peers` could not install Node and the js-sdk.
"""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

from tests.helpers.peers import JS_DIR, need_node

SCRIPT = JS_DIR / "client.mjs"
_SECRETS: list[Path] = []


def _secrets_dir() -> Path:
    """Where the users' cross-signing keys live for this test process (a fresh temporary directory)."""
    if not _SECRETS:
        _SECRETS.append(Path(tempfile.mkdtemp(prefix="js-client-secrets-")))
    return _SECRETS[0]


class JsClientError(RuntimeError):
    """The js-sdk client answered a command with an error."""


class JsClient:
    def __init__(self, homeserver: str, user_id: str, password: str, *, isolation: str = "all",
                 device_name: str = "js-sdk test client", auto_join: bool = True, cross_signing: bool = True,
                 log_path: Path | None = None) -> None:
        self.node = need_node()
        self.homeserver, self.user_id, self.password = homeserver, user_id, password
        self.isolation, self.device_name, self.auto_join = isolation, device_name, auto_join
        self.log_path = log_path
        self.cross_signing = cross_signing  # as Element: the user's own cross-signing keys at first login
        self.device_id = ""
        self.proc: asyncio.subprocess.Process | None = None
        self._next = 0
        self._pending: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._reader: asyncio.Task[None] | None = None
        self._stderr: Any = None

    async def __aenter__(self) -> JsClient:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def start(self) -> None:
        self._stderr = open(self.log_path, "ab") if self.log_path else asyncio.subprocess.DEVNULL  # noqa: SIM115
        self.proc = await asyncio.create_subprocess_exec(
            self.node, str(SCRIPT), cwd=str(JS_DIR), stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=self._stderr, limit=16 * 1024 * 1024)
        self._reader = asyncio.create_task(self._read())
        answer = await self.call("login", timeout=90, homeserver=self.homeserver, user_id=self.user_id,
                                 password=self.password, device_name=self.device_name, isolation=self.isolation,
                                 auto_join=self.auto_join)
        self.device_id = str(answer["device_id"])
        if self.cross_signing:
            await self.bootstrap_cross_signing()

    async def close(self) -> None:
        if self.proc is None:
            return
        if self.proc.returncode is None:
            with contextlib.suppress(Exception):
                await self.call("stop", timeout=5)
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except asyncio.TimeoutError:
                self.proc.kill()  # our own child, by its handle
                await self.proc.wait()
        if self._reader is not None:
            self._reader.cancel()
            await asyncio.gather(self._reader, return_exceptions=True)
        if self._stderr not in (None, asyncio.subprocess.DEVNULL):
            self._stderr.close()
        self.proc = None

    async def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        while line := await self.proc.stdout.readline():
            try:
                answer = json.loads(line)
            except ValueError:
                continue
            future = self._pending.pop(answer.get("id"), None)
            if future is not None and not future.done():
                future.set_result(answer)
        for future in self._pending.values():
            if not future.done():
                future.set_exception(JsClientError(f"the js-sdk client exited ({self.log_path or 'no log'})"))

    async def call(self, cmd: str, timeout: float = 60, **args: Any) -> dict[str, Any]:
        assert self.proc is not None and self.proc.stdin is not None
        self._next += 1
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[self._next] = future
        self.proc.stdin.write((json.dumps({"id": self._next, "cmd": cmd, **args}) + "\n").encode())
        await self.proc.stdin.drain()
        answer = await asyncio.wait_for(future, timeout)
        if not answer.get("ok"):
            raise JsClientError(f"{cmd}: {answer.get('error')}")
        return answer

    # -- commands ----------------------------------------------------------------------
    async def set_isolation(self, mode: str) -> None:
        await self.call("set_isolation", mode=mode)

    async def bootstrap_cross_signing(self) -> None:
        """The user's cross-signing, created at their first login in this test run and imported
        (as from another device) at every later one: the same identity, never a reset."""
        key = hashlib.sha256(f"{self.homeserver} {self.user_id}".encode()).hexdigest()[:16]
        await self.call("bootstrap_cross_signing", timeout=60, password=self.password,
                        secrets_file=str(_secrets_dir() / f"{key}.json"))

    async def create_dm(self, user_id: str, encrypted: bool = True) -> str:
        return str((await self.call("create_dm", user_id=user_id, encrypted=encrypted))["room_id"])

    async def join(self, room_id: str) -> None:
        await self.call("join", room_id=room_id)

    async def send_text(self, room_id: str, body: str, html: str = "") -> str:
        return str((await self.call("send_text", room_id=room_id, body=body, html=html))["event_id"])

    async def send_edit(self, room_id: str, event_id: str, body: str) -> str:
        return str((await self.call("send_edit", room_id=room_id, event_id=event_id, body=body))["event_id"])

    async def send_poll_response(self, room_id: str, poll_id: str, answers: list[str], stable: bool = False) -> str:
        answer = await self.call("send_poll_response", room_id=room_id, poll_id=poll_id, answers=answers,
                                 stable=stable)
        return str(answer["event_id"])

    async def send_event(self, room_id: str, type_: str, content: dict[str, Any]) -> str:
        return str((await self.call("send_event", room_id=room_id, type=type_, content=content))["event_id"])

    async def send_reaction(self, room_id: str, event_id: str, key: str) -> str:
        return str((await self.call("send_reaction", room_id=room_id, event_id=event_id, key=key))["event_id"])

    async def wait_event(self, *, room_id: str = "", sender: str = "", type_: str = "", contains: str = "",
                         reply_to: str = "", timeout: float = 30, failure_grace: float = 5) -> dict[str, Any]:
        """The next event (each is returned once) matching the filter, decrypted, with the shield
        the js-sdk shows for it; an event that stays undecryptable for `failure_grace` seconds is
        returned too, with decrypted=False and the failure code (e.g. UNSIGNED_SENDER_DEVICE)."""
        answer = await self.call("wait_event", timeout=timeout + 10, room_id=room_id, sender=sender, type=type_,
                                 contains=contains, reply_to=reply_to, timeout_ms=int(timeout * 1000),
                                 failure_grace_ms=int(failure_grace * 1000))
        return dict(answer["event"])

    async def history(self, room_id: str = "", sender: str = "") -> list[dict[str, Any]]:
        """Every live event seen so far (also those wait_event returned), as wait_event describes them."""
        return list((await self.call("history", room_id=room_id, sender=sender))["events"])

    async def keys_query(self, user_id: str) -> dict[str, Any]:
        """The homeserver's raw /keys/query answer for `user_id`, as this client gets it."""
        return dict((await self.call("keys_query", user_id=user_id))["answer"])

    async def device_status(self, user_id: str) -> dict[str, Any]:
        """Whether `user_id` has cross-signing keys and, per device, whether its owner signed it."""
        answer = await self.call("device_status", user_id=user_id)
        return {"cross_signing_keys": answer["cross_signing_keys"], "devices": answer["devices"]}

    async def user_status(self, user_id: str) -> dict[str, bool]:
        """The js-sdk's verdict on a user's identity: verified, was_verified, needs_user_approval
        (their pinned identity changed: Element warns "identity was reset" until approved)."""
        answer = await self.call("user_status", user_id=user_id)
        return {k: bool(answer[k]) for k in ("verified", "was_verified", "needs_user_approval")}

    async def invites(self) -> list[str]:
        """The rooms this user is invited to and has not joined (a client with auto_join=False)."""
        return [str(r) for r in (await self.call("invites"))["rooms"]]

    async def download(self, content: dict[str, Any]) -> str:
        """The text of an m.file's attachment, downloaded and decrypted by the js client."""
        return str((await self.call("download", content=content))["text"])

    async def encrypted_room(self, room_id: str) -> bool:
        return bool((await self.call("encrypted_room", room_id=room_id))["encrypted"])
