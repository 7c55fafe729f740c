"""The agenda of a body's next meeting: members propose items (`top vorschlagen`); the chair
or a coordinator accepts, rejects and orders them; `tagesordnung` shows it. The standing item
"Sachstand der Empfehlungen" is added with every meeting (bot/meetings/service.py)."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.conversations.engine import ConversationEngine
from bot.core.argtypes import Code, Text
from bot.core.commands import Arg, Command, CommandRegistry, N_
from bot.core.context import Context
from bot.core.roles import Role
from bot.meetings import service
from storage.models import AgendaItem, Meeting

from .meetings import Number, Words, may_speak_for, next_of


def _numbered(meeting: Meeting) -> list[AgendaItem]:
    """How `tagesordnung` numbers items: accepted in order, then proposals, then rejected."""
    rank = {"accepted": 0, "proposed": 1, "rejected": 2}
    return sorted(meeting.agenda, key=lambda a: (rank.get(a.state, 3), a.position, a.id))


def agenda(ctx: Context, body: str | None = None) -> None:
    meeting = next_of(ctx, body)
    if meeting is not None:
        ctx.reply("meeting_agenda", meeting=meeting, body=meeting.body, items=list(enumerate(_numbered(meeting), 1)))


def propose_item(ctx: Context, body: str, title: str) -> None:
    assert ctx.person is not None
    meeting = next_of(ctx, body)
    if meeting is None or not may_speak_for(ctx, meeting.body):
        return
    meeting.agenda.append(AgendaItem(title=title[:300], state="proposed", proposed_by_id=ctx.person.id,
                                     position=len(meeting.agenda) + 1))
    ctx.uow.flush()
    ctx.uow.audit.record(ctx.person, "propose_item", "meeting", meeting.body.code, new={"title": title[:300]})
    ctx.notice("Proposed for {code} on {date}: {title}. The chair decides.", code=meeting.body.code,
               date=meeting.starts_at.astimezone(ZoneInfo(ctx.tz)).strftime("%d.%m.%Y"), title=title[:300])


def _item(ctx: Context, body: str, number: int) -> tuple[Meeting, AgendaItem] | None:
    meeting = next_of(ctx, body)
    if meeting is None:
        return None
    items = _numbered(meeting)
    if not 1 <= number <= len(items):
        ctx.notice("There is no item {number}; “tagesordnung {code}” lists them.", number=number,
                   code=meeting.body.code)
        return None
    return meeting, items[number - 1]


def accept_item(ctx: Context, body: str, number: int, public: str | None = None) -> None:
    found = _item(ctx, body, number)
    if found is None:
        return
    meeting, item = found
    item.state, item.public = "accepted", public is not None
    item.position = max((a.position for a in service.accepted(meeting) if a is not item), default=0) + 1
    ctx.uow.flush()
    ctx.uow.audit.record(ctx.person, "accept_item", "meeting", meeting.body.code,
                         new={"title": item.title, "public": item.public})
    agenda(ctx, body)


def reject_item(ctx: Context, body: str, number: int) -> None:
    found = _item(ctx, body, number)
    if found is not None:
        found[1].state = "rejected"
        ctx.uow.flush()
        ctx.uow.audit.record(ctx.person, "reject_item", "meeting", found[0].body.code,
                             old={"title": found[1].title})
        agenda(ctx, body)


def order_items(ctx: Context, body: str, order: list[str]) -> None:
    meeting = next_of(ctx, body)
    if meeting is None:
        return
    items = service.accepted(meeting)
    wanted = [int(n) for n in order if n.isdecimal()]
    if sorted(wanted) != list(range(1, len(items) + 1)):
        ctx.notice("Give each of the {count} accepted items' numbers once, like “top reihenfolge {code} 2 1 3”.",
                   count=len(items), code=meeting.body.code)
        return
    for position, number in enumerate(wanted, 1):
        items[number - 1].position = position
    ctx.uow.flush()
    ctx.uow.audit.record(ctx.person, "order_items", "meeting", meeting.body.code, new={"order": wanted})
    ctx.uow.session.refresh(meeting, ["agenda"])
    agenda(ctx, body)


def register(registry: CommandRegistry, conversations: ConversationEngine) -> None:
    body = Arg("body", Code(), {"de": "Gremium", "en": "body"})
    maybe_body = Arg("body", Code(), {"de": "Gremium", "en": "body"}, required=False)
    number = Arg("number", Number(), {"de": "Nr.", "en": "no."})
    chair = {"role": Role.CHAIR, "body_arg": "body", "group": "meetings"}
    for command in (
        Command("agenda", {"de": ("tagesordnung",), "en": ("agenda",)},
                N_("The agenda of a body's next meeting, with proposals."), agenda, args=(maybe_body,),
                group="meetings", examples=("tagesordnung EG2",)),
        Command("agenda_propose", {"de": ("top vorschlagen",), "en": ("agenda propose",)},
                N_("Propose an item for the next meeting's agenda."), propose_item,
                args=(body, Arg("title", Text(), {"de": "Titel", "en": "title"}, rest=True)),
                role=Role.MEMBER, body_arg="body", group="meetings", examples=('top vorschlagen EG2 "Fachkräfteforum 2027"',)),
        Command("agenda_accept", {"de": ("top annehmen",), "en": ("agenda accept",)},
                N_("Accept a proposed item (add “öffentlich” to show it in the public calendar)."), accept_item,
                args=(body, number, Arg("public", Text(), {"de": "öffentlich", "en": "public"}, required=False)),
                examples=("top annehmen EG2 2 öffentlich",), **chair),
        Command("agenda_reject", {"de": ("top ablehnen",), "en": ("agenda reject",)},
                N_("Reject a proposed item."), reject_item, args=(body, number),
                examples=("top ablehnen EG2 3",), **chair),
        Command("agenda_order", {"de": ("top reihenfolge",), "en": ("agenda order",)},
                N_("Order the accepted items."), order_items,
                args=(body, Arg("order", Words(), {"de": "Nummern", "en": "numbers"}, rest=True)),
                examples=("top reihenfolge EG2 2 1",), **chair),
    ):
        registry.register(command)
