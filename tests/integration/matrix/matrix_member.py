"""A member of the city's bodies, as a matrix-nio client: what Element would do, scripted."""
from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nio import (AsyncClient, AsyncClientConfig, LoginResponse, MegolmEvent, RoomCreateResponse, RoomSendResponse,
                 SyncResponse)

ENCRYPTION = [{"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}]


@dataclass
class Seen:
    room_id: str
    event: Any

    @property
    def source(self) -> dict[str, Any]:
        return getattr(self.event, "source", {}) or {}

    @property
    def type(self) -> str:
        return str(self.source.get("type", ""))

    @property
    def content(self) -> dict[str, Any]:
        return self.source.get("content", {}) or {}

    @property
    def sender(self) -> str:
        return str(self.source.get("sender", ""))

    @property
    def event_id(self) -> str:
        return str(self.source.get("event_id", ""))

    @property
    def body(self) -> str:
        return str(self.content.get("body", ""))


class Member:
    def __init__(self, homeserver: str, user_id: str, password: str, store: Path) -> None:
        store.mkdir(parents=True, exist_ok=True)
        self.user_id = user_id
        self.password = password
        self.client = AsyncClient(homeserver, user_id, store_path=str(store),
                                  config=AsyncClientConfig(encryption_enabled=True, store_sync_tokens=False,
                                                           max_timeouts=0))
        self.seen: list[Seen] = []
        self.undecrypted: list[Seen] = []  # until their room key arrives (a later sync, under load)
        self.changed = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self.next_batch = ""

    async def __aenter__(self) -> Member:
        resp = await self.client.login(self.password, device_name="test client")
        assert isinstance(resp, LoginResponse), resp
        first = await self.client.sync(timeout=0, full_state=True)
        assert isinstance(first, SyncResponse), first
        self.next_batch = first.next_batch
        await self._keys()
        # invitations from before this login (a direct room the bot opened while no client of the
        # person ran): Element lists them and the person accepts; without this the member never
        # saw that room's messages, in whichever order the tests ran
        for room_id in first.rooms.invite:
            await self.client.join(room_id)
        self._task = asyncio.create_task(self._loop())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task:
            self._task.cancel()
            with contextlib.suppress(BaseException):
                await self._task
        await self.client.close()

    async def _keys(self) -> None:
        c = self.client
        await c.send_to_device_messages()
        if c.should_upload_keys:
            await c.keys_upload()
        if c.should_query_keys:
            await c.keys_query()
        if c.should_claim_keys:
            await c.keys_claim(c.get_users_for_key_claiming())

    async def _loop(self) -> None:
        while True:
            try:
                resp = await self.client.sync(timeout=5000, since=self.next_batch)
            except Exception:  # the homeserver is down (outage test): try again
                await asyncio.sleep(0.5)
                continue
            if not isinstance(resp, SyncResponse):
                await asyncio.sleep(0.5)
                continue
            self.next_batch = resp.next_batch
            with contextlib.suppress(Exception):
                await self._keys()
            for room_id in resp.rooms.invite:
                await self.client.join(room_id)
            async with self.changed:
                for room_id, info in resp.rooms.join.items():
                    fresh = [Seen(room_id, e) for e in info.timeline.events]
                    self.seen.extend(fresh)
                    self.undecrypted.extend(seen for seen in fresh if isinstance(seen.event, MegolmEvent))
                self._decrypt_late()
                self.changed.notify_all()

    def _decrypt_late(self) -> None:
        """An event whose room key came in a later sync (to-device messages lag the timeline on a
        busy homeserver) is decrypted then, as Element does; before, it stayed unreadable."""
        for seen in list(self.undecrypted):
            with contextlib.suppress(Exception):
                seen.event = self.client.decrypt_event(seen.event)
                self.undecrypted.remove(seen)

    # -- acting ------------------------------------------------------------------------
    async def send(self, room_id: str, content: dict[str, Any], kind: str = "m.room.message") -> str:
        if self.client.should_query_keys:
            await self.client.keys_query()
        resp = await self.client.room_send(room_id, kind, content, ignore_unverified_devices=True)
        assert isinstance(resp, RoomSendResponse), resp
        return resp.event_id

    async def say(self, room_id: str, text: str) -> str:
        return await self.send(room_id, {"msgtype": "m.text", "body": text})

    async def react(self, room_id: str, event_id: str, key: str) -> str:
        return await self.send(room_id, {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id,
                                                          "key": key}}, "m.reaction")

    async def edit(self, room_id: str, event_id: str, text: str) -> str:
        return await self.send(room_id, {
            "msgtype": "m.text", "body": f"* {text}", "m.new_content": {"msgtype": "m.text", "body": text},
            "m.relates_to": {"rel_type": "m.replace", "event_id": event_id}})

    async def create_room(self, invite: list[str], direct: bool = False, encrypted: bool = False) -> str:
        resp = await self.client.room_create(invite=invite, is_direct=direct,
                                             initial_state=ENCRYPTION if encrypted else [])
        assert isinstance(resp, RoomCreateResponse), resp
        return resp.room_id

    # -- watching ----------------------------------------------------------------------
    def mark(self) -> int:
        return len(self.seen)

    def after(self, mark: int, room_id: str | None = None, sender: str | None = None,
              kind: str | None = None) -> list[Seen]:
        return [s for s in self.seen[mark:] if (room_id is None or s.room_id == room_id)
                and (sender is None or s.sender == sender) and (kind is None or s.type == kind)]

    async def wait_for(self, check: Any, mark: int = 0, timeout: float = 90) -> Seen:
        """The first event seen since `mark` for which check(seen) is true."""
        async def found() -> Seen:
            async with self.changed:
                while True:
                    hit = next((s for s in self.seen[mark:] if check(s)), None)
                    if hit is not None:
                        return hit
                    await self.changed.wait()
        return await asyncio.wait_for(found(), timeout)

    async def wait_joined(self, room_id: str, user_id: str, timeout: float = 60) -> None:
        await self.wait_for(lambda s: s.room_id == room_id and s.type == "m.room.member"
                            and s.source.get("state_key") == user_id
                            and s.content.get("membership") == "join", timeout=timeout)
