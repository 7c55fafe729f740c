"""Minutes, a guided conversation with the chair after the meeting (issue #16): who attended,
who sent apologies, guests, one result for each agenda item, action items (what; who; by
when), then `ja` — or `ändern <part>` — at the end. `zurück` returns to exactly the question
before (the item or action before, not the first question). `niederschrift EG2 [Nr.]` shows
saved minutes to the body's members."""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from bot.conversations.command_lines import command_line
from bot.conversations.engine import DONE, Conversation, ConversationEngine, ConvContext, Invalid, Step
from bot.core.argtypes import ArgError, Code
from bot.core.commands import Arg, Command, CommandRegistry, N_, Words
from bot.core.context import Context
from bot.core.roles import Role
from bot.core.text_safety import free_text
from bot.meetings import agenda as agenda_items
from bot.meetings import minutes as minutes_service
from bot.meetings import service
from storage.models import Meeting

from .meeting_refs import pick

NAME = minutes_service.CONVERSATION
ALL = {"alle", "all", "alle da"}
NONE = {"keine", "keiner", "niemand", "none", "nobody", "-", "–"}
DONE_WORDS = {"fertig", "keine", "keine weiteren", "done", "none", "no more", "-", "–"}
YES = {"ja", "j", "yes", "y", "ok"}
DELETE_WORDS = {"löschen", "loeschen", "streichen", "delete", "remove"}
PARTS = {"anwesenheit": "attendance", "anwesend": "attendance", "attendance": "attendance",
         "entschuldigt": "excused", "apologies": "excused", "gäste": "guests", "gaeste": "guests",
         "guests": "guests", "punkt": "result", "item": "result", "aufgaben": "actions", "actions": "actions"}


begin = minutes_service.begin


def write(ctx: Context, body: str, ref: list[str] | None = None) -> None:
    meeting = pick(ctx, body, ref, "minutes_write", past=True) if ref else _unwritten(ctx, body)
    if meeting is None:
        return
    if meeting.starts_at > ctx.now() or meeting.state == "cancelled":
        ctx.notice("{code} has no meeting that took place and still needs minutes.", code=meeting.body.code)
        return
    state = ctx.uow.conversations.active(ctx.channel.transport, ctx.channel.id, ctx.person.id) if ctx.person else None
    if state is not None and state.name == NAME and state.data.get("meeting") == meeting.id:
        # typed inside these very minutes (F23): nothing is started over, the open question stays
        ctx.notice("You are writing the minutes of meeting {number} of {code} already; your answers so far "
                   "are kept. “abbrechen” discards them.", number=meeting.number, code=meeting.body.code)
        return
    begin(ctx, meeting)


def _unwritten(ctx: Context, code: str) -> Meeting | None:
    found = ctx.uow.bodies.by_code(code)
    if found is None:
        ctx.notice("There is no body {code}. Try “gremien”.", code=code)
        return None
    past = [m for m in service.meetings_of(ctx, found, service.ACTIVE) if m.starts_at <= ctx.now()]
    if not past:
        ctx.notice("{code} has no meeting that took place and still needs minutes.", code=found.code)
        return None
    return past[-1]


def show(ctx: Context, body: str, ref: list[str] | None = None) -> None:
    """The saved minutes of the body's latest held meeting (or the one named)."""
    if ref:  # a meeting not found is answered with this very command's example (F19)
        meeting = pick(ctx, body, ref, "minutes", past=True)
    else:  # the latest minutes there are
        found = ctx.uow.bodies.by_code(body)
        held = service.meetings_of(ctx, found, ("held",)) if found else []
        meeting = held[-1] if held else pick(ctx, body, [], None, past=True)
    if meeting is None:
        return
    if meeting.state != "held":
        ctx.notice("There are no minutes of meeting {number} of {code} yet.", number=meeting.number,
                   code=meeting.body.code)
        return
    ctx.reply("meeting_minutes", **stored_values(ctx, meeting))


