"""Device trust policy for encrypted rooms (see docs/matrix.md).

- "tofu" (default): a device seen for the first time is marked verified and its keys are
  pinned in the store; nio ignores a later key change for the same device id.
- "all": room keys go to every device of the room's members, none is marked verified.
- "verified": room keys go only to devices marked verified in the store; every other
  device is blacklisted (gets no keys). There is no interactive verification in the bot:
  use this only where devices are verified out of band.

Independent of the policy, a room key is created only once the room's members and their
device lists are known (ready_to_encrypt).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

from nio import LocalProtocolError

log = logging.getLogger(__name__)


def apply_trust_policy(client: Any, room: Any, policy: str) -> None:
    if policy == "all":
        return
    for user_id in list(room.users):
        for device in client.device_store.active_user_devices(user_id):
            if device.verified or device.blacklisted:
                continue
            if device.device_id == client.device_id and user_id == client.user_id:
                continue
            if policy == "tofu":
                client.verify_device(device)
            else:
                client.blacklist_device(device)


class NotReady(RuntimeError):
    """The room's members or their devices are not known yet: encrypting now would lock someone out."""


async def ready_to_encrypt(client: Any, room_id: str, expected: set[str], may_wait: bool,
                           seconds: float = 15.0) -> None:
    """Return once nio knows every expected member of the room (the invitee of a direct room the
    bot just created: Synapse may sync the new room before its invite) and has fetched the device
    list of every member. Only then does a new room key reach all of their devices; a message
    encrypted before can never be decrypted by the one it was for.

    `may_wait` is False inside the sync loop (waiting there would block the very sync we wait
    for): a missing member then raises NotReady and the outbox sends again after the sync. An
    invitee who never shows up (e.g. rejected at once) is waited for `seconds`, and once only:
    `expected` is emptied, so the retry sends. A user whose homeserver does not answer the key
    query does not hold the room up either (logged; nio asks again next time)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        room = client.rooms.get(room_id)
        missing = expected - set(room.users) if room is not None else set(expected)
        if not missing:
            break
        if not may_wait or loop.time() > deadline:
            if may_wait:
                expected.clear()
            raise NotReady(f"{room_id}: membership of {', '.join(sorted(missing))} not synced yet")
        await asyncio.sleep(0.05)
    olm = client.olm

    def unknown() -> set[str]:
        return {u for u in room.users if u not in olm.tracked_users or u in olm.users_for_key_query}

    pending = unknown()
    if not pending:
        return
    olm.users_for_key_query.update(pending)
    try:
        await client.keys_query()
    except LocalProtocolError:  # another task's query answered for them meanwhile
        pass
    if still := unknown():
        log.warning("matrix: encrypting in %s without the device lists of %s (key query failed)", room_id,
                    ", ".join(sorted(still)))
