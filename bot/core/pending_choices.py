"""A numbered question outside any conversation ("Welche ist gemeint? 1) … 2) …") answered by
typing its number (findings-meet2 F6). Each choice is a complete command already (a click runs
it); typed, the number alone means that command — for the very next message of the same person
in the same place, and for half an hour: any other message forgets the question, so a later
"2" (an answer to another list) never runs an old choice."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta

from .context import Context
from .events import Choice

VALID = timedelta(minutes=30)
_KEY = re.compile(r"^\s*(\d{1,2})\s*[).]?\s*$")


def _key(ctx: Context) -> str | None:
    if ctx.person is None:
        return None
    return f"choices:{ctx.channel.transport}:{ctx.channel.id}:{ctx.person.id}"


def remember(ctx: Context, choices: list[Choice]) -> None:
    key = _key(ctx)
    if key is None or not choices:
        return
    ctx.uow.ops.put(key, json.dumps({"at": ctx.now().isoformat(),
                                     "choices": {c.key: c.value for c in choices if c.key}}))


def take(ctx: Context, text: str) -> str | None:
    """The command a typed number stands for, or None; the question is forgotten either way."""
    key = _key(ctx)
    stored = ctx.uow.ops.get(key) if key else None
    if not stored or key is None:
        return None
    ctx.uow.ops.put(key, "")
    try:
        data = json.loads(stored)
        asked = datetime.fromisoformat(data["at"])
    except (ValueError, KeyError, TypeError):
        return None
    match = _KEY.match(text)
    if match is None or ctx.now() - asked > VALID:
        return None
    value = data.get("choices", {}).get(match[1])
    return value if isinstance(value, str) else None