def stored_values(ctx: Context, meeting: Meeting) -> dict[str, Any]:
    rows = {r.person_id: r for r in meeting.rsvps}
    people = service.members(meeting.body)
    actions = [{"title": a.title, "who": minutes_service.owner_name(a), "due": a.due_on, "state": a.state}
               for a in minutes_service.actions_of_meeting(ctx, meeting)]
    return {"meeting": meeting, "body": meeting.body,
            "present": [p for p in people if rows.get(p.id) and rows[p.id].attended],
            "excused": [p for p in people if rows.get(p.id) and rows[p.id].excused],
            "guests": meeting.guests, "results": [(a, a.result) for a in agenda_items.accepted(meeting)],
            "actions": actions, "approved": meeting.minutes_approved_at}


def _meeting(cc: ConvContext) -> Meeting:
    meeting = cc.ctx.uow.session.get(Meeting, cc.data["meeting"])
    assert meeting is not None
    return meeting


def _values(cc: ConvContext) -> dict[str, Any]:
    meeting = _meeting(cc)
    items = agenda_items.accepted(meeting)
    i = cc.data.get("i", 0)
    people = service.members(meeting.body)
    declined = {r.person_id for r in meeting.rsvps if r.answer == "no"}
    open_actions = agenda_items.open_actions(cc.ctx.uow.session, meeting.body_id, meeting)
    item = items[i] if i < len(items) else None
    a, actions = cc.data.get("a", 0), cc.data.get("actions", [])
    return {"answer": cc.data.get("results", {}).get(str(item.id), "") if item is not None else "",
            "current_action": minutes_service.action_values(cc.ctx, actions[a]) if a < len(actions) else None,
            "meeting": meeting, "body": meeting.body, "people": list(enumerate(people, 1)),
            "item": item, "pos": i + 1, "total": len(items),
            "earlier": [(a.title, minutes_service.owner_name(a), a.due_on) for a in open_actions]
            if item is not None and item.kind == "actions" else [],
            "declined": [p.name for p in people if p.id in declined],
            "present": [p for p in people if p.id in cc.data.get("present", [])],
            "excused": [p for p in people if p.id in cc.data.get("excused", [])],
            "guests": cc.data.get("guests", ""), "approved": None, "action_no": cc.data.get("a", 0) + 1,
            "results": [(a, cc.data.get("results", {}).get(str(a.id), "")) for a in items],
            "actions": [minutes_service.action_values(cc.ctx, a) for a in cc.data.get("actions", [])]}


def _numbers(cc: ConvContext, text: str, message: str) -> list[int]:
    people = service.members(_meeting(cc).body)
    if text.casefold() in ALL:
        return [p.id for p in people]
    numbers = [n for n in re.split(r"[\s,;]+", text.strip()) if n]
    wrong = next((n for n in numbers if not (n.isdecimal() and 1 <= int(n) <= len(people))), None)
    if wrong is not None and numbers:
        raise Invalid(N_("“{value}” is not one of the numbers 1 to {last}."), value=wrong[:20], last=len(people))
    if not numbers:
        raise Invalid(message)
    return [people[int(n) - 1].id for n in numbers]


def _then(cc: ConvContext, step: str) -> str:
    """After a part changed from the summary (`ändern …`), back to the summary."""
    return "confirm" if cc.data.get("editing") else step


def _attendance(cc: ConvContext, text: str) -> str:
    present = _numbers(cc, text, ATTENDANCE_HELP)
    cc.set(present=present, excused=[p for p in cc.data.get("excused", []) if p not in present])
    return _then(cc, "excused")


def _excused(cc: ConvContext, text: str) -> str:
    excused = [] if text.casefold() in NONE else _numbers(cc, text, EXCUSED_HELP)
    both = [p for p in service.members(_meeting(cc).body) if p.id in excused and p.id in cc.data.get("present", [])]
    if both:  # present and excused at once (F9): said, never dropped silently
        raise Invalid(N_("{names}: marked as attended, so not excused as well. Give the numbers of those who "
                         "sent apologies, or “keine”; “zurück” changes who attended."),
                      names=", ".join(p.name for p in both))
    cc.set(excused=excused)
    return _then(cc, "guests")


def _not_a_command(cc: ConvContext, text: str) -> None:
    """A command typed at a free-text step (the bot's own `niederschrift schreiben AK1`) is no
    answer: refused here, the engine runs it as the command and asks again (F23)."""
    command = command_line(cc.ctx, text)
    if command is not None:
        raise Invalid(N_("“{command}” is a command, not an answer here. Write the answer in your own words, "
                         "or put “!” in front to run the command."), command=command.alias(cc.ctx.locale))


