"""The typed answers to one meeting's invitation, in each language: "zusagen AK1 5",
"accept AK1 5" — with the body and the meeting's number, so they answer *that* meeting even
when the body has another one ahead (findings-meet2 F17)."""
from __future__ import annotations

from bot.core.context import Context
from storage.models import Meeting

ANSWERS = ("yes", "no", "maybe")
COMMANDS = {"yes": "rsvp_yes", "no": "rsvp_no", "maybe": "rsvp_maybe"}


def rsvp_words(ctx: Context, meeting: Meeting) -> dict[str, tuple[str, ...]]:
    """Per locale the three commands, like {"de": ("zusagen AK1 5", "absagen AK1 5", …)}."""
    commands = [ctx.services.registry.commands.get(COMMANDS[a]) for a in ANSWERS]
    found = [c for c in commands if c is not None]
    if len(found) < len(ANSWERS):  # a registry without the meeting commands (a unit test): the plain words
        return {"de": ("zusagen", "absagen", "vielleicht"), "en": ("accept", "decline", "maybe")}
    locales = {locale for c in found for locale in c.aliases}
    return {locale: tuple(f"{c.alias(locale)} {meeting.body.code} {meeting.number}" for c in found)
            for locale in sorted(locales)}
