"""The action items a person owns, in their data export; on erasure they become unowned
(the item stays with its meeting, like the minutes). Hooked in by bot/privacy/sections.py."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update

from storage.db import rowcount
from storage.models import ActionItem, Person

if TYPE_CHECKING:
    from storage.uow import UnitOfWork


def export_for(uow: UnitOfWork, person: Person | None = None, email: str | None = None) -> list[dict[str, Any]]:
    if person is None:
        return []
    rows = uow.session.scalars(select(ActionItem).where(ActionItem.owner_person_id == person.id)
                               .order_by(ActionItem.id))
    return [{"id": a.id, "meeting": a.meeting_id, "title": a.title, "due_on": a.due_on.isoformat() if a.due_on
             else None, "state": a.state} for a in rows]


def erase_for(uow: UnitOfWork, person: Person | None = None, email: str | None = None) -> int:
    if person is None:
        return 0
    result = uow.session.execute(update(ActionItem).where(ActionItem.owner_person_id == person.id)
                                 .values(owner_person_id=None))
    return rowcount(result)
