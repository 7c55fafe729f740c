"""Sharing a room key so that every device of the room's members really has it (issue #14, point 5).

nio's `share_group_session` sends the room key to every device it has an Olm session with and then
marks the session shared, whatever happened: a device whose one-time key could not be claimed is
skipped ("Missing Olm session … skipping"), a to-device request that failed is ignored
(`gather(return_exceptions=True)`). Every message encrypted with that session is then lost for
that device for good — under load, the member's client reports the same Megolm session as "no
session found" on every sync. Here the share is checked device by device: the devices that did
not get the key are claimed again and get the *same* session (nio continues a session that is not
marked shared, skipping the devices already served). What still fails for a device the homeserver
can reach is retried by the outbox before anything is encrypted; a device that has no one-time
key left (an abandoned login) cannot get an Olm session and does not hold the room up.
Tested against a proxy that fails exactly these requests (tests/integration/matrix/test_matrix_8_key_share.py).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from nio import KeysClaimResponse

from bot.outbox import RetryAfter

log = logging.getLogger(__name__)
ATTEMPTS = 3
RETRY_SECONDS = 2.0

Device = tuple[str, str]


def _session(client: Any, room_id: str) -> Any:
    return client.olm.outbound_group_sessions.get(room_id)


def unserved(client: Any, room_id: str) -> set[Device]:
    """Devices of the room's members that should hold the room's current key and do not."""
    olm, room, session = client.olm, client.rooms.get(room_id), _session(client, room_id)
    if room is None or session is None:
        return set()
    done = session.users_shared_with | session.users_ignored
    return {(user_id, device.id) for user_id in list(room.users)
            for device in olm.device_store.active_user_devices(user_id)
            if not (user_id == client.user_id and device.id == client.device_id)
            and not olm.is_device_blacklisted(device) and (user_id, device.id) not in done}


async def claim_missing(client: Any, room_id: str, claiming: asyncio.Lock) -> bool:
    """One-time keys for the room's devices without an Olm session, one room at a time (two rooms
    sharing a device must not open two sessions with it). False: the homeserver did not answer."""
    async with claiming:
        missing = client.get_missing_sessions(room_id)
        if not missing:
            return True
        try:
            resp = await client.keys_claim(missing)
        except (asyncio.TimeoutError, OSError, TypeError) as exc:  # TypeError: nio cannot parse an error answer
            log.warning("matrix: claiming one-time keys for %s failed: %s", room_id, exc)
            return False
        if not isinstance(resp, KeysClaimResponse) or resp.failures:
            log.warning("matrix: claiming one-time keys for %s failed: %s", room_id,
                        getattr(resp, "failures", None) or resp)
            return False
        return True


async def share_room_key(client: Any, room_id: str, ignore_unverified: bool, claiming: asyncio.Lock) -> None:
    """Make sure the room's current outbound session reached every member's device before a
    message is encrypted with it; raise RetryAfter while a reachable device is still without it."""
    olm = client.olm
    if olm is None or not olm.should_share_group_session(room_id):
        return
    left: set[Device] = set()
    for _ in range(ATTEMPTS):
        if not await claim_missing(client, room_id, claiming):
            # not now: nio would claim again inside the share, and a failed claim there wedges the room
            raise RetryAfter(RETRY_SECONDS, f"matrix: one-time keys for {room_id} could not be claimed")
        await _share(client, room_id, ignore_unverified)
        left = unserved(client, room_id)
        if not left:
            return
        without_olm = {d for d in left if _no_olm_session(client, d)}
        if left == without_olm:
            # the homeserver answered the claim and had no key for them: logins no one uses any more
            log.warning("matrix: %s: no one-time key for %s; they cannot read this room's messages",
                        room_id, ", ".join(f"{u} {d}" for u, d in sorted(left)))
            return
        session = _session(client, room_id)
        if session is not None:
            session.shared = False  # the next share sends the same session to the devices left
    raise RetryAfter(RETRY_SECONDS, f"matrix: the room key of {room_id} did not reach "
                                    f"{', '.join(f'{u} {d}' for u, d in sorted(left))}")


async def _share(client: Any, room_id: str, ignore_unverified: bool) -> None:
    """nio's share, without two of its faults (matrix-nio 0.26):
    - an error in its own key claim (before its try/finally) left `sharing_session[room_id]` set
      for good, and every later message in the room waited on it;
    - an error answer to the to-device request builds ShareGroupSessionError with its arguments
      shifted (`users_shared_with` lands in `soft_logout`), and nio then forgets the access token:
      one 502 under load and every later request of the bot failed with "Not logged in"."""
    token = client.access_token
    try:
        await client.share_group_session(room_id, ignore_unverified_devices=ignore_unverified)
    except BaseException as exc:
        if (pending := client.sharing_session.pop(room_id, None)) is not None:
            pending.set()
        if isinstance(exc, Exception):
            raise RetryAfter(RETRY_SECONDS, f"matrix: sharing the room key of {room_id} failed: {exc!r}") from exc
        raise
    finally:
        if token and not client.access_token:  # a real logout shows in the sync (M_UNKNOWN_TOKEN)
            client.access_token = token


def _no_olm_session(client: Any, device: Device) -> bool:
    user_id, device_id = device
    olm_device = client.olm.device_store[user_id].get(device_id)
    return olm_device is None or client.olm.session_store.get(olm_device.curve25519) is None
