"""Agenda items with stable numbers (issue #16): an item keeps the number it got when it was
proposed for its whole life; decisions change its state, never its number. The fixed items
(the standing item "Sachstand der Empfehlungen", the approval of the last minutes, the open
action items) stay on top, the standing item first."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import ActionItem, AgendaItem, Meeting

STANDING_ITEM = "Sachstand der Empfehlungen"
FIXED = {"standing": 0, "approval": 1, "actions": 2}
RANK = {"accepted": 0, "proposed": 1, "rejected": 2}
MAX_TITLE = 200  # characters of a proposed item's title


def next_number(meeting: Meeting) -> int:
    return max((a.number for a in meeting.agenda), default=0) + 1


def add(meeting: Meeting, title: str, *, state: str = "proposed", kind: str = "", public: bool = False,
        proposed_by_id: int | None = None, round_id: int | None = None) -> AgendaItem:
    item = AgendaItem(title=title[:300], state=state, kind=kind, public=public, proposed_by_id=proposed_by_id,
                      round_id=round_id, number=next_number(meeting), position=0)
    meeting.agenda.append(item)
    if state == "accepted":
        place_last(meeting, item)
    return item


def place_last(meeting: Meeting, item: AgendaItem) -> None:
    item.position = max((a.position for a in accepted(meeting) if a is not item), default=0) + 1
    normalise(meeting)


def normalise(meeting: Meeting) -> None:
    """Positions follow the shown order (fixed items first), so every output agrees with it."""
    for position, item in enumerate(accepted(meeting), start=1):
        item.position = position


def ordered(meeting: Meeting) -> list[AgendaItem]:
    """How the agenda is shown: accepted items in their order (fixed ones on top), then
    proposals, then rejected ones — each with its own number."""
    return sorted(meeting.agenda, key=lambda a: (RANK.get(a.state, 3), FIXED.get(a.kind, 9), a.position, a.number))


def accepted(meeting: Meeting) -> list[AgendaItem]:
    return [a for a in ordered(meeting) if a.state == "accepted"]


def public(meeting: Meeting) -> list[AgendaItem]:
    """What the public sees (page, feeds, OParl): the accepted public items in the agenda's order,
    each under its own number — the same TOP as in the invitation and the minutes (F1)."""
    return [a for a in accepted(meeting) if a.public]


def by_number(meeting: Meeting, number: int) -> AgendaItem | None:
    return next((a for a in meeting.agenda if a.number == number), None)


def reorder(meeting: Meeting, numbers: list[int]) -> str | None:
    """New order of the movable accepted items by their numbers; None when done, otherwise
    the reason (a msgid key) why not."""
    movable = [a for a in accepted(meeting) if a.kind not in FIXED]
    fixed = [a.number for a in accepted(meeting) if a.kind in FIXED]
    given = [n for n in numbers if n in fixed]
    if numbers[:len(given)] != fixed[:len(given)]:
        return "fixed"  # the standing item (and the other fixed ones) cannot be moved
    wanted = numbers[len(given):]
    if sorted(wanted) != sorted(a.number for a in movable):
        return "incomplete"
    for position, number in enumerate(wanted, start=len(fixed) + 1):
        item = by_number(meeting, number)
        assert item is not None
        item.position = position
    normalise(meeting)
    return None


def standing(meeting: Meeting) -> AgendaItem | None:
    return next((a for a in meeting.agenda if a.kind == "standing"), None)


def open_actions(session: Session, body_id: int, before: Meeting) -> list[ActionItem]:
    stmt = (select(ActionItem).join(Meeting, ActionItem.meeting_id == Meeting.id)
            .where(Meeting.body_id == body_id, Meeting.starts_at < before.starts_at, ActionItem.state == "open")
            .order_by(ActionItem.id))
    return list(session.scalars(stmt))
