"""The Matrix transport: login once, sync that loses nothing, sends with stable transaction ids.

- Login (session.py): device id and access token are kept in the store path and restored at
  start, so a restart is the same device with the same encryption keys; the device is
  cross-signed before the first sync (crosssign.py).
- Sync: our own loop (not nio's sync_forever): each batch's events are handed to the
  core one by one, every handler guarded, and only then is the batch's token saved.
  A restart resumes from that token (events handled before the crash come again and
  are dropped by the core's processed-event ledger); the very first sync only learns
  the state and handles invites, it replays no history.
- Send: the outbox row's txn id is the Matrix transaction id, so a resend after an
  outage or a crash is recognised by the homeserver and shows once. Into an encrypted room
  only once the members and their device lists are known (trust.ready_to_encrypt).
"""
from __future__ import annotations

import asyncio
import contextvars
import logging
from pathlib import Path
from typing import Any

import aiohttp
from nio import (AsyncClient, DirectRoomsResponse, JoinError, RoomResolveAliasResponse, RoomSendError,
                 RoomSendResponse, SyncError, SyncResponse)
from nio.events import MegolmEvent

from bot.config import MatrixSection
from bot.core.events import OutgoingMessage
from bot.outbox import RetryAfter

from ..base import Dispatch
from .crosssign import CrossSigningError
from .keyshare import share_room_key
from .memory import QuestionMemory
from .outgoing import Sender
from .parse import NAME, Addressing, answered_event, parse_event
from .rooms import DirectRooms, create_direct_room, inviter_allowed, invite_of
from .session import MatrixError, cross_sign, open_client, raw_request
from .state import TransportState
from .trust import apply_trust_policy, ready_to_encrypt

log = logging.getLogger(__name__)
SYNC_TIMEOUT_MS = 30_000
MAX_BACKOFF = 30.0
CROSS_SIGN_RETRY = 600.0
# Enough timeline per room to resume after a long outage without a gap.
SYNC_FILTER = {"room": {"timeline": {"limit": 200}, "state": {"lazy_load_members": False}},
               "presence": {"types": []}}
# Set while the sync loop hands an event to the core: a send from there must not wait for a sync.
IN_SYNC: contextvars.ContextVar[bool] = contextvars.ContextVar("matrix_in_sync", default=False)


