"""Minutes that last (issue #16): attendance, apologies, guests, one result per agenda item and
action items (who does what by when) are saved with the meeting; the next meeting gets the
approval of these minutes and the open action items as fixed items; the approval is recorded
when that meeting's minutes are saved. Results become public only once approved."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select

from bot.core.argtypes import ArgError, PersonMention, parse_german_date
from bot.core.commands import N_
from bot.core.context import Context
from bot.core.text_safety import one_line
from storage.models import ActionItem, Body, Meeting, Person, Rsvp

from . import agenda as agenda_items
from .queries import ACTIVE, meetings_of, members

CONVERSATION = "minutes"  # the conversation (handlers/meeting_minutes.py) that records them
# the approval item is answered yes or no, never read from free text (F12); a remark may follow
REFUSED = re.compile(r"^\s*(nein|nicht genehmigt|no|not approved)\b[\s,.:;!–-]*(.*)$", re.IGNORECASE | re.DOTALL)
APPROVED = re.compile(r"^\s*(ja|genehmigt|yes|approved)\b[\s,.:;!–-]*(.*)$", re.IGNORECASE | re.DOTALL)


def begin(ctx: Context, meeting: Meeting) -> None:
    """Start the minutes conversation with the person of `ctx` in its DM."""
    assert ctx.person is not None
    ctx.services.conversations.start(ctx, CONVERSATION, ctx.person, ctx.channel, data={
        "meeting": meeting.id, "present": [], "excused": [], "guests": "", "results": {}, "actions": [],
        "i": 0, "a": 0})


def previous_held(ctx: Context, meeting: Meeting) -> Meeting | None:
    held = [m for m in meetings_of(ctx, meeting.body, ("held",)) if m.starts_at < meeting.starts_at]
    return held[-1] if held else None


def unapproved(ctx: Context, meeting: Meeting) -> list[Meeting]:
    """Held meetings before this one whose minutes wait for approval (oldest first)."""
    return [m for m in meetings_of(ctx, meeting.body, ("held",))
            if m.starts_at < meeting.starts_at and m.minutes_approved_at is None]


def next_to_follow_up(ctx: Context, body: Body) -> Meeting | None:
    """The meeting that gets the approval and the open action items: the next one that has not
    begun — never one already in session, whose invitation went out without them (F11)."""
    return next((m for m in meetings_of(ctx, body, ACTIVE) if m.starts_at > ctx.now()), None)


def add_followups(ctx: Context, meeting: Meeting) -> None:
    """The approval of the minutes waiting for it and the open action items, once each, on top;
    a meeting that has begun is left as it is, and so is one after the body's next meeting: the
    next one approves the minutes, not every meeting planned meanwhile (findings-meet2 F11, F12)."""
    if meeting.starts_at <= ctx.now():
        return
    first = next_to_follow_up(ctx, meeting.body)
    if first is not None and first.id != meeting.id and first.starts_at < meeting.starts_at:
        return
    waiting = unapproved(ctx, meeting)
    kinds = {a.kind for a in meeting.agenda}
    if waiting:
        title = _office(ctx, N_("Approval of the minutes of meeting {number} ({date})"), number=waiting[-1].number,
                        date=_day(ctx, waiting[-1]).strftime("%d.%m.%Y")) if len(waiting) == 1 else _office(
            ctx, N_("Approval of the minutes of meetings {numbers}"),
            numbers=", ".join(str(m.number) for m in waiting))
        item = next((a for a in meeting.agenda if a.kind == "approval"), None)
        if item is None:
            agenda_items.add(meeting, title, state="accepted", kind="approval", public=True)
        else:
            item.title = title  # minutes held since: one approval item names them all
    if "actions" not in kinds and agenda_items.open_actions(ctx.uow.session, meeting.body_id, meeting):
        agenda_items.add(meeting, _office(ctx, N_("Action items from earlier meetings")), state="accepted", kind="actions",
                         public=False)
    ctx.uow.flush()


def _office(ctx: Context, msgid: str, **values: object) -> str:
    """Agenda titles are the office's words, in its language, whoever triggered them."""
    return ctx.services.translations.gettext(ctx.services.settings.general.locale, msgid, **values)


def _day(ctx: Context, meeting: Meeting) -> date:
    from zoneinfo import ZoneInfo

    return meeting.starts_at.astimezone(ZoneInfo(ctx.tz)).date()


ACTION_FORM = N_("Write the action item like “Einladung verschicken; @testmann; 15.03.2027”: "
                 "what; who (a person or a body); by when.")


@dataclass
class Action:
    title: str
    person_id: int | None
    body_id: int | None
    due: date | None


