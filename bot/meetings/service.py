"""Meetings: planning polls, creating, inviting, RSVPs, changes and cancellations.

Every message about a meeting carries its iCalendar file; a change bumps SEQUENCE so
calendars update the entry instead of adding one."""
from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.core.commands import N_
from bot.core.context import Context
from bot.core.events import Attachment, ChannelRef, Choice
from bot.core.periods import local_at
from storage.models import Body, DatePoll, Meeting, Person, PollOption, PollVote, Rsvp

from . import changes, ics
from .changes import Said

from . import agenda as agenda_items
from .agenda import STANDING_ITEM, accepted  # noqa: F401 - the names callers use
from .minutes import add_followups, next_to_follow_up
from .planning import refuse_clash
from .queries import ACTIVE, MeetingError, meetings_of, members, next_meeting, open_poll  # noqa: F401 - the names callers use
from .rsvp_words import rsvp_words

if TYPE_CHECKING:
    from storage.uow import UnitOfWork

ANSWERS = ("yes", "no", "maybe")
RSVP_WORDS = {"yes": "zusagen", "no": "absagen", "maybe": "vielleicht"}
RSVP_KEYS = {"yes": "✅", "no": "❌", "maybe": "❔"}  # the reactions offered on Matrix
REMIND_AT = time(9, 0)


# -- lookups -------------------------------------------------------------------------------


def room_channels(ctx: Context, body: Body) -> list[ChannelRef]:
    return [ChannelRef(r.transport, r.room_id) for r in body.rooms if r.transport in ctx.services.formats]


# -- polls ---------------------------------------------------------------------------------


def poll_choices(body: Body, poll: DatePoll, label: Callable[[PollOption], str]) -> list[Choice]:
    return [Choice(f"abstimmen {body.code} +{o.position}", label(o), str(o.position),
                   several=f"abstimmen {body.code} {{keys}}") for o in poll.options]  # a poll: all at once


def tally(ctx: Context, poll: DatePoll) -> list[tuple[PollOption, int, list[str]]]:
    rows = []
    for option in poll.options:
        votes = ctx.uow.session.scalars(select(PollVote).where(PollVote.option_id == option.id)).all()
        names = [ctx.uow.session.get_one(Person, v.person_id).name for v in votes]  # a vote's person exists (FK)
        rows.append((option, len(votes), names))
    return rows


def vote(ctx: Context, poll: DatePoll, person: Person, positions: list[int], add: bool) -> list[int]:
    """Typed `abstimmen 1 3` sets one's votes; a click (`+3`) adds one."""
    by_pos = {o.position: o for o in poll.options}
    unknown = [p for p in positions if p not in by_pos]
    if unknown:
        raise MeetingError(N_("There is no option {number}; the poll has options 1 to {last}."),
                           number=unknown[0], last=len(by_pos))
    mine = {v.option_id: v for o in poll.options for v in ctx.uow.session.scalars(
        select(PollVote).where(PollVote.option_id == o.id, PollVote.person_id == person.id))}
    wanted = {by_pos[p].id for p in positions}
    if not add:
        for option_id, row in mine.items():
            if option_id not in wanted:
                ctx.uow.session.delete(row)
    for option_id in wanted - set(mine):
        ctx.uow.session.add(PollVote(option_id=option_id, person_id=person.id, vote="yes"))
    ctx.uow.flush()
    keep = wanted | (set(mine) if add else set())
    chosen = sorted(o.position for o in poll.options if o.id in keep)
    ctx.uow.audit.record(person, "vote", "meeting", poll_body_code(ctx, poll), new={"options": chosen})
    return chosen


def poll_body_code(ctx: Context, poll: DatePoll) -> str:
    body = ctx.uow.session.get(Body, poll.body_id)
    return body.code if body is not None else ""


def winner(ctx: Context, poll: DatePoll, position: int | None) -> PollOption:
    if position is not None:
        found = next((o for o in poll.options if o.position == position), None)
        if found is None:
            raise MeetingError(N_("There is no option {number}; the poll has options 1 to {last}."),
                               number=position, last=len(poll.options))
        return found
    rows = tally(ctx, poll)
    return max(rows, key=lambda r: (r[1], -r[0].position))[0]  # most votes; the earliest on a tie


