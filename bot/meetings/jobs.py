"""Scheduled work of meetings, derived from the database on each tick. What was sent is
recorded in the ledger in the same transaction as the messages, so a reminder that fell
due while the bot was down goes out once after the start — and never twice."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import select

from datetime import timedelta

from bot.core.context import Services
from bot.core.events import ChannelRef
from bot.jobs import person_context, system_context
from bot.core.periods import local_at
from storage.models import ActionItem, Body, Meeting, Person

from . import minutes, service

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
            done += _minutes_overdue(services, uow, meeting)
        done += _remind_actions(services, uow)
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
                  asks=service.rsvp_topic(meeting), rsvp_words=service.rsvp_words(ctx, meeting),
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
    if chair is not None and ctx is not None:
        busy = uow.conversations.active(ctx.channel.transport, ctx.channel.id, chair.id) is not None
        ctx.reply("meeting_minutes_due", meeting=meeting, body=meeting.body, busy=busy)
        if not busy:
            minutes.begin(ctx, meeting)
    uow.ops.mark_done(key, "meeting_minutes", meeting.ends_at, services.clock(), asked=chair is not None)
    return 1


def _chair(meeting: Meeting) -> Person | None:
    return next((m.person for m in meeting.body.memberships if m.role.value == "chair"), None)


def _minutes_overdue(services: Services, uow: UnitOfWork, meeting: Meeting) -> int:
    """Minutes still missing: the chair is reminded after `minutes_reminder_days` (and asked
    again), the office told after `minutes_office_days` — each once."""
    now, settings = services.clock(), services.settings.meetings
    done = 0
    remind_key, office_key = f"meeting:{meeting.id}:minutes:remind", f"meeting:{meeting.id}:minutes:office"
    chair = _chair(meeting)
    if now >= meeting.ends_at + timedelta(days=settings.minutes_reminder_days) and not uow.ops.done(remind_key):
        ctx = person_context(services, uow, chair) if chair is not None else None
        if chair is not None and ctx is not None:
            active = uow.conversations.active(ctx.channel.transport, ctx.channel.id, chair.id)
            busy = active is not None and active.name != minutes.CONVERSATION
            asking = active is not None and not busy and active.data.get("meeting") == meeting.id
            ctx.reply("meeting_minutes_reminder", meeting=meeting, body=meeting.body, busy=busy,
                      days=settings.minutes_reminder_days)
            if not busy and not asking:  # ask again, unless the question for it is still open
                minutes.begin(ctx, meeting)
        uow.ops.mark_done(remind_key, "meeting_minutes_reminder", now, now, asked=ctx is not None)
        done += 1
    if now >= meeting.ends_at + timedelta(days=settings.minutes_office_days) and not uow.ops.done(office_key):
        office = next((b for b in uow.bodies.all() if b.coordinating), None)
        if office is not None:
            ctx = system_context(services, uow, ChannelRef("system", "", direct=False), None)
            for channel in service.room_channels(ctx, office):
                ctx.send(channel, "meeting_minutes_missing", services.settings.general.locale, meeting=meeting,
                         body=meeting.body, days=settings.minutes_office_days,
                         chair=chair.name if chair is not None else "–")
        uow.ops.mark_done(office_key, "meeting_minutes_office", now, now)
        done += 1
    return done


ACTION_REMIND_DAYS = 3  # an open action item's owner hears of it this long before it is due


def _remind_actions(services: Services, uow: UnitOfWork) -> int:
    """Each open action item with a date reminds its owner once, at 09:00 three days before
    (or at once when recorded later than that); a body's item reminds the body's chair."""
    now, tz = services.clock(), services.settings.general.timezone
    done = 0
    for action in uow.session.scalars(select(ActionItem).where(ActionItem.state == "open",
                                                                ActionItem.due_on.is_not(None))):
        key = f"action:{action.id}:remind"
        assert action.due_on is not None, "selected with a due date"
        when = local_at(action.due_on - timedelta(days=ACTION_REMIND_DAYS), service.REMIND_AT, tz)
        if when > now or uow.ops.done(key):
            continue
        owner = action.owner_person or (_chair_of(action.owner_body) if action.owner_body else None)
        ctx = person_context(services, uow, owner) if owner is not None else None
        if ctx is not None:
            ctx.reply("action_reminder", action=action, body=action.meeting.body)
        uow.ops.mark_done(key, "action_reminder", when, now, sent=ctx is not None)
        done += 1
    return done


def _chair_of(body: Body) -> Person | None:
    return next((m.person for m in body.memberships if m.role.value == "chair"), None)
