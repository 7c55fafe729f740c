"""Device trust policy for encrypted rooms (see docs/matrix.md).

- "tofu" (default): a device seen for the first time is marked verified and its keys are
  pinned in the store; nio ignores a later key change for the same device id.
- "all": room keys go to every device of the room's members, none is marked verified.
- "verified": room keys go only to devices marked verified in the store; every other
  device is blacklisted (gets no keys). There is no interactive verification in the bot:
  use this only where devices are verified out of band.
"""
from __future__ import annotations

from typing import Any


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
