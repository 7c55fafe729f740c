"""Who may invite the bot, what an invite says, and which rooms are direct (m.direct)."""
from __future__ import annotations

from typing import Any

from nio import RoomCreateError, RoomPreset

from .state import TransportState


def inviter_allowed(inviter: str, allowed: list[str]) -> bool:
    """Allowed: listed user ids, or anyone on a listed server; an empty list allows everyone."""
    if not allowed:
        return True
    server = inviter.split(":", 1)[1] if ":" in inviter else ""
    return any(entry == inviter or (not entry.startswith("@") and entry == server) for entry in allowed)


def invite_of(invite_state: list[Any], me: str) -> tuple[str, bool] | None:
    """(inviter, is_direct) from a room's stripped invite state, or None."""
    for event in invite_state:
        source = getattr(event, "source", None) or {}
        content = source.get("content") or getattr(event, "content", None) or {}
        state_key = source.get("state_key", getattr(event, "state_key", None))
        membership = content.get("membership", getattr(event, "membership", None))
        if source.get("type", "m.room.member") == "m.room.member" and state_key == me and membership == "invite":
            sender = str(source.get("sender") or getattr(event, "sender", ""))
            return sender, bool(content.get("is_direct"))
    return None


class DirectRooms:
    """The bot's m.direct map (user → rooms), kept in the transport state and account data."""

    def __init__(self, state: TransportState) -> None:
        self.state = state
        self.loaded = bool(state.direct)

    def update_from_account_data(self, content: dict[str, Any]) -> None:
        mapping = {u: [r for r in rooms if isinstance(r, str)] for u, rooms in content.items()
                   if isinstance(u, str) and isinstance(rooms, list)}
        self.state.set_direct(mapping)
        self.loaded = True

    def add(self, user_id: str, room_id: str) -> dict[str, list[str]]:
        mapping = {u: list(r) for u, r in self.state.direct.items()}
        rooms = mapping.setdefault(user_id, [])
        if room_id not in rooms:
            rooms.append(room_id)
        self.state.set_direct(mapping)
        return mapping

    def is_direct(self, room_id: str) -> bool:
        return any(room_id in rooms for rooms in self.state.direct.values())

    def rooms_with(self, user_id: str) -> list[str]:
        return list(reversed(self.state.direct.get(user_id, [])))  # newest first


ENCRYPTION_STATE = {"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}


async def create_direct_room(client: Any, user_id: str, encrypted: bool) -> str:
    """A new direct room with the person invited (trusted private chat, encrypted if enabled)."""
    created = await client.room_create(is_direct=True, invite=[user_id], preset=RoomPreset.trusted_private_chat,
                                       initial_state=[ENCRYPTION_STATE] if encrypted else [])
    if isinstance(created, RoomCreateError):
        raise RuntimeError(f"creating a direct room with {user_id} failed: {created}")
    return str(created.room_id)
