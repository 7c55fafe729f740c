"""Turn one Matrix event (its JSON, decrypted) into an IncomingMessage: a pure function.

Rooms need the command prefix, its alias or a mention of the bot; direct rooms need
nothing. Reactions and poll responses become the value of the choice they stand for (kind
"action", like a click; "late" for a vote on a poll already closed); edits carry the id of the
message they replace.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.core.events import ChannelRef, Choice, IncomingMessage, PersonRef

from .content import choice_for_reaction
from .polls import answer_for, response_of

NAME = "matrix"
_REPLY_FALLBACK = re.compile(r"\A(?:>[^\n]*\n)+\n?")


@dataclass(frozen=True)
class Asked:
    """A question of the bot: its choices and, for a poll, the answer id of each. `closed`: a poll
    that is no longer open (answered, or replaced by a newer question of its topic)."""

    choices: list[Choice]
    answer_ids: list[str] = field(default_factory=list)
    closed: bool = False


@dataclass(frozen=True)
class Addressing:
    me: str  # the bot's user id
    prefixes: tuple[str, ...]  # "!sachstand", "!s"
    names: tuple[str, ...] = ()  # display names / localpart that count as a mention


def parse_event(source: dict, room_id: str, direct: bool, how: Addressing, sender_name: str = "",
                question: Callable[[str], Asked | None] = lambda _id: None) -> IncomingMessage | None:
    """`question(event_id)` gives the bot's open question with that id, else None."""
    sender, event_id = source.get("sender", ""), source.get("event_id", "")
    content = source.get("content")
    if not sender or not event_id or not isinstance(content, dict):
        return None
    channel = ChannelRef(NAME, room_id, direct=direct)
    person = PersonRef(NAME, sender, sender_name)
    own = sender == how.me
    relates = content.get("m.relates_to")
    relation: dict[str, Any] = relates if isinstance(relates, dict) else {}
    kind = source.get("type")
    if kind == "m.reaction":
        return _reaction(relation, channel, person, event_id, own, question)
    response = response_of(str(kind), content)
    if response is not None:
        asked = question(response[0])
        answer = answer_for(asked.choices, asked.answer_ids, response[1]) if asked else None
        if answer is None:
            return None  # a vote on an unknown question, or a spoiled one (MSC3381 does not count it)
        # a vote on a closed poll counts for nothing; the core tells the voter so ("late")
        return IncomingMessage(channel, person, answer, event_id, kind="late" if asked and asked.closed else "action",
                               is_own=own)
    if kind != "m.room.message" or content.get("msgtype") not in ("m.text", "m.emote"):
        return None  # notices (other bots), media, state: not for us
    if relation.get("rel_type") == "m.replace":
        new = content.get("m.new_content")
        body = new.get("body") if isinstance(new, dict) else None
        if not isinstance(body, str):
            return None
        text, addressed = _address(body, content, direct, how)
        return IncomingMessage(channel, person, text, event_id, kind="edit", is_own=own,
                               addressed=addressed, replaces=str(relation.get("event_id", "")))
    body = content.get("body")
    if not isinstance(body, str):
        return None
    if "m.in_reply_to" in relation:
        body = _REPLY_FALLBACK.sub("", body)  # older clients quote the replied-to message
    text, addressed = _address(body, content, direct, how)
    return IncomingMessage(channel, person, text, event_id, is_own=own, addressed=addressed)


def _reaction(relation: dict, channel: ChannelRef, person: PersonRef, event_id: str, own: bool,
              question: Callable[[str], Asked | None]) -> IncomingMessage | None:
    if relation.get("rel_type") != "m.annotation":
        return None
    asked = question(str(relation.get("event_id", "")))
    choice = choice_for_reaction(asked.choices, str(relation.get("key", ""))) if asked and not asked.closed else None
    if choice is None:
        return None  # a reaction to anything but the open question is just a reaction
    return IncomingMessage(channel, person, choice.value, event_id, kind="reaction", is_own=own)


def answered_event(source: dict) -> str:
    """The event a reaction or a poll response answers ("" for anything else): the one whose
    question must be looked up before the event is parsed."""
    content = source.get("content")
    if not isinstance(content, dict) or not isinstance(content.get("m.relates_to"), dict):
        return ""
    relation = content["m.relates_to"]
    if source.get("type") == "m.reaction" or response_of(str(source.get("type")), content) is not None:
        target = relation.get("event_id")
        return target if isinstance(target, str) else ""
    return ""


def _address(body: str, content: dict, direct: bool, how: Addressing) -> tuple[str, bool]:
    """The command text and whether it was meant for the bot."""
    text = body.strip()
    for prefix in sorted(how.prefixes, key=len, reverse=True):
        if prefix and (text == prefix or text.startswith(prefix + " ") or text.startswith(prefix + "\n")):
            rest = text[len(prefix):].strip()
            # In a DM a prefixed line stays a command even mid-conversation ("!hilfe").
            return ("!" + rest if direct and rest else rest), True
    for name in (how.me, *how.names):
        head, rest = text[:len(name)], text[len(name):]
        if name and head.casefold() == name.casefold() and (not rest or rest[0] in " :,\n"):
            return rest.lstrip(" :,\n").strip(), True
    mentions = content.get("m.mentions")
    if isinstance(mentions, dict) and how.me in (mentions.get("user_ids") or []):
        return text, True
    return text, direct
