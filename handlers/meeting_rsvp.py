"""Answers to an invitation: `zusagen|absagen|vielleicht` (`accept|decline|maybe`), typed or
clicked. A button carries the meeting's id (`zusagen 7`); typed, the meeting is named by body
and number or date (`zusagen AK1 5`, `absagen AK1 16.11.`), as the invitation says. With more
than one meeting ahead and none named the bot asks which — it never guesses (findings-meet2 F17)."""
from __future__ import annotations

from datetime import date
from typing import Any

from bot.core import pending_choices
from bot.core.argtypes import Code
from bot.core.commands import Arg, Command, CommandRegistry, N_, UsageError, Words
from bot.core.context import Context
from bot.core.events import Choice
from bot.core.roles import Role
from bot.meetings import service
from bot.meetings.rsvp_words import COMMANDS
from storage.models import Meeting

from .meeting_refs import find, is_ref, label, may_speak_for, pick


def privately(ctx: Context, template: str, **values: Any) -> None:
    """Votes and answers given in a room are confirmed by DM, in the person's language: the room
    stays readable. Only when no DM reaches them, in the room, in the room's language."""
    if ctx.channel.direct or ctx.person is None:
        ctx.reply(template, **values)
    elif ctx.send_to_person(ctx.person, template, **values) is None:
        ctx.send(ctx.channel, template, ctx.room_locale, in_reply_to=ctx.message.event_id, **values)


def _rsvp(reply: str):  # noqa: ANN202 - one handler per answer
    def handler(ctx: Context, ref: str | None = None, which: list[str] | None = None) -> None:
        assert ctx.person is not None
        meeting = _meeting(ctx, reply, ref, which or [])
        if meeting is None:
            return
        if not may_speak_for(ctx, meeting.body):
            return
        if meeting.state not in service.ACTIVE or meeting.ends_at < ctx.now():
            ctx.notice("This meeting can no longer be changed.")
            return
        service.answer(ctx, meeting, ctx.person, reply)
        privately(ctx, "meeting_rsvp", meeting=meeting, body=meeting.body, answer=reply, who=ctx.person.name)
    return handler


def _meeting(ctx: Context, reply: str, ref: str | None, which: list[str]) -> Meeting | None:
    command = ctx.services.registry.commands[COMMANDS[reply]]
    if len(which) > 1:
        raise UsageError(command, N_("Too many words: {extra}."), {"extra": " ".join(which[1:])[:60]})
    if ref and ref.isdecimal() and not which:  # a button: the meeting's id
        meeting = ctx.uow.session.get(Meeting, int(ref))
        if meeting is None:
            ctx.notice("There is no such meeting.")
        return meeting
    if ref and ref.isdecimal():  # `zusagen 7 5`: the body is missing
        raise UsageError(command, N_("Name the body first, like “{example}”."),
                         {"example": f"{command.alias(ctx.locale)} EG2 {which[0]}"})
    if ref and is_ref(ref):  # `zusagen 16.11.`: the meetings of the room's body, or of all one's bodies
        which, ref = [ref], None
    if ref or not ctx.channel.direct:
        return pick(ctx, ref.upper() if ref else None, which, command.name)
    return _mine(ctx, command, which)


def _mine(ctx: Context, command: Command, which: list[str]) -> Meeting | None:
    """In a DM with no body named: the one meeting ahead of the person's bodies, or a question."""
    assert ctx.person is not None
    mine = sorted((m for ms in ctx.uow.people.memberships(ctx.person)
                   for m in service.meetings_of(ctx, ms.body) if m.ends_at >= ctx.now()),
                  key=lambda m: m.starts_at)
    if which:
        mine = find(ctx, mine, which[0])
    if not mine:
        if which:
            ctx.notice("You have no meeting ahead on {date}.", date=which[0][:20])
        else:
            ctx.notice("You have no upcoming meeting.")
        return None
    if len(mine) == 1:
        return mine[0]
    words = command.alias(ctx.locale)
    choices = [Choice(f"{words} {m.body.code} {m.number}", f"{m.body.code}: {label(ctx, m)}", str(i))
               for i, m in enumerate(mine, start=1)]
    pending_choices.remember(ctx, choices)
    ctx.reply("meeting_rsvp_which", choices=choices, count=len(mine), example=choices[0].value)
    return None


class Ref:
    """A meeting id (from a button), a body code, or (in a DM) a meeting's date."""

    def parse(self, raw: str, today: date) -> str:
        return raw if raw.isdecimal() or is_ref(raw) else Code().parse(raw, today)


def register(registry: CommandRegistry) -> None:
    ref = Arg("ref", Ref(), {"de": "Gremium", "en": "body"}, required=False)
    which = Arg("which", Words(), {"de": "Nr.|Datum", "en": "no.|date"}, rest=True, required=False)
    rows: tuple[tuple[str, str, dict[str, tuple[str, ...]], str], ...] = (
        ("rsvp_yes", "yes", {"de": ("zusagen",), "en": ("accept",)}, N_("Say you will come to a meeting.")),
        ("rsvp_no", "no", {"de": ("absagen",), "en": ("decline",)}, N_("Say you cannot come.")),
        ("rsvp_maybe", "maybe", {"de": ("vielleicht",), "en": ("maybe",)}, N_("Say you may come.")),
    )
    for name, reply, words, summary in rows:
        word = words["de"][0]
        registry.register(Command(name, words, summary, _rsvp(reply), args=(ref, which), role=Role.MEMBER,
                                  body_arg="ref", answer_like=True, group="meetings",
                                  examples=(f"{word} EG2", f"{word} EG2 2", f"{word} EG2 16.03.")))
