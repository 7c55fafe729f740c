"""Native Matrix polls (MSC3381) for choices in encrypted rooms: pure functions over plain dicts.

A reaction is never encrypted (matrix-nio, like the spec's relations, sends m.reaction in the
clear), so in an encrypted room a choice is offered as a poll: `org.matrix.msc3381.poll.start`
as Element and matrix-js-sdk send it (the unstable key, the stable `m.poll.start` key beside it,
and the MSC1767 text fallback for clients without polls). A member's vote is an encrypted
`m.poll.response`; the homeserver sees only ciphertext and the reference to the poll.

Answer ids are opaque: derived from a secret of this installation and the message's transaction
id (a resend after a crash gets the same ids, the ones the homeserver kept), never the option's
position or value.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from typing import Any

from bot.core.events import Choice

START = ("org.matrix.msc3381.poll.start", "m.poll.start")  # (unstable, stable): Element sends unstable
RESPONSE = ("org.matrix.msc3381.poll.response", "m.poll.response")
END = ("org.matrix.msc3381.poll.end", "m.poll.end")
TEXT = "org.matrix.msc1767.text"
DISCLOSED = "org.matrix.msc3381.poll.disclosed"
MAX_ANSWERS = 20  # Element and js-sdk read at most 20 answers
MAX_QUESTION = 340
_QUESTION_END = re.compile(r"\?(?=\s|$)")


def answer_ids(secret: bytes, txn_id: str, count: int) -> list[str]:
    """Opaque, unique answer ids; the same for a resend of the same message."""
    if not txn_id:
        return [secrets.token_urlsafe(12) for _ in range(count)]
    return [base64.urlsafe_b64encode(hmac.new(secret, f"{txn_id}:{i}".encode(), hashlib.sha256).digest()[:12])
            .decode().rstrip("=") for i in range(count)]


def poll_question(plain: str) -> str:
    """The poll's question from the message's plain text: its first line (what is asked about),
    and the last sentence that asks something, when that is another line. A poll is a card of its
    own in Element: the question must be on it, not only in the message above it."""
    lines = [line.strip() for line in plain.splitlines() if line.strip()]
    if not lines:
        return "?"
    asking = next((a for a in map(_asking, reversed(lines[1:])) if a), "")
    question = f"{lines[0]} – {asking}" if asking else lines[0]
    return question if len(question) <= MAX_QUESTION else question[:MAX_QUESTION - 1] + "…"


def _asking(line: str) -> str:
    """The line up to its last question mark that ends a sentence ("…, Kalender)? Sie können …"
    asks the part before the mark); "" for a line that asks nothing."""
    ends = [m.end() for m in _QUESTION_END.finditer(line)]
    return line[:ends[-1]] if ends else ""


def offered(choices: list[Choice]) -> list[Choice]:
    return choices[:MAX_ANSWERS]


def max_selections(choices: list[Choice]) -> int:
    return len(offered(choices)) if any(c.several for c in choices) else 1


def start_content(question: str, choices: list[Choice], ids: list[str]) -> dict[str, Any]:
    answers = [{"id": answer_id, TEXT: c.label, "body": c.label} for c, answer_id in zip(offered(choices), ids)]
    poll = {"question": {TEXT: question, "body": question, "msgtype": "m.text"}, "kind": DISCLOSED,
            "max_selections": max_selections(choices), "answers": answers}
    fallback = question + "\n" + "\n".join(f"{n}. {c.label}" for n, c in enumerate(offered(choices), 1))
    return {START[0]: poll, START[1]: poll, TEXT: fallback, "body": fallback}


def end_text(closed: str, question: str) -> str:
    """What a poll's end says: "Umfrage beendet: <question>" in the language it was asked in
    (`closed` comes from the core with the message). Never "✓": a poll also ends unanswered,
    when a newer question of its topic replaces it."""
    return f"{closed}: {question}" if closed else question


def end_content(start_event_id: str, text: str) -> dict[str, Any]:
    return {"m.relates_to": {"rel_type": "m.reference", "event_id": start_event_id},
            END[0]: {}, END[1]: {}, TEXT: text, "body": text}


def response_of(kind: str, content: dict[str, Any]) -> tuple[str, list[str]] | None:
    """(the poll's event id, the chosen answer ids) of a poll response; [] for a spoiled one."""
    if kind not in RESPONSE:
        return None
    relation = content.get("m.relates_to")
    if not isinstance(relation, dict) or relation.get("rel_type") != "m.reference":
        return None
    poll_id = relation.get("event_id")
    if not isinstance(poll_id, str) or not poll_id:
        return None
    body = content.get(RESPONSE[0]) or content.get(RESPONSE[1])
    answers = body.get("answers") if isinstance(body, dict) else content.get("m.selections")  # stable form
    if not isinstance(answers, list) or not answers or not all(isinstance(a, str) for a in answers):
        return poll_id, []
    return poll_id, answers


def answer_for(choices: list[Choice], ids: list[str], chosen: list[str]) -> str | None:
    """The typed answer a poll response stands for; None for a spoiled one (an unknown id, or
    none at all: MSC3381 does not count it)."""
    by_id = dict(zip(ids, choices))
    if not chosen or any(a not in by_id for a in chosen):
        return None
    several = next((c.several for c in choices if c.several), "")
    if not several:
        return by_id[chosen[0]].value
    picked = [by_id[a] for a in dict.fromkeys(chosen)][:max_selections(choices)]
    order = {id(c): n for n, c in enumerate(choices)}
    keys = [c.key for c in sorted(picked, key=lambda c: order[id(c)])]
    return several.format(keys=" ".join(keys))
