"""Polls (MSC3381) as members see and answer them, and a room's events as the homeserver holds them."""
from __future__ import annotations

import json
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from conftest import BOT
from matrix_member import Member, Seen

START = "org.matrix.msc3381.poll.start"
RESPONSE = "org.matrix.msc3381.poll.response"
END = "org.matrix.msc3381.poll.end"
TEXT = "org.matrix.msc1767.text"


def poll_of(content: dict[str, Any]) -> dict[str, Any]:
    return dict(content.get(START) or {})


def question_of(content: dict[str, Any]) -> str:
    return str(poll_of(content).get("question", {}).get(TEXT, ""))


def answer_ids(content: dict[str, Any]) -> dict[str, str]:
    """label → answer id, as a client shows the poll."""
    return {a[TEXT]: a["id"] for a in poll_of(content).get("answers", [])}


def bot_poll(room_id: str, contains: str = "") -> Callable[[Seen], bool]:
    """A poll the bot started in a room (its question containing a text), decrypted."""
    def check(s: Seen) -> bool:
        return (s.room_id == room_id and s.sender == BOT and s.type == START
                and contains in question_of(s.content))
    return check


def bot_poll_end(room_id: str, poll_id: str) -> Callable[[Seen], bool]:
    def check(s: Seen) -> bool:
        rel = s.content.get("m.relates_to", {})
        return (s.room_id == room_id and s.sender == BOT and s.type == END
                and rel.get("rel_type") == "m.reference" and rel.get("event_id") == poll_id)
    return check


def response_content(poll_id: str, ids: list[str]) -> dict[str, Any]:
    """What matrix-js-sdk's PollResponseEvent.from(ids, poll_id).serialize() gives, as Element sends it."""
    return {"m.relates_to": {"rel_type": "m.reference", "event_id": poll_id}, RESPONSE: {"answers": ids}}


async def vote(member: Member, room_id: str, poll: Seen, *labels: str) -> str:
    ids = answer_ids(poll.content)
    return await member.send(room_id, response_content(poll.event_id, [ids[label] for label in labels]), RESPONSE)


def raw_events(homeserver: str, access_token: str, room_id: str) -> list[dict[str, Any]]:
    """The room's timeline as the homeserver stores it (client-server /messages, no decryption)."""
    events: list[dict[str, Any]] = []
    token = ""
    while True:
        query = {"dir": "b", "limit": "500", **({"from": token} if token else {})}
        url = (f"{homeserver}/_matrix/client/v3/rooms/{urllib.parse.quote(room_id)}/messages?"
               + urllib.parse.urlencode(query))
        request = urllib.request.Request(url, headers={"Authorization": f"Bearer {access_token}"})
        with urllib.request.urlopen(request, timeout=30) as resp:
            page = json.load(resp)
        events.extend(page.get("chunk", []))
        if not page.get("end") or not page.get("chunk"):
            return events
        token = page["end"]


def bot_plaintext(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every timeline event of the bot the homeserver can read (state events are always plain)."""
    return [e for e in events if e.get("sender") == BOT and "state_key" not in e
            and e.get("type") != "m.room.encrypted"]
