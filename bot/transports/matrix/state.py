"""What the Matrix transport keeps between runs, in one JSON file in the store path.

Device id and access token (so a restart is the same device with the same keys), the
sync token (written only after a batch's events were handled), the choices of the
questions the bot asked (so a reaction maps back to a value after a restart) and the
direct rooms. The file is replaced atomically; the store path is private (0700).
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

MAX_QUESTIONS = 500


class TransportState:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = {}
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
        self.save()

    # -- sync token --------------------------------------------------------------------
    @property
    def sync_token(self) -> str:
        return str(self.data.get("sync_token") or "")

    def set_sync_token(self, token: str) -> None:
        self.data["sync_token"] = token
        self.save()

    # -- questions and their choices -----------------------------------------------------
    def remember_question(self, room_id: str, event_id: str, choices: list[list[str]]) -> None:
        questions: dict[str, Any] = self.data.setdefault("questions", {})
        questions[event_id] = {"room": room_id, "choices": choices}
        while len(questions) > MAX_QUESTIONS:
            questions.pop(next(iter(questions)))
        self.data.setdefault("open_question", {})[room_id] = event_id
        self.save()

    def forget_open_question(self, room_id: str) -> None:
        if self.data.get("open_question", {}).pop(room_id, None) is not None:
            self.save()

    def open_question(self, event_id: str) -> list[list[str]] | None:
        """The choices of a question, if it is the latest one the bot asked in its room."""
        question = self.data.get("questions", {}).get(event_id)
        if question is None or self.data.get("open_question", {}).get(question["room"]) != event_id:
            return None
        return question["choices"]

    # -- direct rooms ------------------------------------------------------------------
    @property
    def direct(self) -> dict[str, list[str]]:
        return self.data.setdefault("direct", {})

    def set_direct(self, mapping: dict[str, list[str]]) -> None:
        self.data["direct"] = mapping
        self.save()

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(self.data, handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)
