"""Pure Block Kit building: text split within Slack's limits, choice buttons, modals, App Home.

No I/O here, so every limit is testable without a server
(https://api.slack.com/reference/block-kit/blocks, …/surfaces/modals).
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.conversations.forms import Form
from bot.core.events import Choice

from .registry import CHOICE_PREFIX, FORM_OPEN, FORM_VIEW

SECTION_LIMIT = 3000  # characters of mrkdwn in one section block
BLOCKS_PER_MESSAGE = 50
TEXT_LIMIT = 40_000  # Slack truncates a message's text beyond this
BLOCKS_PER_VIEW = 100
BUTTONS_PER_BLOCK = 25
BUTTON_TEXT = 75  # characters of a button's or option's label
TITLE_LIMIT = 24  # characters of a modal's title
_ENTITY = re.compile(r"&[a-z]{0,4}$|<[^>]*$")  # do not cut inside &amp; or <@U…>


@dataclass(frozen=True)
class Part:
    """One chat.postMessage worth of content."""

    text: str  # notification / fallback text
    blocks: list[dict[str, Any]]


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def _plain(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": _clip(text, limit), "emoji": True}


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split_text(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """Chunks of at most `limit` characters, cut at line ends (then spaces) where possible."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:  # a single over-long line: cut at a space, never in an entity
            cut = line.rfind(" ", 0, limit + 1)
            if cut <= 0:
                cut = limit
                match = _ENTITY.search(line[:cut])
                if match and match.start() > 0:
                    cut = match.start()
            head, line = line[:cut].rstrip(), line[cut:].lstrip(" ")
            if current:
                chunks.append(current)
                current = ""
            chunks.append(head)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = line
    if current or not chunks:
        chunks.append(current)
    return [c for c in chunks if c.strip()] or [""]


def choice_blocks(choices: Sequence[Choice], extra: Sequence[dict[str, Any]] = ()) -> list[dict[str, Any]]:
    """Buttons: one per choice, value = the choice's value (what a typed answer would be)."""
    buttons = [{"type": "button", "action_id": f"{CHOICE_PREFIX}{i}", "value": c.value[:2000],
                "text": _plain(c.label, BUTTON_TEXT)} for i, c in enumerate(choices)]
    buttons.extend(extra)
    return [{"type": "actions", "block_id": f"choices_{n}", "elements": buttons[n:n + BUTTONS_PER_BLOCK]}
            for n in range(0, len(buttons), BUTTONS_PER_BLOCK)]


def form_button(label: str, conversation: str) -> dict[str, Any]:
    return {"type": "button", "action_id": FORM_OPEN, "value": conversation, "text": _plain(label, BUTTON_TEXT)}


def message_parts(text: str, choices: Sequence[Choice] = (),
                  extra_buttons: Sequence[dict[str, Any]] = ()) -> list[Part]:
    """A rendered message as one or more messages within Slack's limits; buttons go last."""
    sections: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": chunk}}
                for chunk in split_text(text) if chunk]
    actions = choice_blocks(choices, extra_buttons)
    parts: list[Part] = []
    blocks: list[dict[str, Any]] = []
    size = 0
    for section in sections:
        length = len(section["text"]["text"]) + 1
        if blocks and (len(blocks) >= BLOCKS_PER_MESSAGE or size + length > TEXT_LIMIT):
            parts.append(_part(blocks))
            blocks, size = [], 0
        blocks.append(section)
        size += length
    if actions and len(blocks) + len(actions) > BLOCKS_PER_MESSAGE:
        parts.append(_part(blocks))
        blocks = []
    blocks.extend(actions)
    if blocks or not parts:
        parts.append(_part(blocks))
    return parts


def _part(blocks: list[dict[str, Any]]) -> Part:
    text = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    return Part(text[:TEXT_LIMIT] or " ", blocks)


def answered(blocks: Sequence[dict[str, Any]], label: str) -> list[dict[str, Any]]:
    """The prompt after a click: the buttons give way to the chosen answer."""
    kept = [b for b in blocks if b.get("type") != "actions"]
    return [*kept, {"type": "context", "elements": [{"type": "mrkdwn", "text": f"✅ *{label}*"}]}]


def chosen_label(blocks: Sequence[dict[str, Any]], action_id: str, value: str) -> str:
    for block in blocks:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("action_id") == action_id:
                return str(element.get("text", {}).get("text", value))
    return value


# -- modals ----------------------------------------------------------------------------

def modal(form: Form, title: str, submit: str, close: str) -> dict[str, Any]:
    blocks = []
    for field in form.fields:
        if field.kind == "select":
            options = [{"text": _plain(o.label, BUTTON_TEXT), "value": o.value} for o in field.options]
            element: dict[str, Any] = {"type": "static_select", "action_id": "value", "options": options}
            initial = next((o for o in options if o["value"] == field.initial), None)
            if initial:
                element["initial_option"] = initial
        else:
            element = {"type": "plain_text_input", "action_id": "value"}
            if field.initial:
                element["initial_value"] = field.initial
        blocks.append({"type": "input", "block_id": field.name, "optional": field.optional,
                       "label": _plain(field.label, 2000), "element": element})
    return {"type": "modal", "callback_id": FORM_VIEW, "title": _plain(title, TITLE_LIMIT),
            "submit": _plain(submit, TITLE_LIMIT), "close": _plain(close, TITLE_LIMIT),
            "private_metadata": json.dumps({"state": form.state_id, "conversation": form.conversation}),
            "blocks": blocks[:BLOCKS_PER_VIEW]}


def submitted_values(view: dict[str, Any]) -> dict[str, str]:
    """{field name: value} from a view_submission's state."""
    values: dict[str, str] = {}
    for block_id, actions in view.get("state", {}).get("values", {}).items():
        element = actions.get("value", {})
        selected = element.get("selected_option")
        values[block_id] = selected["value"] if selected else (element.get("value") or "")
    return values


def home_view(text: str, forms: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """App Home: the rendered overview, then one "form" button per open prompt."""
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": chunk}}
                                    for chunk in split_text(text) if chunk]
    buttons = [{"type": "button", "action_id": FORM_OPEN, "value": value, "text": _plain(label, BUTTON_TEXT)}
               for label, value in forms]
    for n in range(0, len(buttons), BUTTONS_PER_BLOCK):
        blocks.append({"type": "actions", "block_id": f"forms_{n}", "elements": buttons[n:n + BUTTONS_PER_BLOCK]})
    return {"type": "home", "blocks": blocks[:BLOCKS_PER_VIEW]}