def _guests(cc: ConvContext, text: str) -> str:
    text = free_text(text)
    if len(text) > 1000 or not text:
        raise Invalid(GUESTS_HELP)
    _not_a_command(cc, text)
    cc.set(guests="" if text.casefold() in NONE else text.strip())
    if cc.data.get("editing"):
        return "confirm"
    cc.set(i=0)
    return "result" if agenda_items.accepted(_meeting(cc)) else "actions"


def _result(cc: ConvContext, text: str) -> str:
    items = agenda_items.accepted(_meeting(cc))
    i = cc.data.get("i", 0)
    value = free_text(text)  # without bidi controls; U+2028 is a line break (F21)
    if not value or len(value) > 2000:
        raise Invalid(RESULT_HELP)
    _not_a_command(cc, value)
    if items[i].kind == "approval":  # yes or no, asked again when unclear — never guessed from text (F12)
        answer = minutes_service.approval_answer(cc.ctx, value)
        if answer is None:
            raise Invalid(APPROVAL_HELP)
        cc.set(approved={**cc.data.get("approved", {}), str(items[i].id): answer[0]})
        value = answer[1]
    cc.set(results={**cc.data.get("results", {}), str(items[i].id): value})
    return _after_item(cc, i)


def _result_help(cc: ConvContext) -> str:
    """The approval item expects yes or no; every other item a result (F10: one hint, not two)."""
    items, i = agenda_items.accepted(_meeting(cc)), cc.data.get("i", 0)
    return APPROVAL_HELP if i < len(items) and items[i].kind == "approval" else RESULT_HELP


def _skip_result(cc: ConvContext) -> str:
    i, items = cc.data.get("i", 0), agenda_items.accepted(_meeting(cc))
    if i < len(items) and items[i].kind == "approval":  # skipped: not approved, whatever was said before
        cc.set(approved={k: v for k, v in cc.data.get("approved", {}).items() if k != str(items[i].id)})
    return _after_item(cc, i)


def _after_item(cc: ConvContext, i: int) -> str:
    if cc.data.get("editing"):
        return "confirm"
    if i + 1 < len(agenda_items.accepted(_meeting(cc))):
        cc.set(i=i + 1)
        return "result"
    cc.set(a=0)
    return "actions"


def _action(cc: ConvContext, text: str) -> str:
    a, actions = cc.data.get("a", 0), list(cc.data.get("actions", []))
    if text.casefold() in DONE_WORDS:
        cc.set(actions=actions[:a])
        return "confirm"
    if text.casefold() in DELETE_WORDS and a < len(actions):  # a wrong action item, gone before saving (F8)
        del actions[a]
        cc.set(actions=actions)
        return "actions" if a < len(actions) else "confirm"
    try:
        parsed = minutes_service.parse_action(cc.ctx, text)
    except ArgError as exc:
        if exc.message == minutes_service.ACTION_FORM:  # the step's own help says it, once (F10)
            raise Invalid(ACTION_HELP) from exc
        raise Invalid(exc.message, **exc.values) from exc
    entry = {"title": parsed.title, "person": parsed.person_id, "body": parsed.body_id,
             "due": parsed.due.isoformat() if parsed.due else None}
    actions[a:a + 1] = [entry]
    cc.set(actions=actions, a=a + 1)
    return "actions"


def _confirm(cc: ConvContext, text: str) -> str:
    words = text.casefold().split()
    if len(words) == 1 and words[0] in YES:
        return DONE
    if len(words) >= 2 and words[0] in ("ändern", "aendern", "change") and words[1] in PARTS:
        cc.detour()  # once back here, `zurück` goes before the summary, not into the change (F7)
        target = PARTS[words[1]]
        items = agenda_items.accepted(_meeting(cc))
        if target == "result":
            wanted = next((k for k, a in enumerate(items) if len(words) > 2 and str(a.number) == words[2]), None)
            if wanted is None and len(words) > 2:  # F10: the item named does not exist
                raise Invalid(N_("There is no item {number}; the items are {numbers}."), number=words[2][:10],
                              numbers=", ".join(str(a.number) for a in items))
            if wanted is None:
                raise Invalid(N_("Say which item, like “ändern punkt 2”."))
            cc.set(i=wanted)
        if target == "actions":
            cc.set(a=len(cc.data.get("actions", [])), editing=False)
            return "actions"
        cc.set(editing=True)
        return target
    raise Invalid(CONFIRM_HELP)


