"""The agenda of a body's next meeting: members propose items (`top vorschlagen`); the chair
or a coordinator accepts, rejects and orders them; `tagesordnung` shows it. The standing item
"Sachstand der Empfehlungen" is added with every meeting (bot/meetings/service.py)."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.conversations.engine import ConversationEngine
from bot.core.argtypes import Code, Text
from bot.core.commands import Arg, Command, CommandOptions, CommandRegistry, N_, Words
from bot.core.context import Context
from bot.core.roles import Role
from bot.core.text_safety import one_line
from bot.meetings import agenda as agenda_items
from bot.meetings import service
from storage.models import AgendaItem, Meeting

from .meeting_refs import find, hint_later, is_ref, pick
from .meeting_refs import may_speak_for


def agenda(ctx: Context, body: str | None = None, ref: list[str] | None = None) -> None:
    meeting = pick(ctx, body, ref or [], "agenda" if ref else None)  # read only: the next one, as `sitzung` (F14)
    if meeting is not None:
        show_agenda(ctx, meeting)
        if not ref:
            hint_later(ctx, meeting, "agenda")


def show_agenda(ctx: Context, meeting: Meeting) -> None:
    ctx.reply("meeting_agenda", meeting=meeting, body=meeting.body,
              items=[(a.number, a) for a in agenda_items.ordered(meeting)])


def propose_item(ctx: Context, body: str, title: str) -> None:
    assert ctx.person is not None
    ref, rest = _leading_ref(ctx, body, title)
    meeting = pick(ctx, body, ref, "agenda_propose", rest)
    if meeting is None or not may_speak_for(ctx, meeting.body):
        return
    title = one_line(_unquoted(rest.strip()) or title)
    if not title:  # only invisible characters, or line breaks and bidi controls (F21)
        ctx.notice("An agenda item needs a title one can read.")
        return
    if len(title) > agenda_items.MAX_TITLE:  # a title that long breaks every agenda and invitation (F4)
        ctx.notice("An agenda item's title has at most {max} characters; this one has {length}.",
                   max=agenda_items.MAX_TITLE, length=len(title))
        return
    same = " ".join(title.casefold().split())
    twice = next((a for a in meeting.agenda if a.state != "rejected" and " ".join(a.title.casefold().split()) == same),
                 None)
    if twice is not None:  # the same line sent twice is one item, and said (meet2 F4)
        ctx.notice("Item {number} “{title}” is already on the agenda of {code} on {date}; nothing was added.",
                   number=twice.number, title=twice.title, code=meeting.body.code,
                   date=meeting.starts_at.astimezone(ZoneInfo(ctx.tz)).strftime("%d.%m.%Y"))
        return
    item = agenda_items.add(meeting, title, proposed_by_id=ctx.person.id)
    ctx.uow.flush()
    ctx.uow.audit.record(ctx.person, "propose_item", "meeting", meeting.body.code,
                         new={"title": item.title, "number": item.number})
    ctx.notice("Proposed for {code} on {date} as item {number}: {title}. The chair decides.",
               code=meeting.body.code, number=item.number,
               date=meeting.starts_at.astimezone(ZoneInfo(ctx.tz)).strftime("%d.%m.%Y"), title=item.title)
    if ref and ref[0].isdecimal():  # a leading number was read as the meeting: said, so a title is not cut (F13)
        ctx.notice("“{ref}” at the start named meeting {ref}; to begin a title with a number, put the title "
                   "in quotes, like “{example}”.", ref=ref[0],
                   example=f'{ctx.services.registry.commands["agenda_propose"].alias(ctx.locale)} '
                           f'{meeting.body.code} "{ref[0]} {item.title}"')


def _leading_ref(ctx: Context, body: str, title: str) -> tuple[list[str], str]:
    """A first word naming the meeting: a date, or a number when the body has several meetings
    ahead and one of them has that number; otherwise the number begins the title (F13)."""
    words = title.split(maxsplit=1)
    if not words or not is_ref(words[0]) or len(words) < 2:
        return [], title
    if not words[0].isdecimal():
        return words[:1], words[1]
    found = ctx.uow.bodies.by_code(body)
    ahead = [m for m in service.meetings_of(ctx, found) if m.ends_at >= ctx.now()] if found else []
    if len(ahead) > 1 and find(ctx, ahead, words[0]):
        return words[:1], words[1]
    return [], title


def _unquoted(text: str) -> str:
    """A title in quotes loses them; a quote that only ends it ("… „Zweckentfremdung“") stays (F3)."""
    if len(text) > 1 and text[0] in '"„“' and text[-1] in '"“”':
        return text[1:-1].strip()
    return text


def _item(ctx: Context, body: str, number: int, ref: list[str]) -> tuple[Meeting, AgendaItem] | None:
    meeting = pick(ctx, body, ref, "agenda")
    if meeting is None:
        return None
    item = agenda_items.by_number(meeting, number)
    if item is None:
        ctx.notice("There is no item {number}; “tagesordnung {code}” lists them.", number=number,
                   code=meeting.body.code)
        return None
    return meeting, item


PUBLIC = {"öffentlich": True, "oeffentlich": True, "public": True, "intern": False, "internal": False,
          "nichtöffentlich": False, "nicht-öffentlich": False}


def _numbered(ctx: Context, words: list[str]) -> tuple[list[str], int] | None:
    """[meeting] item-number: the meeting by its number or date when the body has several ahead."""
    if not words or not words[-1].isdecimal() or not 0 < int(words[-1]) < 100 or len(words) > 2:
        ctx.notice("“{value}” is not a number from 1 to 99.", value=(words[-1] if words else "")[:20])
        return None
    return words[:-1], int(words[-1])


def accept_item(ctx: Context, body: str, what: list[str]) -> None:
    """Accept item n; `öffentlich`/`intern` says who may see it. Without the word an item
    already accepted keeps what it was — nothing changes that was not said."""
    words = list(what)
    word = words.pop().casefold() if words and not words[-1].isdecimal() else ""
    if word and word.lstrip("+-").replace(",", "").replace(".", "").isdecimal():  # "-1": the number is wrong (F5)
        ctx.notice("“{value}” is not a number from 1 to 99.", value=word[:20])
        return
    if word in PUBLIC and words and words[-1].casefold() in PUBLIC:  # "2 öffentlich intern" (meet2 F5)
        ctx.notice("Write either “{public}” or “{internal}”, not both.",
                   public="public" if ctx.locale == "en" else "öffentlich",
                   internal="internal" if ctx.locale == "en" else "intern")
        return
    if word and word not in PUBLIC:
        ctx.notice("Write “öffentlich” or “intern” after the number, like “top annehmen {code} {number} "
                   "öffentlich”.", code=body, number=words[-1] if words else 2)
        return
    numbered = _numbered(ctx, words)
    if numbered is None:
        return
    ref, number = numbered
    found = _item(ctx, body, number, ref)
    if found is None:
        return
    meeting, item = found
    if item.kind in agenda_items.FIXED and word and not PUBLIC[word]:
        ctx.notice("Item {number} is a standing item; it stays on the agenda as it is.", number=number)
        return
    before = {"state": item.state, "public": item.public}
    if item.state != "accepted":
        item.state = "accepted"
        agenda_items.place_last(meeting, item)
        item.public = PUBLIC.get(word, False)
    elif word:
        item.public = PUBLIC[word]
    else:
        ctx.notice("Item {number} is already accepted ({visibility}); add “öffentlich” or “intern” to "
                   "change that.", number=number, visibility=ctx.t("public") if item.public else ctx.t("internal"))
        return
    ctx.uow.flush()
    ctx.uow.audit.record(ctx.person, "accept_item", "meeting", meeting.body.code, old=before,
                         new={"title": item.title, "number": item.number, "public": item.public})
    # say what was set — a first accept without the word is internal — and that it had been rejected (F3)
    visibility = ctx.t("public") if item.public else ctx.t("internal")
    if before["state"] == "rejected":
        ctx.notice("Item {number} accepted – {visibility}; it had been rejected.", number=number, visibility=visibility)
    else:
        ctx.notice("Item {number} accepted – {visibility}.", number=number, visibility=visibility)
    show_agenda(ctx, meeting)


def reject_item(ctx: Context, body: str, what: list[str]) -> None:
    numbered = _numbered(ctx, list(what))
    if numbered is None:
        return
    ref, number = numbered
    found = _item(ctx, body, number, ref)
    if found is None:
        return
    meeting, item = found
    if item.kind in agenda_items.FIXED:
        ctx.notice("Item {number} is a standing item; it stays on the agenda as it is.", number=number)
        return
    item.state = "rejected"
    ctx.uow.flush()
    ctx.uow.audit.record(ctx.person, "reject_item", "meeting", meeting.body.code,
                         old={"title": item.title, "number": item.number})
    show_agenda(ctx, meeting)


def order_items(ctx: Context, body: str, order: list[str]) -> None:
    meeting = pick(ctx, body, [], "agenda")
    if meeting is None:
        return
    wanted = [int(n) for n in order if n.isdecimal()]
    movable = [str(a.number) for a in agenda_items.accepted(meeting) if a.kind not in agenda_items.FIXED]
    problem = agenda_items.reorder(meeting, wanted) if len(wanted) == len(order) else "incomplete"
    if problem == "fixed":
        ctx.notice("“{title}” stays first; give the order of the other accepted items ({numbers}).",
                   title=agenda_items.STANDING_ITEM, numbers=" ".join(movable))
        return
    if problem:
        ctx.notice("Give the numbers of the accepted items once each ({numbers}), like "
                   "“top reihenfolge {code} {example}”.", numbers=" ".join(movable), code=meeting.body.code,
                   example=" ".join(reversed(movable)) or "3 2")
        return
    ctx.uow.flush()
    ctx.uow.audit.record(ctx.person, "order_items", "meeting", meeting.body.code, new={"order": wanted})
    ctx.uow.session.refresh(meeting, ["agenda"])
    show_agenda(ctx, meeting)


def register(registry: CommandRegistry, conversations: ConversationEngine) -> None:
    body = Arg("body", Code(), {"de": "Gremium", "en": "body"})
    maybe_body = Arg("body", Code(), {"de": "Gremium", "en": "body"}, required=False)
    chair: CommandOptions = {"role": Role.CHAIR, "body_arg": "body", "group": "meetings"}
    for command in (
        Command("agenda", {"de": ("tagesordnung",), "en": ("agenda",)},
                N_("The agenda of a body's next meeting (or the one named), with proposals."), agenda,
                args=(maybe_body, Arg("ref", Words(), {"de": "Nr.|Datum", "en": "no.|date"}, rest=True,
                                      required=False)),
                group="meetings", examples=("tagesordnung EG2",)),
        Command("agenda_propose", {"de": ("top vorschlagen",), "en": ("agenda propose",)},
                N_("Propose an item for the next meeting's agenda."), propose_item,
                args=(body, Arg("title", Text(), {"de": "Titel", "en": "title"}, rest=True)),
                role=Role.MEMBER, body_arg="body", group="meetings", examples=('top vorschlagen EG2 "Fachkräfteforum 2027"',)),
        Command("agenda_accept", {"de": ("top annehmen",), "en": ("agenda accept",)},
                N_("Accept an item by its number, “öffentlich” (shown in public) or “intern”."), accept_item,
                args=(body, Arg("what", Words(), {"de": "[Sitzung] Nr. [öffentlich|intern]",
                                                  "en": "[meeting] no. [public|internal]"}, rest=True)),
                examples=("top annehmen EG2 2 öffentlich", "top annehmen EG2 14.01. 3 intern"), **chair),
        Command("agenda_reject", {"de": ("top ablehnen",), "en": ("agenda reject",)},
                N_("Reject a proposed item."), reject_item,
                args=(body, Arg("what", Words(), {"de": "[Sitzung] Nr.", "en": "[meeting] no."}, rest=True)),
                examples=("top ablehnen EG2 3",), **chair),
        Command("agenda_order", {"de": ("top reihenfolge",), "en": ("agenda order",)},
                N_("Order the accepted items by their numbers; the standing item stays first."), order_items,
                args=(body, Arg("order", Words(), {"de": "Nummern", "en": "numbers"}, rest=True)),
                examples=("top reihenfolge EG2 3 2",), **chair),
    ):
        registry.register(command)