def parse_action(ctx: Context, text: str) -> Action:
    """`Was; wer; bis wann` — who is @person or a body code; the date may be left out."""
    parts = [p.strip() for p in re.split(r"\s*;\s*", text.strip())]
    if len(parts) < 2 or not parts[0]:
        raise ArgError(ACTION_FORM)
    title, who = one_line(parts[0])[:500], parts[1]
    if not title:  # only invisible characters (F21)
        raise ArgError(ACTION_FORM)
    due = parse_german_date(parts[2].removeprefix("bis ").strip(), ctx.today()) if len(parts) > 2 and parts[2] \
        else None
    if due is not None and due < ctx.today():  # as meetings are: no deadline in the past (F9)
        raise ArgError(N_("The deadline {date} is in the past."), date=due.strftime("%d.%m.%Y"))
    body = ctx.uow.bodies.by_code(who.upper()) if re.fullmatch(r"[A-Za-z]{1,8}\d{0,3}", who) else None
    if body is not None:
        return Action(title, None, body.id, due)
    ref = PersonMention().parse(who, ctx.today())
    transport, sep, external = ref.partition(":")
    person = ctx.uow.people.by_identity(transport, external) if sep and transport in ("matrix", "slack") \
        else ctx.uow.people.by_handle(ref)
    if person is None:
        raise ArgError(N_("I do not know {name}. Mention a person like @name or name a body like EG2."),
                       name=who[:40])
    return Action(title, person.id, None, due)


def action_values(ctx: Context, action: dict[str, Any]) -> dict[str, Any]:
    """A stored action (conversation data) for the templates."""
    person = ctx.uow.session.get(Person, action["person"]) if action.get("person") else None
    body = ctx.uow.session.get(Body, action["body"]) if action.get("body") else None
    return {"title": action["title"], "who": person.name if person else (body.code if body else "–"),
            "due": date.fromisoformat(action["due"]) if action.get("due") else None, "state": "open"}


def save(ctx: Context, meeting: Meeting, data: dict[str, Any]) -> list[ActionItem]:
    """Store what the conversation collected; the meeting is then held."""
    present, excused = set(data.get("present", [])), set(data.get("excused", []))
    rows = {r.person_id: r for r in ctx.uow.session.scalars(select(Rsvp).where(Rsvp.meeting_id == meeting.id))}
    for person in members(meeting.body):
        row = rows.get(person.id)
        if row is None:
            row = Rsvp(meeting_id=meeting.id, person_id=person.id, answer="")
            ctx.uow.session.add(row)
        row.attended = person.id in present
        row.excused = person.id in excused and person.id not in present
    meeting.guests = data.get("guests", "")
    results = data.get("results", {})
    for item in agenda_items.accepted(meeting):
        item.result = results.get(str(item.id), "")
        if item.kind == "approval" and data.get("approved", {}).get(str(item.id)) is True:
            for last in unapproved(ctx, meeting):
                last.minutes_approved_at = ctx.now()
                ctx.uow.audit.record(ctx.person, "approve_minutes", "meeting", meeting.body.code,
                                     new={"number": last.number})
    made: list[ActionItem] = []
    for action in data.get("actions", []):
        action_item = ActionItem(meeting_id=meeting.id, title=action["title"], owner_person_id=action.get("person"),
                                 owner_body_id=action.get("body"),
                                 due_on=date.fromisoformat(action["due"]) if action.get("due") else None)
        ctx.uow.session.add(action_item)
        made.append(action_item)
    meeting.state = "held"
    ctx.uow.flush()
    later = next_to_follow_up(ctx, meeting.body)
    if later is not None:
        add_followups(ctx, later)
    return made


def approval_answer(ctx: Context, text: str) -> tuple[bool, str] | None:
    """`ja` / `nein`, optionally with a remark (`ja, mit Änderungen: …`): approved?, the result as
    the minutes say it; None when the answer says neither (then the question is asked again)."""
    for pattern, yes, word in ((REFUSED, False, N_("Not approved.")), (APPROVED, True, N_("Approved."))):
        match = pattern.match(text)
        if match:
            remark = match.group(2).strip()
            return yes, _office(ctx, word) + (f" {remark}" if remark else "")
    return None


def actions_of_meeting(ctx: Context, meeting: Meeting) -> list[ActionItem]:
    return list(ctx.uow.session.scalars(select(ActionItem).where(ActionItem.meeting_id == meeting.id)
                                        .order_by(ActionItem.id)))


def open_actions_for(ctx: Context, person: Person) -> list[ActionItem]:
    """Open action items a person owns, or owns through a body they chair."""
    chaired = [m.body_id for m in ctx.uow.people.memberships(person) if m.role.value == "chair"]
    stmt = select(ActionItem).where(ActionItem.state == "open").order_by(ActionItem.due_on, ActionItem.id)
    return [a for a in ctx.uow.session.scalars(stmt)
            if a.owner_person_id == person.id or (a.owner_body_id is not None and a.owner_body_id in chaired)]


def owner_to_tell(action: ActionItem) -> Person | None:
    """Who hears of an action item: its owner, or for a body the body's chair (F7)."""
    if action.owner_person is not None:
        return action.owner_person
    body = action.owner_body
    return next((m.person for m in body.memberships if m.role.value == "chair"), None) if body else None


def owner_name(action: ActionItem) -> str:
    if action.owner_person is not None:
        return action.owner_person.name
    return action.owner_body.code if action.owner_body is not None else "–"