# -- meetings ------------------------------------------------------------------------------


def split_place(place: str) -> tuple[str, str]:
    """An online link is allowed as the place."""
    if urlparse(place).scheme in ("http", "https"):
        return "", place
    return place, ""


def next_number(ctx: Context, body: Body, starts_at: datetime) -> int:
    """The n-th meeting of the body in that year; a number once given is never given again."""
    tz = ZoneInfo(ctx.services.settings.general.timezone)
    year = starts_at.astimezone(tz).year
    same = [m.number for m in meetings_of(ctx, body, (*ACTIVE, "held", "cancelled"))
            if m.starts_at.astimezone(tz).year == year]
    return max(same, default=0) + 1


def create(ctx: Context, body: Body, starts_at: datetime, ends_at: datetime, place: str, url: str = "",
           anyway: bool = False) -> Meeting:
    if starts_at <= ctx.now():
        raise MeetingError(N_("The meeting would be in the past."))
    if not anyway:
        refuse_clash(ctx, body, starts_at, ends_at)
    where, link = split_place(place)
    host = urlparse(str(ctx.services.settings.web.public_base_url)).hostname or "localhost"
    meeting = Meeting(body_id=body.id, title=f"{body.code} – {body.name}", starts_at=starts_at, ends_at=ends_at,
                      place=where, online_url=url or link, state="planned", uid=f"{uuid.uuid4()}@{host}",
                      sequence=0, number=next_number(ctx, body, starts_at))
    ctx.uow.session.add(meeting)
    latest = ctx.uow.rounds.latest_for_body(body.id)
    agenda_items.add(meeting, STANDING_ITEM, state="accepted", kind="standing", public=True,
                     round_id=latest.id if latest else None)
    ctx.uow.flush()
    ctx.uow.session.refresh(meeting, ["body"])
    add_followups(ctx, meeting)
    ctx.uow.audit.record(ctx.person, "create_meeting", "meeting", body.code,
                         new={"starts_at": starts_at, "number": meeting.number})
    skip_past_reminders(ctx, meeting)
    return meeting


def invite(ctx: Context, meeting: Meeting, template: str = "meeting_invitation", **extra: object) -> int:
    """To the body's room and to each member by DM, each with the .ics; returns people reached."""
    if meeting.state == "planned":
        meeting.state = "invited"
    link_latest_round(ctx.uow, meeting)
    data = calendar_file(ctx, meeting)
    locale = ctx.services.settings.general.locale
    values: dict[str, Any] = {"meeting": meeting, "body": meeting.body, "agenda": accepted(meeting),
                              "rsvp_words": rsvp_words(ctx, meeting), **extra}
    # with a meeting fixed the body's date poll is over; with it cancelled, its attendance polls
    over = [dates_topic(meeting.body)] + ([rsvp_topic(meeting)] if meeting.state == "cancelled" else [])
    for channel in room_channels(ctx, meeting.body):
        ctx.send(channel, template, locale, choices=rsvp_choices(ctx, meeting, locale), attachments=[data],
                 bulk=ctx.bulk, asks=rsvp_topic(meeting), closes=over, **values)
    reached, invited = 0, set[tuple[str, str]]()
    for person in members(meeting.body):
        choices = rsvp_choices(ctx, meeting, ctx.locale_of(person))
        if ctx.send_to_person(person, template, choices=choices, attachments=[data], asks=rsvp_topic(meeting),
                              closes=over[1:], **values) is not None:
            reached += 1
            invited |= _dms(person)
    notify_followers(ctx, meeting, invited)
    return reached


def notify_followers(ctx: Context, meeting: Meeting, invited: AbstractSet[tuple[str, str]] = frozenset()) -> int:
    """Rooms that follow the body (or everything, or a field it works on) hear of the meeting and
    of each change, in their language — without the RSVP buttons, which are for members. Each
    once, and not a member's DM that has the invitation itself (rounds2 F11)."""
    told = {(room.transport, room.id) for room in room_channels(ctx, meeting.body)} | set(invited)
    fields = [f.code for f in ctx.uow.catalog.fields() if f.body_id == meeting.body_id]
    sent = 0
    for sub in ctx.uow.subscriptions.following_body(meeting.body.code, fields, "meetings"):
        if sub.transport in ctx.services.formats and (sub.transport, sub.channel_id) not in told:
            told.add((sub.transport, sub.channel_id))
            ctx.send(ChannelRef(sub.transport, sub.channel_id), "meeting_notice", sub.locale, meeting=meeting,
                     body=meeting.body)
            sent += 1
    return sent


