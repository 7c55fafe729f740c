"""Platform-neutral events: what transports hand to the core and get back."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal


@dataclass(frozen=True)
class ChannelRef:
    transport: str
    id: str
    direct: bool = False  # a direct message with one person


@dataclass(frozen=True)
class PersonRef:
    transport: str
    id: str  # the platform's user id (console handle, @user:server, U…)
    display_name: str = ""


@dataclass(frozen=True)
class Choice:
    value: str  # what a typed answer would be
    label: str
    key: str = ""  # a short key shown before the label ("1", "2", …) or an emoji on Matrix
    # Several choices may be picked together (a date poll): the answer for a set of them is this
    # text with {keys} replaced by their keys ("abstimmen EG2 {keys}" → "abstimmen EG2 1 3").
    several: str = ""


# "late": a vote on a question the bot has already closed (a Matrix poll that ended): it counts
# for nothing, and the voter is told so
EventKind = Literal["message", "reaction", "action", "edit", "late"]


@dataclass(frozen=True)
class IncomingMessage:
    channel: ChannelRef
    sender: PersonRef
    text: str
    event_id: str = ""
    kind: EventKind = "message"
    is_own: bool = False  # sent by the bot itself (transports set it; middleware drops it)
    addressed: bool = True  # in a room: prefixed or mentioning the bot
    replaces: str = ""  # for edits: the event id of the edited message


@dataclass(frozen=True)
class Attachment:
    filename: str
    mimetype: str
    data: bytes


@dataclass
class OutgoingMessage:
    """A rendered message: one text per format the transport asked for."""

    channel: ChannelRef | None
    texts: dict[str, str]
    choices: list[Choice] = field(default_factory=list)
    in_reply_to: str = ""
    to_person: str = ""  # platform user id, when the channel (a DM) is not known yet
    attachments: list[Attachment] = field(default_factory=list)
    ephemeral: bool = False  # only the addressee sees it (Slack); others treat it as normal
    meta: dict[str, Any] = field(default_factory=dict)

    def text(self, fmt: str = "plain") -> str:
        return self.texts.get(fmt) or self.texts.get("plain") or next(iter(self.texts.values()), "")
