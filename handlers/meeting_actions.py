"""Action items agreed in meetings (issue #16): `aufgabe EG2 Was; @wer; 15.03.2027` records
one for the body's last meeting, `aufgabe erledigt 3` closes it, `aufgaben [EG2]` lists the
open ones (one's own without a body). They also appear in `meine`, remind their owner
(bot/meetings/jobs.py) and come up under a fixed item of the body's next meeting."""
from __future__ import annotations

from typing import Any

from bot.conversations.engine import ConversationEngine
from bot.core.argtypes import ArgError, Code, Number, Text
from bot.core.commands import Arg, Command, CommandRegistry, N_, UsageError
from bot.core.context import Context
from bot.core.roles import Role
from bot.meetings import minutes as minutes_service
from bot.meetings import service
from storage.models import ActionItem



def _row(action: ActionItem) -> dict[str, Any]:
    return {"id": action.id, "title": action.title, "who": minutes_service.owner_name(action),
            "due": action.due_on, "state": action.state, "code": action.meeting.body.code}


def add(ctx: Context, body: str, text: str) -> None:
    found = ctx.uow.bodies.by_code(body)
    if found is None:
        ctx.notice("There is no body {code}. Try “gremien”.", code=body)
        return
    past = [m for m in service.meetings_of(ctx, found, (*service.ACTIVE, "held")) if m.starts_at <= ctx.now()]
    if not past:
        ctx.notice("{code} has not met yet; action items belong to a meeting.", code=found.code)
        return
    try:
        parsed = minutes_service.parse_action(ctx, text)
    except ArgError as exc:
        raise UsageError(ctx.services.registry.commands["action_add"], exc.message, exc.values) from exc
    action = ActionItem(meeting_id=past[-1].id, title=parsed.title, owner_person_id=parsed.person_id,
                        owner_body_id=parsed.body_id, due_on=parsed.due)
    ctx.uow.session.add(action)
    ctx.uow.flush()
    ctx.uow.session.refresh(action)
    ctx.uow.audit.record(ctx.person, "add_action", "meeting", found.code, new={"title": action.title})
    for later in service.meetings_of(ctx, found):
        if later.starts_at > ctx.now():
            minutes_service.add_followups(ctx, later)
            break
    owner = minutes_service.owner_to_tell(action)
    if owner is not None and owner is not ctx.person:
        ctx.send_to_person(owner, "action_assigned", action=action, body=found, meeting=past[-1])
    ctx.notice("Action item {number} for {who}: {title}.", number=action.id,
               who=minutes_service.owner_name(action), title=action.title)


def done(ctx: Context, number: int) -> None:
    action = ctx.uow.session.get(ActionItem, number)
    if action is None:
        ctx.notice("There is no action item {number}.", number=number)
        return
    body = action.meeting.body
    mine = ctx.person is not None and action.owner_person_id == ctx.person.id
    if not mine and not ctx.standing.permits(Role.CHAIR, body) and not (
            action.owner_body is not None and ctx.standing.permits(Role.CHAIR, action.owner_body)):
        from bot.core.middleware import refusal

        ctx.notice(refusal(ctx, Role.CHAIR, body.code))
        return
    action.state, action.done_at = "done", ctx.now()
    ctx.uow.audit.record(ctx.person, "action_done", "meeting", body.code, new={"title": action.title})
    ctx.notice("Done: {title}.", title=action.title)


def listing(ctx: Context, body: str | None = None) -> None:
    if body:
        found = ctx.uow.bodies.by_code(body)
        if found is None:
            ctx.notice("There is no body {code}. Try “gremien”.", code=body)
            return
        from sqlalchemy import select

        from storage.models import Meeting

        rows = list(ctx.uow.session.scalars(select(ActionItem).join(Meeting, ActionItem.meeting_id == Meeting.id)
                                            .where(Meeting.body_id == found.id, ActionItem.state == "open")
                                            .order_by(ActionItem.id)))
    else:
        assert ctx.person is not None
        rows = minutes_service.open_actions_for(ctx, ctx.person)
    ctx.reply("action_list", rows=[_row(a) for a in rows])


def mine(ctx: Context) -> list[dict[str, Any]]:
    """For `meine`: the person's open action items."""
    if ctx.person is None:
        return []
    return [_row(a) for a in minutes_service.open_actions_for(ctx, ctx.person)]


def register(registry: CommandRegistry, conversations: ConversationEngine) -> None:
    body = Arg("body", Code(), {"de": "Gremium", "en": "body"})
    for command in (
        Command("action_add", {"de": ("aufgabe",), "en": ("action",)},
                N_("Record an action item of the body's last meeting: what; who (a person or a body); by when."),
                add, args=(body, Arg("text", Text(), {"de": "Was; wer; bis", "en": "what; who; by"}, rest=True)),
                role=Role.CHAIR, body_arg="body", group="meetings",
                examples=("aufgabe EG2 Einladung verschicken; @testmann; 15.03.2027",)),
        Command("action_done", {"de": ("aufgabe erledigt",), "en": ("action done",)},
                N_("Mark an action item as done (its owner, or the chair)."), done,
                args=(Arg("number", Number(), {"de": "Nr.", "en": "no."}),), group="meetings",
                examples=("aufgabe erledigt 3",)),
        Command("actions", {"de": ("aufgaben",), "en": ("actions",)},
                N_("Open action items: your own, or a body's."), listing,
                args=(Arg("body", Code(), {"de": "Gremium", "en": "body"}, required=False),), group="meetings",
                examples=("aufgaben", "aufgaben EG2")),
    ):
        registry.register(command)
