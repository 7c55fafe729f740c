"""A line typed at a free-text step that is really a command (findings-meet2 F23).

Inside a conversation an answer that does not fit its step runs as a command when it is one
(docs/befehle.md); a free-text step (a minutes item's result, the guests) fits everything, so the
bot's own advice — `niederschrift schreiben AK1`, `tagesordnung AK1` — was stored as text. Such a
step asks here first: a line is a command when it parses completely as one that is not an
everyday word (`vielleicht`), and it either uses a command of several words (`niederschrift
schreiben`, `top vorschlagen`) or names an existing body right after a one-word command
(`tagesordnung AK1`). The step then refuses it (`Invalid`), and the engine runs it instead and
asks its question again — as with every other answer that does not fit (one that does not parse
is refused with what to do)."""
from __future__ import annotations

from bot.core.commands import Command, UsageError, split_with_tails
from bot.core.context import Context


def command_line(ctx: Context, text: str) -> Command | None:
    """The command the line is, or None. A command of several words counts even when its
    arguments are wrong (`niederschrift schreiben` without the body): it is no result either."""
    registry = ctx.services.registry
    found = registry.match(text)
    if found is None or found[0].answer_like:
        return None
    used = len(split_with_tails(text)) - len(found[1])
    try:
        invocation = registry.parse(text, ctx.today())
    except UsageError:
        return found[0] if used >= 2 else None
    if invocation is None:
        return None
    if used >= 2 or (found[1] and ctx.uow.bodies.by_code(found[1][0].upper()) is not None):
        return found[0]
    return None