def _finish(cc: ConvContext) -> None:
    ctx, meeting = cc.ctx, _meeting(cc)
    made = minutes_service.save(ctx, meeting, cc.data)
    values = stored_values(ctx, meeting)
    locale = ctx.services.settings.general.locale
    meeting.minutes = ctx.services.renderer.render("meeting_minutes", "plain", locale,
                                                   ctx.services.settings.general.timezone, **values)
    ctx.uow.audit.record(ctx.person, "minutes", "meeting", meeting.body.code,
                         new={"present": len(values["present"]), "actions": len(made)})
    for channel in service.room_channels(ctx, meeting.body):
        ctx.send(channel, "meeting_minutes", locale, **values)
    for action in made:
        owner = minutes_service.owner_to_tell(action)
        if owner is not None and owner.id != (ctx.person.id if ctx.person else None):
            ctx.send_to_person(owner, "action_assigned", action=action, body=meeting.body, meeting=meeting)
    ctx.notice("Thank you. The minutes of meeting {number} are saved and posted in the room of {code}; "
               "“niederschrift {code}” shows them.", number=meeting.number, code=meeting.body.code)


ATTENDANCE_HELP = N_("The numbers of the members who attended, like “1 3 4”, or “alle”.")
EXCUSED_HELP = N_("The numbers of the members who sent apologies, like “2 5”, or “keine”.")
GUESTS_HELP = N_("The guests' names (and organisations), or “keine”.")
RESULT_HELP = N_("What was decided or agreed on this item, in a few words (at most 2000 characters).")
APPROVAL_HELP = N_("Are the minutes approved? Answer “ja” or “nein” — a remark may follow, like "
                   "“ja, mit Änderungen: Punkt 3 ergänzt” — or “überspringen”.")
ACTION_HELP = N_("An action item like “Einladung verschicken; @testmann; 15.03.2027” (what; who — a person "
                 "or a body; by when), or “fertig”.")
CONFIRM_HELP = N_("“ja” saves the minutes and posts them in the body's room; “ändern anwesenheit”, "
                  "“ändern entschuldigt”, “ändern gäste”, “ändern punkt 2” or “ändern aufgaben” goes back there.")

MINUTES = Conversation(NAME, (
    Step("attendance", "meeting_minutes_attendance", _attendance, ATTENDANCE_HELP, values=_values),
    Step("excused", "meeting_minutes_excused", _excused, EXCUSED_HELP, values=_values),
    Step("guests", "meeting_minutes_guests", _guests, GUESTS_HELP, values=_values),
    Step("result", "meeting_minutes_item", _result, RESULT_HELP, skippable=True, values=_values,
         on_skip=_skip_result, help_of=_result_help),
    Step("actions", "meeting_minutes_action", _action, ACTION_HELP, values=_values),
    Step("confirm", "meeting_minutes_confirm", _confirm, CONFIRM_HELP, values=_values),
), _finish, position=("i", "a", "editing"), on_timeout="meeting_minutes_timeout", timeout=timedelta(days=7),
    on_cancel=N_("Cancelled. No minutes were saved; “niederschrift schreiben” starts again."))


def register(registry: CommandRegistry, conversations: ConversationEngine) -> None:
    conversations.register(MINUTES)
    body = Arg("body", Code(), {"de": "Gremium", "en": "body"})
    ref = Arg("ref", Words(), {"de": "Nr.|Datum", "en": "no.|date"}, rest=True, required=False)
    registry.register(Command(
        "minutes_write", {"de": ("niederschrift schreiben", "protokoll schreiben"),
                          "en": ("minutes write", "write minutes")},
        N_("Write the minutes (Niederschrift) of a body's last meeting, step by step."), write,
        args=(body, ref), role=Role.CHAIR, body_arg="body",
        where="dm", group="meetings", examples=("niederschrift schreiben EG2",)))
    registry.register(Command(
        "minutes", {"de": ("niederschrift",), "en": ("minutes",)},
        N_("The minutes of a body's last meeting (or the one named), for its members."), show,
        args=(body, ref), role=Role.MEMBER, body_arg="body", group="meetings",
        examples=("niederschrift EG2", "niederschrift EG2 2")))
