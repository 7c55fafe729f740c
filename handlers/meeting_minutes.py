"""Minutes, a guided conversation with the chair after the meeting: who attended, a result
for each agenda item, confirm (`ja`). Then the meeting is held and the minutes are posted
to the body's room."""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from bot.conversations.engine import DONE, Conversation, ConversationEngine, ConvContext, Invalid, Step
from bot.core.argtypes import Code
from bot.core.commands import Arg, Command, CommandRegistry, N_
from bot.core.context import Context
from bot.core.roles import Role
from bot.meetings import service
from storage.models import Meeting, Rsvp

NAME = "minutes"
ALL = {"alle", "all", "alle da"}
YES = {"ja", "j", "yes", "y", "ok"}


def begin(ctx: Context, meeting: Meeting) -> None:
    assert ctx.person is not None
    ctx.services.conversations.start(ctx, NAME, ctx.person, ctx.channel,
                                     data={"meeting": meeting.id, "present": [], "results": {}, "i": 0})


def minutes(ctx: Context, body: str) -> None:
    found = ctx.uow.bodies.by_code(body)
    if found is None:
        ctx.notice("There is no body {code}. Try “gremien”.", code=body)
        return
    past = [m for m in service.meetings_of(ctx, found, ("invited", "planned")) if m.starts_at <= ctx.now()]
    if not past:
        ctx.notice("{code} has no meeting that took place and still needs minutes.", code=found.code)
        return
    begin(ctx, past[-1])


def _meeting(cc: ConvContext) -> Meeting:
    meeting = cc.ctx.uow.session.get(Meeting, cc.data["meeting"])
    assert meeting is not None
    return meeting


def _values(cc: ConvContext) -> dict[str, Any]:
    meeting = _meeting(cc)
    items = service.accepted(meeting)
    i = cc.data.get("i", 0)
    people = service.members(meeting.body)
    return {"meeting": meeting, "body": meeting.body, "people": list(enumerate(people, 1)),
            "item": items[i] if i < len(items) else None, "pos": i + 1, "total": len(items),
            "present": [p for p in people if p.id in cc.data.get("present", [])],
            "results": [(a, cc.data.get("results", {}).get(str(a.id), "")) for a in items]}


def _attendance(cc: ConvContext, text: str) -> str:
    people = service.members(_meeting(cc).body)
    if text.casefold() in ALL:
        chosen = people
    else:
        numbers = re.split(r"[\s,;]+", text.strip())
        if not all(n.isdecimal() and 1 <= int(n) <= len(people) for n in numbers):
            raise Invalid(N_("Answer with the numbers of those present, like “1 3 4”, or “alle”."))
        chosen = [people[int(n) - 1] for n in numbers]
    cc.set(present=[p.id for p in chosen], i=0)
    return "result" if service.accepted(_meeting(cc)) else "confirm"


def _result(cc: ConvContext, text: str) -> str:
    items = service.accepted(_meeting(cc))
    i = cc.data.get("i", 0)
    value = text.strip()
    if not value or len(value) > 2000:
        raise Invalid(N_("Please write the result in a few words (at most 2000 characters)."))
    cc.set(results={**cc.data.get("results", {}), str(items[i].id): value})
    return _after_item(cc, i)


def _skip_result(cc: ConvContext) -> str:
    return _after_item(cc, cc.data.get("i", 0))


def _after_item(cc: ConvContext, i: int) -> str:
    if i + 1 < len(service.accepted(_meeting(cc))):
        cc.set(i=i + 1)
        cc.fresh = True  # each item is a part of its own: `zurück` does not walk back through items
        return "result"
    return "confirm"


def _confirm(cc: ConvContext, text: str) -> str:
    if text.casefold() not in YES:
        raise Invalid(N_("Answer “ja” to save and post the minutes, “zurück” or “abbrechen”."))
    return DONE


def _finish(cc: ConvContext) -> None:
    ctx, meeting = cc.ctx, _meeting(cc)
    present = set(cc.data.get("present", []))
    rows = {r.person_id: r for r in ctx.uow.session.scalars(select(Rsvp).where(Rsvp.meeting_id == meeting.id))}
    for person in service.members(meeting.body):
        row = rows.get(person.id)
        if row is None:
            row = Rsvp(meeting_id=meeting.id, person_id=person.id, answer="")
            ctx.uow.session.add(row)
        row.attended = person.id in present
    for item in service.accepted(meeting):
        item.result = cc.data.get("results", {}).get(str(item.id), "")
    meeting.state = "held"
    values = _values(cc)
    locale = ctx.services.settings.general.locale
    meeting.minutes = ctx.services.renderer.render("meeting_minutes", "plain", locale,
                                                   ctx.services.settings.general.timezone, **values)
    ctx.uow.audit.record(ctx.person, "minutes", "meeting", meeting.body.code, new={"present": len(present)})
    rooms = service.room_channels(ctx, meeting.body)
    for channel in rooms:
        ctx.send(channel, "meeting_minutes", locale, **values)
    ctx.notice("Thank you. The minutes are saved and posted in the room of {code}.", code=meeting.body.code)


MINUTES = Conversation(NAME, (
    Step("attendance", "meeting_minutes_attendance", _attendance,
         N_("The numbers of the members who attended, like “1 3 4”, or “alle”."), values=_values),
    Step("result", "meeting_minutes_item", _result, N_("What was decided or agreed on this item."),
         skippable=True, values=_values, on_skip=_skip_result),
    Step("confirm", "meeting_minutes_confirm", _confirm,
         N_("“ja” saves the minutes and posts them in the body's room."), values=_values),
), _finish, on_cancel=N_("Cancelled. No minutes were saved; “protokoll schreiben” starts again."))


def register(registry: CommandRegistry, conversations: ConversationEngine) -> None:
    conversations.register(MINUTES)
    registry.register(Command(
        "minutes", {"de": ("protokoll schreiben", "niederschrift"), "en": ("minutes",)},
        N_("Record the minutes of a body's last meeting, step by step."), minutes,
        args=(Arg("body", Code(), {"de": "Gremium", "en": "body"}),), role=Role.CHAIR, body_arg="body",
        where="dm", group="meetings", examples=("protokoll schreiben EG2",)))
