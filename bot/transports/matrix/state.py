"""What the Matrix transport keeps between runs, in one JSON file in the store path.

Device id and access token (so a restart is the same device with the same keys), the
sync token (written only after a batch's events were handled), the secret poll answer ids
are derived from, and the direct rooms. The file is replaced atomically; the store path is
private (0700). It is written off the event loop (issue #20: a write with fsync takes 13–20 ms),
only when its content changed, and saves that come while a write is under way are coalesced
into the next one; only new credentials are written at once. A sync token not yet on disk when
the process dies costs nothing: that batch comes again and the core drops what it handled. The questions the bot asked live in the database (storage/models/asked.py,
bot/transports/matrix/memory.py), for any number of them; a file of an older version still
holding them hands them over once (`take_questions`).
"""
from __future__ import annotations

import asyncio
import json
import os
import secrets
import threading
from pathlib import Path
from typing import Any


class TransportState:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = {}
        self._writing: asyncio.Task[None] | None = None
        self._again = False
        self._file_lock = threading.Lock()  # one write at a time; an older snapshot never wins
        self._seq = self._written_seq = 0
        self._written = ""
        if path.exists():
            try:
                self.data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                self.data = {}  # unreadable: log in anew rather than refuse to start

    # -- credentials -------------------------------------------------------------------
    def credentials(self, user_id: str, homeserver: str) -> tuple[str, str] | None:
        creds = self.data.get("credentials") or {}
        if creds.get("user_id") == user_id and creds.get("homeserver") == homeserver:
            return creds.get("device_id", ""), creds.get("access_token", "")
        return None

    def set_credentials(self, user_id: str, homeserver: str, device_id: str, access_token: str) -> None:
        self.data["credentials"] = {"user_id": user_id, "homeserver": homeserver,
                                    "device_id": device_id, "access_token": access_token}
        self.data.pop("sync_token", None)  # a new device starts without history
        self.save_now()  # the device and its keys must not be lost to a crash

    # -- sync token --------------------------------------------------------------------
    @property
    def sync_token(self) -> str:
        return str(self.data.get("sync_token") or "")

    def set_sync_token(self, token: str) -> None:
        self.data["sync_token"] = token
        self.save()

    # -- poll answer ids, and questions an older version kept here ----------------------
    @property
    def poll_secret(self) -> bytes:
        if not self.data.get("poll_secret"):
            self.data["poll_secret"] = secrets.token_hex(32)
            self.save()
        return bytes.fromhex(self.data["poll_secret"])

    def take_questions(self) -> list[tuple[str, str, list[list[str]]]]:
        """The open questions an older version kept in this file (room, event, choices), once."""
        questions = self.data.pop("questions", None) or {}
        opened = self.data.pop("open_question", None) or {}
        if questions or opened:
            self.save()
        return [(room, event, questions[event]["choices"]) for room, event in opened.items()
                if isinstance(questions.get(event), dict)]

    # -- direct rooms ------------------------------------------------------------------
    @property
    def direct(self) -> dict[str, list[str]]:
        return self.data.setdefault("direct", {})

    def set_direct(self, mapping: dict[str, list[str]]) -> None:
        self.data["direct"] = mapping
        self.save()

    def save(self) -> None:
        """Write soon, off the event loop (at once when no loop runs)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.save_now()
            return
        if self._writing is not None and not self._writing.done():
            self._again = True  # the write under way goes round once more
            return
        self._writing = loop.create_task(self._write_soon(), name="matrix-state-file")

    async def _write_soon(self) -> None:
        while True:
            self._again = False
            seq, text = self._snapshot()
            if text != self._written:
                await asyncio.to_thread(self._write, seq, text)
            if not self._again:
                return

    async def flush(self) -> None:
        """Wait until what was saved is on disk (at shutdown)."""
        while self._writing is not None and not self._writing.done():
            await asyncio.gather(self._writing, return_exceptions=True)

    def save_now(self) -> None:
        self._write(*self._snapshot())

    def _snapshot(self) -> tuple[int, str]:
        self._seq += 1
        return self._seq, json.dumps(self.data)

    def _write(self, seq: int, text: str) -> None:
        with self._file_lock:
            if seq <= self._written_seq:
                return  # a newer snapshot is on disk already
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = self.path.with_suffix(".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
            self._written_seq, self._written = seq, text
