"""Calendar feeds for the web server: one per body, one for all bodies. Meetings only —
no attendees, no answers, only public agenda items."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.core.context import Services
from storage.models import Meeting

from . import ics

SHOWN = ("planned", "invited", "held")


def build_feed(services: Services, code: str) -> bytes | None:
    with services.uow_factory() as uow:
        stmt = (select(Meeting).where(Meeting.state.in_(SHOWN)).order_by(Meeting.starts_at)
                .options(selectinload(Meeting.agenda)))
        if code.casefold() == "all":
            name = "Sachstand – alle Gremien"
        else:
            body = uow.bodies.by_code(code)
            if body is None:
                return None
            stmt = stmt.where(Meeting.body_id == body.id)
            name = f"{body.code} – {body.name}"
        meetings = uow.session.scalars(stmt).all()
        return ics.feed(meetings, name, services.settings.general.timezone, services.clock())
