"""Outgoing event contents: m.notice with sanitised HTML, replies, pills, choice reactions.

Pure functions over plain dicts, so they are tested without a server.
"""
from __future__ import annotations

import re

from bot.core.events import Choice, OutgoingMessage

KEYCAPS = {str(n): f"{n}\ufe0f\u20e3" for n in range(10)} | {"10": "\U0001f51f"}
_PILL = re.compile(r'href="https://matrix\.to/#/(@[^"/?]+)"')


def keycap(key: str) -> str:
    """The reaction a choice is offered as: "1" → 1️⃣; other keys (already emoji) stay as they are."""
    return KEYCAPS.get(key, key)


def choice_for_reaction(choices: list[Choice], reaction: str) -> Choice | None:
    """Map a member's reaction back to the choice it stands for (variation selectors ignored)."""
    wanted = _bare(reaction)
    return next((c for c in choices if c.key and _bare(keycap(c.key)) == wanted), None)


def _bare(emoji: str) -> str:
    return emoji.replace("\ufe0f", "").strip()


def message_content(msg: OutgoingMessage, reply_to: str = "") -> dict[str, object]:
    """The content of the m.room.message event for one rendered message."""
    html = msg.texts.get("matrix", "")
    content: dict[str, object] = {"msgtype": "m.notice", "body": msg.text("plain")}
    if html:
        content["format"] = "org.matrix.custom.html"
        content["formatted_body"] = html
    mentioned = sorted(set(_PILL.findall(html)))
    content["m.mentions"] = {"user_ids": mentioned}  # pills notify exactly the people named
    if reply_to:
        content["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
    return content


def reaction_content(event_id: str, key: str) -> dict[str, object]:
    return {"m.relates_to": {"rel_type": "m.annotation", "event_id": event_id, "key": keycap(key)}}
