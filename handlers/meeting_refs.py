"""Which meeting a command means: a body with more than one meeting ahead names it by its
number (`sitzung absagen EG3 2`) or its date (`… 16.03.`); when it is ambiguous the bot asks,
offering each meeting as a complete command."""
from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from bot.core import pending_choices
from bot.core.argtypes import ArgError, parse_german_date
from bot.core.context import Context
from bot.core.events import Choice
from bot.core.middleware import refusal
from bot.core.roles import Role
from bot.meetings import service
from storage.models import Body, Meeting

REF = re.compile(r"^(\d{1,2}|\d{1,2}\.\d{1,2}\.(\d{2}|\d{4})?|\d{4}-\d{2}-\d{2})$")


def is_ref(word: str) -> bool:
    return bool(REF.match(word.strip().rstrip(",")))


def body_of(ctx: Context, code: str | None, example: str = "sitzung EG2") -> Body | None:
    body = ctx.uow.bodies.by_code(code) if code else (
        None if ctx.channel.direct else ctx.uow.bodies.by_room(ctx.channel.transport, ctx.channel.id))
    if body is None:
        if code:
            ctx.notice("There is no body {code}. Try “gremien”.", code=code)
        else:
            ctx.notice("Say which body, like “{example}”, or write in the body's room.",
                       example=ctx.services.registry.example(example, ctx.locale))  # vote EG3 1 3 (rounds2 F9)
    return body


def find(ctx: Context, meetings: list[Meeting], ref: str) -> list[Meeting]:
    word = ref.strip().rstrip(",")
    if word.isdecimal():
        return [m for m in meetings if m.number == int(word)]
    try:
        day = parse_german_date(word, ctx.today())
    except ArgError:
        return []
    tz = ZoneInfo(ctx.tz)
    exact = [m for m in meetings if m.starts_at.astimezone(tz).date() == day]
    if exact or re.search(r"\.\d{2,4}$|^\d{4}-", word):
        return exact
    # 16.03. without a year: the next such day, or one already past this year
    return [m for m in meetings if (m.starts_at.astimezone(tz).day, m.starts_at.astimezone(tz).month)
            == (day.day, day.month)]


def label(ctx: Context, meeting: Meeting) -> str:
    local = meeting.starts_at.astimezone(ZoneInfo(ctx.tz))
    # the date first, the meeting's own number after it: "1) 18.02.2027 10:30 (2. Sitzung)" (F6)
    return ctx.t("{date} (meeting {number})", number=meeting.number, date=local.strftime("%d.%m.%Y %H:%M"))


def pick(ctx: Context, code: str | None, ref: list[str], ask: str | None, rest: str = "",
         past: bool = False) -> Meeting | None:
    """The meeting meant. `ask` is the command to offer when several are ahead and none is
    named (None: the next one is meant); `past` looks at held meetings too (the minutes)."""
    body = body_of(ctx, code)
    if body is None:
        return None
    states = (*service.ACTIVE, "held") if past else service.ACTIVE
    meetings = service.meetings_of(ctx, body, states)
    if not past:
        meetings = [m for m in meetings if m.ends_at >= ctx.now()]
    if ref:
        found = find(ctx, meetings, ref[0])
        if len(found) == 1:
            return found[0]
        if not found:
            ctx.reply("meeting_which", body=body, ref=ref[0], choices=_choices(ctx, body, meetings, ask, rest),
                      found=False, meetings=[label(ctx, m) for m in meetings], past=past,
                      example=_example(ctx, body, meetings, ask, rest))
            return None
        meetings = found
    elif not meetings:
        ctx.notice("{code} has no meeting planned.", code=body.code)
        return None
    elif len(meetings) == 1 or ask is None:
        return meetings[-1] if past else meetings[0]
    ctx.reply("meeting_which", body=body, ref="", choices=_choices(ctx, body, meetings, ask, rest), found=True,
              meetings=[label(ctx, m) for m in meetings], past=past, example=_example(ctx, body, meetings, ask, rest))
    return None


def hint_later(ctx: Context, meeting: Meeting, command: str) -> None:
    """A read-only command showed the next meeting: the others ahead are named with the words
    that show them (`tagesordnung AK1 4`), instead of asking which (meet2 F14)."""
    later = [m for m in service.meetings_of(ctx, meeting.body) if m.ends_at >= ctx.now() and m.id != meeting.id]
    found = ctx.services.registry.find(command)
    if not later or found is None:
        return
    left, right = ("“", "”") if ctx.locale == "en" else ("„", "“")
    words = ", ".join(f"{left}{found.alias(ctx.locale)} {meeting.body.code} {m.number}{right} ("
                      f"{m.starts_at.astimezone(ZoneInfo(ctx.tz)).strftime('%d.%m.%Y')})" for m in later)
    ctx.notice("This is the next meeting of {code}; also ahead: {words}.", code=meeting.body.code, words=words)


def _example(ctx: Context, body: Body, meetings: list[Meeting], ask: str | None, rest: str) -> str:
    """The command, in the person's words, with a meeting's number: what to type instead."""
    command = ctx.services.registry.find(ask) if ask else None  # a command's name or its words
    if command is None or not meetings:
        return ""
    return f"{command.alias(ctx.locale)} {body.code} {meetings[-1].number}" + (" …" if rest else "")


def _choices(ctx: Context, body: Body, meetings: list[Meeting], ask: str | None, rest: str) -> list[Choice]:
    if ask is None:
        return []
    command = ctx.services.registry.find(ask)
    words = command.alias(ctx.locale) if command is not None else ask
    choices = [Choice(f"{words} {body.code} {m.number} {rest}".strip(), label(ctx, m), str(i))
               for i, m in enumerate(meetings, start=1)]
    pending_choices.remember(ctx, choices)  # typed "2" answers the question (F6)
    return choices


def may_speak_for(ctx: Context, body: Body) -> bool:
    """Votes, RSVPs and agenda proposals are for the body's members (and the office).

    The router checks this already where the command names the body (its `body_arg`); this is
    the same rule for a meeting found only here (`zusagen` in a DM picks the next meeting)."""
    if ctx.standing.permits(Role.MEMBER, body):
        return True
    ctx.notice(refusal(ctx, Role.MEMBER, body.code))
    return False