class MatrixTransport:
    name = NAME
    formats: tuple[str, ...] = ("plain", "matrix")

    def __init__(self, settings: MatrixSection, memory: QuestionMemory) -> None:
        self.settings = settings
        self.store_path = Path(settings.store_path)
        self.state = TransportState(self.store_path / "sachstand-state.json")
        self.memory = memory  # the questions asked and their choices, in the database
        self.sender = Sender(self._room_send, memory, lambda: self.state.poll_secret)
        prefixes = tuple(p for p in (settings.command_prefix, settings.command_alias) if p)
        localpart = settings.user_id[1:].split(":", 1)[0]
        self.addressing = Addressing(settings.user_id, prefixes, (settings.device_name, localpart))
        self.client: AsyncClient | None = None
        self.direct = DirectRooms(self.state)
        self._dispatch: Dispatch | None = None
        self._task: asyncio.Task[None] | None = None
        self._connected = False
        self._logged_in = asyncio.Event()
        self._reply_targets: dict[str, str] = {}  # incoming event id → event a reply should quote
        # The outbox sends in several rooms at once (issue #20); within one room one message at a
        # time: nio's outbound group session (and its message index) is per room, and a message's
        # poll, reactions and files follow it. One-time keys are claimed one room at a time, so two
        # rooms sharing a member's device do not open two Olm sessions with it.
        self._room_locks: dict[str, asyncio.Lock] = {}
        self._claiming = asyncio.Lock()
        self._created: dict[str, set[str]] = {}  # direct rooms created by us → whom we invited
        self._cross_signed = False
        self._cross_sign_at = 0.0

    @property
    def connected(self) -> bool:
        return self._connected

    # -- lifecycle ---------------------------------------------------------------------
    async def start(self, dispatch: Dispatch) -> None:
        self._dispatch = dispatch
        self.store_path.mkdir(parents=True, exist_ok=True, mode=0o700)
        await self.memory.adopt(self.state.take_questions())  # an older version kept them in its file
        self._task = asyncio.create_task(self._run(), name="matrix-sync")
        self._task.add_done_callback(self._ended)

    def _ended(self, task: asyncio.Task[None]) -> None:
        self._connected = False
        if not task.cancelled() and task.exception() is not None:
            log.error("matrix: the sync loop ended", exc_info=task.exception())

    async def stop(self) -> None:
        if self._task and not self._task.done():
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self.client is not None:
            await self.client.close()
        self._connected = False
        await self.state.flush()

    async def _run(self) -> None:
        while True:
            backoff = 1.0
            while not self._logged_in.is_set():  # the homeserver may not be up yet
                try:
                    await self._login()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    log.warning("matrix login failed (%s); retrying in %.0f s", exc, backoff)
                    await asyncio.sleep(backoff)
                    backoff = min(MAX_BACKOFF, backoff * 2)
            await self._sync_loop()  # returns only when the access token was revoked
            await self._forget_login()

    async def _forget_login(self) -> None:
        log.error("matrix: the access token was revoked; logging in again as a new device")
        self._logged_in.clear()
        self._connected = False
        self.state.data.pop("credentials", None)
        self.state.save()
        if self.client is not None:
            await self.client.close()
            self.client = None

    async def _login(self) -> None:
        client = await open_client(self.settings, self.state, SYNC_TIMEOUT_MS / 1000 + 15)
        self.client = client
        self._cross_signed = False
        await self._guarded(self._cross_sign(), "cross-signing")  # never keeps the bot from running
        self._logged_in.set()

    async def _cross_sign(self) -> None:
        """Before the first sync, so the first message already carries the owner's signature;
        retried at most every CROSS_SIGN_RETRY seconds when the homeserver refused."""
        if self.client is None or not self.settings.encryption:
            return
        self._cross_sign_at = asyncio.get_running_loop().time()
        try:
            await cross_sign(self.client, self.settings)
        except (CrossSigningError, aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:  # no bug: no traceback
            log.error("matrix: the device is not cross-signed, Element users see it as insecure: %s", exc)
            return
        self._cross_signed = True

    # -- sync --------------------------------------------------------------------------
    async def _sync_loop(self) -> None:
        assert self.client is not None
        client, backoff, first = self.client, 1.0, True
        while True:
            token = self.state.sync_token
            try:
                if first:  # full state: nio keeps no room state across restarts
                    resp = await client.sync(timeout=0, full_state=True, since=token or None,
                                             sync_filter=SYNC_FILTER)
                else:
                    resp = await client.sync(timeout=SYNC_TIMEOUT_MS, since=token, sync_filter=SYNC_FILTER)
                if isinstance(resp, SyncError) and resp.status_code == "M_UNKNOWN_TOKEN":
                    return
                if not isinstance(resp, SyncResponse):
                    raise MatrixError(f"sync failed: {resp}")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self._connected:
                    log.warning("matrix homeserver unreachable (%s); retrying with backoff", exc)
                self._connected = False
                await asyncio.sleep(backoff)
                backoff = min(MAX_BACKOFF, backoff * 2)
                continue
            if not self._connected:
                log.info("matrix: connected to %s", self.settings.homeserver)
            self._connected, backoff = True, 1.0
            await self._guarded(self._keys(), "key maintenance")
            try:
                await self._handle_batch(resp, replay=bool(token) or not first)
                self.state.set_sync_token(resp.next_batch)  # only now: the batch is handled
            except asyncio.CancelledError:
                raise
            except Exception:  # e.g. the store is not writable: keep the old token, try again
                log.exception("matrix: could not finish a sync batch; it will come again")
                await asyncio.sleep(backoff)
                backoff = min(MAX_BACKOFF, backoff * 2)
                continue
            first = False

    async def _keys(self) -> None:
        client = self.client
        assert client is not None
        if not self.settings.encryption:
            return
        if not self._cross_signed and asyncio.get_running_loop().time() - self._cross_sign_at > CROSS_SIGN_RETRY:
            await self._guarded(self._cross_sign(), "cross-signing")
        await client.send_to_device_messages()
        if client.should_upload_keys:
            await client.keys_upload()
        if client.should_query_keys:
            await client.keys_query()
        if client.should_claim_keys:
            await client.keys_claim(client.get_users_for_key_claiming())

    async def _handle_batch(self, resp: SyncResponse, replay: bool) -> None:
        for event in resp.account_data_events:
            if getattr(event, "type", None) == "m.direct" and isinstance(getattr(event, "content", None), dict):
                self.direct.update_from_account_data(event.content)
        for room_id, info in resp.rooms.invite.items():
            await self._guarded(self._on_invite(room_id, info.invite_state), f"invite to {room_id}")
        if not replay:
            return  # the first sync of a new device: learn the rooms, answer nothing old
        batch: list[asyncio.Task[None]] = []
        for room_id, info in resp.rooms.join.items():
            for event in info.timeline.events:
                await self._guarded(self._on_event(room_id, event, batch), f"event in {room_id}")
        # handled at once across conversations, in arrival order within one (App.dispatch's
        # lanes take their places in the order the tasks start: the order of the timeline)
        await asyncio.gather(*batch)

    async def _on_event(self, room_id: str, event: Any, batch: list[asyncio.Task[None]]) -> None:
        assert self.client is not None and self._dispatch is not None
        if isinstance(event, MegolmEvent):  # could not decrypt: ask the sender's devices for the key
            log.warning("matrix: cannot decrypt event %s in %s (session %s)", event.event_id, room_id,
                        event.session_id)
            try:
                await self.client.request_room_key(event)
            except Exception:  # a key request is already pending
                pass
            return
        source = getattr(event, "source", None)
        if not isinstance(source, dict):
            return
        room = self.client.rooms.get(room_id)
        sender = source.get("sender", "")
        name = room.user_name(sender) if room is not None and sender else ""
        # A body's room is known to the catalog by its alias (#eg-…:server): use it as the channel id.
        channel_id = (room.canonical_alias if room is not None and room.canonical_alias
                      and not self.direct.is_direct(room_id) else room_id)
        target = answered_event(source)  # a reaction or poll vote: the question it answers, from the database
        asked = await self.memory.lookup(target, room_id) if target and sender != self.settings.user_id else None
        msg = parse_event(source, channel_id, self.direct.is_direct(room_id), self.addressing, name or "",
                          lambda event_id: asked if event_id == target else None)
        if msg is None or msg.is_own:
            return
        self._reply_targets[msg.event_id] = msg.replaces if msg.kind == "edit" else (
            "" if msg.kind in ("reaction", "action", "late") else msg.event_id)
        if len(self._reply_targets) > 1000:
            self._reply_targets.pop(next(iter(self._reply_targets)))
        token = IN_SYNC.set(True)  # the task copies this context: its sends know they are in the sync
        try:
            batch.append(asyncio.create_task(self._guarded(self._dispatch(msg), f"event {msg.event_id}")))
        finally:
            IN_SYNC.reset(token)

    async def _on_invite(self, room_id: str, invite_state: list[Any]) -> None:
        assert self.client is not None
        invite = invite_of(invite_state, self.settings.user_id)
        if invite is None:
            return
        inviter, is_direct = invite
        if not inviter_allowed(inviter, self.settings.allowed_inviters):
            log.info("matrix: rejecting invite to %s from %s (not an allowed inviter)", room_id, inviter)
            await self.client.room_leave(room_id)
            return
        resp = await self.client.join(room_id)
        if isinstance(resp, JoinError):
            raise MatrixError(f"join {room_id} failed: {resp}")
        log.info("matrix: joined %s on invitation by %s", room_id, inviter)
        if is_direct:
            await self._mark_direct(inviter, room_id)

    async def _mark_direct(self, user_id: str, room_id: str) -> None:
        assert self.client is not None
        mapping = self.direct.add(user_id, room_id)
        path = f"/_matrix/client/v3/user/{self.settings.user_id}/account_data/m.direct"
        status, _ = await raw_request(self.client, "PUT", path, mapping)
        if status >= 400:
            raise MatrixError(f"PUT {path}: HTTP {status}")

    async def _guarded(self, work: Any, what: str) -> None:
        """A failing handler is logged and never stops the sync loop."""
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("matrix: %s failed", what)

    # -- sending -----------------------------------------------------------------------
    async def send(self, message: OutgoingMessage) -> str | None:
        client = self._ready()
        assert message.channel is not None
        room_id = await self._room_id(client, message.channel.id)
        reply_to = self._reply_targets.get(message.in_reply_to, message.in_reply_to)
        await self._wait_for_room(room_id)  # a room just created: whether it is encrypted is known then
        room = client.rooms.get(room_id)
        encrypted = bool(self.settings.encryption and room is not None and room.encrypted)
        async with self._room_locks.setdefault(room_id, asyncio.Lock()):
            return await self.sender.send(client, room_id, message, reply_to if reply_to.startswith("$") else "",
                                          encrypted)

    async def _room_send(self, client: AsyncClient, room_id: str, kind: str, content: dict[str, Any],
                         txn_id: str | None) -> str:
        await self._wait_for_room(room_id)
        room = client.rooms.get(room_id)
        if self.settings.encryption and room is not None and room.encrypted:
            # invitees of a room we created, and every member's device list, before any room key
            await ready_to_encrypt(client, room_id, self._created.get(room_id, set()), not IN_SYNC.get())
            apply_trust_policy(client, room, self.settings.trust_policy)
            await share_room_key(client, room_id, self.settings.trust_policy != "verified", self._claiming)
        resp = await client.room_send(room_id, kind, content, tx_id=txn_id,
                                      ignore_unverified_devices=self.settings.trust_policy != "verified")
        if isinstance(resp, RoomSendError) and resp.status_code == "M_LIMIT_EXCEEDED":
            raise RetryAfter((resp.retry_after_ms or 1000) / 1000, f"matrix rate limit in {room_id}")
        if not isinstance(resp, RoomSendResponse):
            raise MatrixError(f"sending to {room_id} failed: {resp}")
        return resp.event_id

    async def _room_id(self, client: AsyncClient, channel_id: str) -> str:
        """Room ids pass through; an alias (a body's room in the catalog) is resolved."""
        if not channel_id.startswith("#"):
            return channel_id
        known = next((r.room_id for r in client.rooms.values() if r.canonical_alias == channel_id), None)
        if known:
            return known
        resp = await client.room_resolve_alias(channel_id)
        if not isinstance(resp, RoomResolveAliasResponse):
            raise MatrixError(f"room alias {channel_id} not found: {resp}")
        return resp.room_id

    async def _wait_for_room(self, room_id: str, seconds: float = 5.0) -> None:
        """A room just joined or created is known to nio only after the next sync."""
        assert self.client is not None
        if room_id not in self.client.rooms and IN_SYNC.get():
            # Called from inside the sync loop: waiting would block the very sync we wait for.
            raise MatrixError(f"room {room_id} is not synced yet; sending after this sync")
        for _ in range(int(seconds * 10)):
            if room_id in self.client.rooms:
                return
            await asyncio.sleep(0.1)
        raise MatrixError(f"room {room_id} is not known (yet)")

    def choice_style(self, channel_id: str) -> str:
        """A poll in an encrypted room (a reaction would be readable by the homeserver), reactions
        elsewhere: what a message's text tells people to do. A room not known yet is one the bot
        will create (a direct room: encrypted when encryption is on)."""
        rooms = list(self.client.rooms.values()) if self.client is not None else []  # a copy: off the loop
        room = next((r for r in rooms if channel_id in (r.room_id, r.canonical_alias)), None)
        encrypted = room.encrypted if room is not None else True
        return "poll" if self.settings.encryption and encrypted else "reaction"

    def _ready(self) -> AsyncClient:
        if self.client is None or not self._logged_in.is_set():
            raise MatrixError("not logged in to the homeserver yet")
        return self.client

    async def direct_channel(self, user_id: str) -> str:
        """An existing direct room with the person (m.direct), or a new one (encrypted if enabled)."""
        client = self._ready()
        if not self.direct.loaded:
            resp = await client.list_direct_rooms()
            self.direct.update_from_account_data(resp.rooms if isinstance(resp, DirectRoomsResponse) else {})
        for room_id in self.direct.rooms_with(user_id):
            room = client.rooms.get(room_id)
            if room is not None and (user_id in room.users or user_id in room.invited_users):
                return room_id
            if room is None and room_id in self._created:
                return room_id
        return await self.new_direct_room(user_id)

    async def new_direct_room(self, user_id: str) -> str:
        """A new direct room with the person; its first message waits for their membership."""
        room_id = await create_direct_room(self._ready(), user_id, self.settings.encryption)
        self._created[room_id] = {user_id}
        await self._mark_direct(user_id, room_id)
        return room_id
