"""What every part of the meetings service looks up (the service, planning, minutes): a body's
meetings and open poll, its members, and the one error type they raise."""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from bot.core.context import Context
from storage.models import Body, DatePoll, Meeting, Person

ACTIVE = ("planned", "invited")


class MeetingError(Exception):
    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message)
        self.message, self.values = message, values


def meetings_of(ctx: Context, body: Body, states: Sequence[str] = ACTIVE) -> list[Meeting]:
    stmt = select(Meeting).where(Meeting.body_id == body.id, Meeting.state.in_(states)).order_by(Meeting.starts_at)
    return list(ctx.uow.session.scalars(stmt))


def next_meeting(ctx: Context, body: Body) -> Meeting | None:
    return next((m for m in meetings_of(ctx, body) if m.ends_at >= ctx.now()), None)


def open_poll(ctx: Context, body: Body, states: Sequence[str] = ("draft", "open")) -> DatePoll | None:
    stmt = (select(DatePoll).where(DatePoll.body_id == body.id, DatePoll.state.in_(states))
            .order_by(DatePoll.id.desc()))
    return ctx.uow.session.scalars(stmt).first()


def members(body: Body) -> list[Person]:
    return [m.person for m in body.memberships]