def _dms(person: Person) -> set[tuple[str, str]]:
    """A person's direct-message channels, as a DM's subscription names them."""
    return ({(i.transport, i.dm_channel) for i in person.identities if i.dm_channel}
            | {(i.transport, f"dm:{i.external_id}") for i in person.identities})


def calendar_file(ctx: Context, meeting: Meeting) -> Attachment:
    host = urlparse(str(ctx.services.settings.web.public_base_url)).hostname or "localhost"
    data = ics.invitation(meeting, ctx.services.settings.general.timezone, ctx.now(), f"sachstand@{host}")
    name = "absage.ics" if meeting.state == "cancelled" else "einladung.ics"
    return Attachment(f"{meeting.body.code}-{name}", "text/calendar; method="
                      + ("CANCEL" if meeting.state == "cancelled" else "REQUEST"), data)


def dates_topic(body: Body) -> str:
    """What a date poll's choices ask about: its own poll in the body's room (Matrix)."""
    return f"dates:{body.code}"


def rsvp_topic(meeting: Meeting) -> str:
    """What the RSVP choices ask about: a poll of its own beside a conversation's step (Matrix)."""
    return f"rsvp:{meeting.id}"


def rsvp_choices(ctx: Context, meeting: Meeting, locale: str) -> list[Choice]:
    if meeting.state == "cancelled":
        return []
    labels = {"yes": "Yes", "no": "No", "maybe": "Maybe"}
    return [Choice(f"{RSVP_WORDS[a]} {meeting.id}", ctx.services.translations.gettext(locale, labels[a]),
                   RSVP_KEYS[a]) for a in ANSWERS]


def link_latest_round(uow: UnitOfWork, meeting: Meeting) -> None:
    """The standing item points at the body's latest round (one may have opened since)."""
    latest = uow.rounds.latest_for_body(meeting.body_id)
    for item in meeting.agenda:
        if item.title == STANDING_ITEM and latest is not None and item.round_id != latest.id:
            item.round_id = latest.id
            item.round = latest


def answer(ctx: Context, meeting: Meeting, person: Person, reply: str) -> None:
    row = ctx.uow.session.scalar(select(Rsvp).where(Rsvp.meeting_id == meeting.id, Rsvp.person_id == person.id))
    if row is None:
        row = Rsvp(meeting_id=meeting.id, person_id=person.id, answer=reply)
        ctx.uow.session.add(row)
    old = row.answer if row.answered_at is not None else None
    row.answer, row.answered_at = reply, ctx.now()
    ctx.uow.flush()
    ctx.uow.audit.record(person, "rsvp", "meeting", meeting.body.code, old=old, new=reply)


def answers(ctx: Context, meeting: Meeting) -> dict[str, list[Person]]:
    """Members by answer: yes, no, maybe, and "open" for those who have not answered."""
    given = {r.person_id: r.answer for r in meeting.rsvps if r.answer}
    result: dict[str, list[Person]] = {"yes": [], "no": [], "maybe": [], "open": []}
    for person in members(meeting.body):
        result[given.get(person.id, "open")].append(person)
    return result


