"""Calendar feeds for the web server: one per body, one for all bodies. Meetings only —
no attendees, no answers, no dial-in links, only public agenda items."""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from bot.core.context import Services
from storage.models import Meeting

from . import ics

if TYPE_CHECKING:
    from storage.uow import UnitOfWork

SHOWN = ("planned", "invited", "held")


def organizer(services: Services) -> str:
    """The address invitations and feeds name as ORGANIZER (RFC 5546): the bot at the public host."""
    host = urlparse(str(services.settings.web.public_base_url)).hostname or "localhost"
    return f"sachstand@{host}"


def build_feed(services: Services, code: str) -> bytes | None:
    found = build_feed_dated(services, code)
    return found[0] if found else None


def build_feed_dated(services: Services, code: str) -> tuple[bytes, datetime | None] | None:
    """The feed and when its content last changed (for Last-Modified), or None for an unknown body."""
    with services.uow_factory() as uow:
        return feed_in(services, uow, code)


def feed_in(services: Services, uow: UnitOfWork, code: str) -> tuple[bytes, datetime | None] | None:
    """The same, from an open unit of work (the no-leak test renders from its own session)."""
    stmt = (select(Meeting).where(Meeting.state.in_(SHOWN)).order_by(Meeting.starts_at)
            .options(selectinload(Meeting.agenda)))
    changed = select(func.max(Meeting.updated_at))
    if code.casefold() == "all":
        name = "Sachstand – alle Gremien"
    else:
        body = uow.bodies.by_code(code)
        if body is None:
            return None
        stmt = stmt.where(Meeting.body_id == body.id)
        changed = changed.where(Meeting.body_id == body.id)
        name = f"{body.code} – {body.name}"
    meetings = uow.session.scalars(stmt).all()
    modified = uow.session.scalar(changed)
    data = ics.feed(meetings, name, services.settings.general.timezone, services.clock(), organizer(services))
    return data, modified
