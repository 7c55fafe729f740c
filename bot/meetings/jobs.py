"""Scheduled work of meetings, derived from the database on each tick. What was sent is
recorded in the ledger in the same transaction as the messages, so a reminder that fell
due while the bot was down goes out once after the start — and never twice."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import select

from bot.core.context import Services
from bot.jobs import person_context
from storage.models import Meeting

from . import service

if TYPE_CHECKING:
    from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


def tick(services: Services) -> int:
    done = 0
    with services.uow_factory() as uow:
        now = services.clock()
        upcoming = uow.session.scalars(select(Meeting).where(
            Meeting.state == "invited", Meeting.starts_at > now).order_by(Meeting.starts_at)).all()
        for meeting in upcoming:
            done += _remind_if_due(services, uow, meeting)
        ended = uow.session.scalars(select(Meeting).where(
            Meeting.state == "invited", Meeting.ends_at <= now)).all()
        for meeting in ended:
            done += _ask_for_minutes(services, uow, meeting)
        uow.commit()
    return done


def _remind_if_due(services: Services, uow: UnitOfWork, meeting: Meeting) -> int:
    """Send the latest due reminder not yet sent; earlier missed ones are skipped, not sent late."""
    now = services.clock()
    due = [(key, when) for key, when in service.reminder_times(
        services.settings.general.timezone, meeting, services.settings.meetings.reminder_days) if when <= now]
    if not due or uow.ops.done(due[-1][0]):
        return 0
    count = remind(services, uow, meeting)
    for key, when in due:
        if not uow.ops.done(key):
            uow.ops.mark_done(key, "meeting_reminder", when, now, sent=key == due[-1][0], people=count)
    log.info("reminded %d people of meeting %s", count, meeting.uid)
    return 1


def remind(services: Services, uow: UnitOfWork, meeting: Meeting) -> int:
    """Each member who has not declined; those who have not answered get the RSVP buttons."""
    given = {r.person_id: r.answer for r in meeting.rsvps if r.answer}
    count = 0
    service.link_latest_round(uow, meeting)
    for person in service.members(meeting.body):
        answer = given.get(person.id, "")
        ctx = person_context(services, uow, person)
        if answer == "no" or ctx is None:
            continue
        ctx.bulk = True
        choices = [] if answer else service.rsvp_choices(ctx, meeting, ctx.locale)
        ctx.reply("meeting_reminder", meeting=meeting, body=meeting.body, answer=answer, choices=choices,
                  agenda=service.accepted(meeting))
        count += 1
    return count


def _ask_for_minutes(services: Services, uow: UnitOfWork, meeting: Meeting) -> int:
    """Once a meeting is over, its chair is asked for the minutes (once)."""
    key = f"meeting:{meeting.id}:minutes"
    if uow.ops.done(key):
        return 0
    chair = next((m.person for m in meeting.body.memberships if m.role.value == "chair"), None)
    ctx = person_context(services, uow, chair) if chair is not None else None
    if ctx is not None:
        from handlers import meeting_minutes

        busy = uow.conversations.active(ctx.channel.transport, ctx.channel.id, chair.id) is not None
        ctx.reply("meeting_minutes_due", meeting=meeting, body=meeting.body, busy=busy)
        if not busy:
            meeting_minutes.begin(ctx, meeting)
    uow.ops.mark_done(key, "meeting_minutes", meeting.ends_at, services.clock(), asked=chair is not None)
    return 1