def change(ctx: Context, meeting: Meeting, said: Said, anyway: bool = False) -> None:
    """What the change names — day, time, length, place, link — and nothing else: SEQUENCE+1,
    announced to everyone invited with the updated entry."""
    if meeting.state not in ACTIVE:
        raise MeetingError(N_("This meeting can no longer be changed."))
    if said.empty:
        raise MeetingError(N_("Say what changes: a date, a time, a length, a place or an online link."))
    tz = ctx.services.settings.general.timezone
    before = {"starts_at": meeting.starts_at, "ends_at": meeting.ends_at, "place": meeting.place,
              "url": meeting.online_url}
    starts_at, ends_at = changes.new_times(said, meeting.starts_at, meeting.ends_at, tz)
    if (starts_at, ends_at) != (meeting.starts_at, meeting.ends_at):
        if starts_at <= ctx.now():
            raise MeetingError(N_("The meeting would be in the past."))
        if not anyway:
                refuse_clash(ctx, meeting.body, starts_at, ends_at, exclude=meeting)
        meeting.starts_at, meeting.ends_at = starts_at, ends_at
    if said.place is not None:
        meeting.place = said.place
    if said.url is not None:
        meeting.online_url = said.url
    if (meeting.starts_at, meeting.ends_at, meeting.place, meeting.online_url) == (
            before["starts_at"], before["ends_at"], before["place"], before["url"]):
        raise MeetingError(N_("Nothing changed: the meeting is already like that."))  # no new SEQUENCE (F6)
    meeting.sequence += 1
    ctx.uow.audit.record(ctx.person, "change_meeting", "meeting", meeting.body.code, old=before,
                         new={"starts_at": meeting.starts_at, "place": meeting.place, "url": meeting.online_url,
                              "sequence": meeting.sequence})
    skip_past_reminders(ctx, meeting)
    invite(ctx, meeting, "meeting_changed", old_start=before["starts_at"], old_place=before["place"])


def cancel(ctx: Context, meeting: Meeting) -> None:
    if meeting.state not in ACTIVE:
        raise MeetingError(N_("This meeting can no longer be changed."))
    meeting.state = "cancelled"
    meeting.sequence += 1
    ctx.uow.audit.record(ctx.person, "cancel_meeting", "meeting", meeting.body.code,
                         old={"starts_at": meeting.starts_at})
    invite(ctx, meeting, "meeting_cancelled")
    ctx.uow.flush()
    later = next_to_follow_up(ctx, meeting.body)  # the approval and the action items move on to it
    if later is not None:
        add_followups(ctx, later)


# -- reminders -----------------------------------------------------------------------------


def reminder_times(tz: str, meeting: Meeting, days: list[int]) -> list[tuple[str, datetime]]:
    """(ledger key, when) per configured reminder at 09:00 local, earliest first; the key names
    the date version (SEQUENCE), so a moved meeting is reminded of its new date."""
    day = meeting.starts_at.astimezone(ZoneInfo(tz)).date()
    times = []
    for d in sorted(set(days), reverse=True):
        when = min(local_at(day - timedelta(days=d), REMIND_AT, tz), meeting.starts_at - timedelta(hours=1))
        times.append((f"meeting:{meeting.id}:s{meeting.sequence}:remind:{d}", when))
    return times


def skip_past_reminders(ctx: Context, meeting: Meeting) -> None:
    """Reminders whose time is already past when a meeting is set or moved are not sent late."""
    for key, when in reminder_times(ctx.services.settings.general.timezone, meeting,
                                    ctx.services.settings.meetings.reminder_days):
        if when <= ctx.now() and not ctx.uow.ops.done(key):
            ctx.uow.ops.mark_done(key, "meeting_reminder", when, ctx.now(), sent=False)


# -- compliance ----------------------------------------------------------------------------


def compliance(ctx: Context, body: Body, year: int) -> dict[str, int]:
    tz = ZoneInfo(ctx.services.settings.general.timezone)
    in_year = [m for m in meetings_of(ctx, body, (*ACTIVE, "held")) if m.starts_at.astimezone(tz).year == year]
    states = Counter(m.state for m in in_year)
    lines = [line for line in ctx.uow.bodies.reporting_lines(body) if line.from_body_id == body.id]
    delivered = 0
    from storage.models import Round, StatusUpdate

    for line in lines:
        rounds = ctx.uow.session.scalars(select(Round).where(
            Round.reporting_line_id == line.id, Round.state == "closed")).all()
        for round_ in rounds:
            if round_.due_at.astimezone(tz).year != year:
                continue
            submitted = ctx.uow.session.scalar(select(StatusUpdate.id).where(
                StatusUpdate.round_id == round_.id, StatusUpdate.state == "submitted").limit(1))
            delivered += submitted is not None
    return {"meetings_target": body.cadence_per_year, "held": states["held"],
            "planned": states["planned"] + states["invited"],
            "reports_target": sum(line.per_year for line in lines), "reports": delivered}

