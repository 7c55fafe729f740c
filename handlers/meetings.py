"""Meeting commands: `sitzung planen|anlegen|festlegen|verschieben|absagen`, `umfrage`,
`abstimmen`, `zusagen|absagen|vielleicht`, `sitzung EG2` (who answered). The agenda is in
meeting_agenda.py, the minutes in meeting_minutes.py."""
from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.conversations.engine import ConversationEngine
from bot.core.argtypes import ArgError, Code, Number
from bot.core.commands import Arg, Command, CommandOptions, CommandRegistry, N_, TypedWords, UsageError, Words
from bot.core.context import Context
from bot.core.events import ChannelRef, Choice
from bot.core.roles import Role
from bot.meetings import agenda as agenda_items
from bot.meetings import changes, planning, service
from bot.meetings.changes import Said
from bot.meetings.service import MeetingError
from storage.models import Body, DatePoll, Meeting, PollOption

from . import meeting_actions, meeting_agenda, meeting_minutes, meeting_rsvp
from .meeting_refs import body_of, find, hint_later, is_ref, may_speak_for, pick

def parse_when(ctx: Context, words: list[str]) -> tuple[datetime, datetime, Said]:
    """`14.03.2027 10:00 [90min] ["Rathaus, Raum 12"] [https://…] [trotzdem]` → start, end, the rest."""
    said = changes.parse(words, ctx.today())
    if said.day is not None and said.at is None and len(words) > 1:
        raise ArgError(N_("“{value}” is not a time. Write it like 10:00."), value=words[1][:20])
    if said.day is None or said.at is None:
        raise ArgError(N_("Write date and time like “14.03.2027 10:00”."))
    tz = ZoneInfo(ctx.services.settings.general.timezone)
    start = datetime.combine(said.day, said.at, tzinfo=tz)
    return start, start + timedelta(minutes=said.minutes or ctx.services.settings.meetings.slot_minutes), said


def _body(ctx: Context, code: str | None, example: str = "sitzung EG2") -> Body | None:
    return body_of(ctx, code, example)


def _noted(ctx: Context, msgid: str, **values: Any) -> None:
    """A notice confirmed like `meeting_rsvp.privately`, worded in the language of whoever reads it (a click in
    a room speaks the room's language, the DM it is confirmed by the person's)."""
    person = ctx.person
    if not ctx.channel.direct and person is not None:
        text = ctx.services.translations.gettext(ctx.locale_of(person), msgid, **values)
        if ctx.send_to_person(person, "notice", text=text) is not None:
            return
    ctx.notice(msgid, **values)


def _fail(ctx: Context, exc: MeetingError) -> None:
    ctx.notice(exc.message, **exc.values)


def _option_label(ctx: Context) -> Callable[[PollOption], str]:
    from babel.dates import format_datetime

    tz = ctx.services.settings.general.timezone

    def label(option: PollOption) -> str:
        start, end = option.starts_at, option.ends_at
        return (format_datetime(start, "EEE dd.MM.yyyy HH:mm", tzinfo=ZoneInfo(tz), locale=ctx.locale)
                + "–" + format_datetime(end, "HH:mm", tzinfo=ZoneInfo(tz), locale=ctx.locale))
    return label


# -- planning and polls ---------------------------------------------------------------------


def plan(ctx: Context, body: str, period: list[str] | None = None) -> None:
    found = _body(ctx, body)
    if found is None:
        return
    try:
        poll = planning.propose(ctx, found, planning.parse_period(period or [], ctx.today()), " ".join(period or []))
    except ArgError as exc:
        raise UsageError(ctx.services.registry.commands["meeting_plan"], exc.message, exc.values) from exc
    except MeetingError as exc:
        _fail(ctx, exc)
        return
    label = _option_label(ctx)
    # listed like choices (numbered once: an <ol> in Matrix HTML), though not offered as ones yet
    ctx.reply("meeting_candidates", body=found,
              options=[Choice("", label(o), str(o.position)) for o in poll.options])


def start_poll(ctx: Context, body: str | None = None) -> None:
    found = _body(ctx, body, "umfrage EG2")
    if found is None:
        return
    poll = service.open_poll(ctx, found, ("draft", "open"))
    if poll is not None and poll.state == "open":  # asked again: where the votes stand
        label = _option_label(ctx)
        ctx.reply("meeting_poll_status", body=found,
                  rows=[(o.position, label(o), n, names) for o, n, names in service.tally(ctx, poll)])
        return
    if poll is None:
        ctx.notice("No candidates yet: first “sitzung planen {code}”.", code=found.code)
        return
    poll.state = "open"
    rooms = service.room_channels(ctx, found)
    if not rooms:
        ctx.notice("{code} has no room yet; bind one with “gremium raum {code}” in that room.", code=found.code)
        poll.state = "draft"
        return
    for channel in rooms:
        _post_poll(ctx, channel, found, poll)
    ctx.uow.audit.record(ctx.person, "open_poll", "meeting", found.code, new={"options": len(poll.options)})
    if ctx.channel not in rooms:
        ctx.notice("The date poll for {code} is open in its room.", code=found.code)


def _post_poll(ctx: Context, channel: ChannelRef, body: Body, poll: DatePoll) -> None:
    locale = ctx.services.settings.general.locale
    label = _option_label(ctx)
    choices = service.poll_choices(body, poll, label)
    ctx.send(channel, "meeting_poll", locale, choices=choices, body=body,
             asks=service.dates_topic(body))  # a poll of its own: the room's other questions stay open


def vote(ctx: Context, words: list[str]) -> None:
    """`abstimmen 1 3` (in the room), `abstimmen EG2 1 3`, or a click: `abstimmen EG2 +3`."""
    assert ctx.person is not None
    code = words[0] if words and not words[0].lstrip("+").isdecimal() else None
    numbers = words[1:] if code else words
    if not numbers or not all(re.fullmatch(r"\+?\d{1,2}", n) for n in numbers):
        raise UsageError(ctx.services.registry.commands["vote"],
                         N_("Name the options by number, like “abstimmen 1 3”."))
    body = _body(ctx, code.upper() if code else None, f"abstimmen {_polling_body(ctx) if ctx.channel.direct else 'EG2'} 1 3")
    if body is None or not may_speak_for(ctx, body):
        return
    poll = service.open_poll(ctx, body, ("open",))
    if poll is None:
        ctx.notice("No date poll of {code} is open.", code=body.code)
        return
    add = all(n.startswith("+") for n in numbers)
    try:
        mine = service.vote(ctx, poll, ctx.person, [int(n.lstrip("+")) for n in numbers], add)
    except MeetingError as exc:
        _noted(ctx, exc.message, **exc.values)  # where and in the language the vote is confirmed (rounds2 F9)
        return
    _noted(ctx, N_("Noted, {name}: options {options}."), name=ctx.person.name, options=", ".join(map(str, mine)))


def _polling_body(ctx: Context) -> str:
    """The body whose date poll the speaker can vote in, for the example (EG2 if none or several)."""
    assert ctx.person is not None
    open_ = [m.body.code for m in ctx.uow.people.memberships(ctx.person)
             if service.open_poll(ctx, m.body, ("open",)) is not None]
    return open_[0] if len(open_) == 1 else "EG2"


def confirm(ctx: Context, body: str | None = None, option: int | None = None) -> None:
    found = _body(ctx, body, "sitzung festlegen EG2")
    if found is None:
        return
    poll = service.open_poll(ctx, found, ("open", "draft"))
    if poll is None:
        ctx.notice("No date poll of {code} is open.", code=found.code)
        return
    try:
        chosen = service.winner(ctx, poll, option)
        meeting = service.create(ctx, found, chosen.starts_at, chosen.ends_at, "", anyway=True)
    except MeetingError as exc:
        _fail(ctx, exc)
        return
    poll.state, poll.meeting_id = "closed", meeting.id
    _created(ctx, meeting)


def create(ctx: Context, body: str, when: list[str]) -> None:
    found = _body(ctx, body)
    if found is None:
        return
    try:
        start, end, said = parse_when(ctx, when)
        meeting = service.create(ctx, found, start, end, said.place or "", said.url or "", said.anyway)
    except ArgError as exc:
        raise UsageError(ctx.services.registry.commands["meeting_create"], exc.message, exc.values) from exc
    except MeetingError as exc:
        _fail(ctx, exc)
        return
    _created(ctx, meeting)


def _created(ctx: Context, meeting: Meeting) -> None:
    reached = service.invite(ctx, meeting)
    if ctx.channel not in service.room_channels(ctx, meeting.body):
        ctx.reply("meeting_created", meeting=meeting, body=meeting.body, reached=reached)


def next_of(ctx: Context, body: str | None) -> Meeting | None:
    return pick(ctx, body, [], None)


def _split_ref(ctx: Context, body: str, words: list[str]) -> tuple[list[str], list[str]]:
    """`2 17.03.2027` or `16.03. 17.03.` name the meeting first; a date alone is the change."""
    if len(words) > 1 and words[0].isdecimal() and words[1].casefold() == "uhr":
        return [], words  # "10 Uhr" is the new time, not meeting 10 (F5)
    if words and is_ref(words[0]) and (words[0].isdecimal() or len(words) > 1):
        found = ctx.uow.bodies.by_code(body)
        upcoming = [m for m in service.meetings_of(ctx, found) if m.ends_at >= ctx.now()] if found else []
        if words[0].isdecimal() or find(ctx, upcoming, words[0]):
            return words[:1], words[1:]
    return [], words


def move(ctx: Context, body: str, when: list[str]) -> None:
    ref, rest = _split_ref(ctx, body, when)
    meeting = pick(ctx, body, ref, "sitzung verschieben", " ".join(rest))
    if meeting is None:
        return
    try:
        said = changes.parse(rest, ctx.today())
        service.change(ctx, meeting, said, said.anyway)
    except ArgError as exc:
        raise UsageError(ctx.services.registry.commands["meeting_move"], exc.message, exc.values) from exc
    except MeetingError as exc:
        _fail(ctx, exc)
        return
    if ctx.channel not in service.room_channels(ctx, meeting.body):
        ctx.notice("Changed; everyone invited has the new calendar entry.")


def cancel(ctx: Context, body: str, ref: list[str] | None = None) -> None:
    meeting = pick(ctx, body, ref or [], "sitzung absagen")
    if meeting is None:
        return
    try:
        service.cancel(ctx, meeting)
    except MeetingError as exc:
        _fail(ctx, exc)
        return
    if ctx.channel not in service.room_channels(ctx, meeting.body):
        ctx.notice("Cancelled; everyone invited has been told.")


def show(ctx: Context, body: str | None = None, ref: list[str] | None = None) -> None:
    meeting = pick(ctx, body, ref or [], "meeting" if ref else None)
    if meeting is None:
        return
    answers = service.answers(ctx, meeting)
    names = ctx.standing.role_for(meeting.body) >= Role.CHAIR
    ctx.reply("meeting_status", meeting=meeting, body=meeting.body, answers=answers, names=names,
              agenda=agenda_items.accepted(meeting))
    if not ref:
        hint_later(ctx, meeting, "meeting")


def register(registry: CommandRegistry, conversations: ConversationEngine) -> None:
    body = Arg("body", Code(), {"de": "Gremium", "en": "body"})
    maybe_body = Arg("body", Code(), {"de": "Gremium", "en": "body"}, required=False)
    when = Arg("when", TypedWords(), {"de": "Datum Uhrzeit [Dauer] [Ort]", "en": "date time [length] [place]"},
               rest=True)
    chair: CommandOptions = {"role": Role.CHAIR, "body_arg": "body", "group": "meetings"}
    for command in (
        Command("meeting_plan", {"de": ("sitzung planen",), "en": ("meeting plan",)},
                N_("Propose dates in the body's next cadence window or a period you name (working days, "
                   "no holidays, blackout periods or absences)."),
                plan, args=(body, Arg("period", Words(), {"de": "Zeitraum", "en": "period"}, rest=True,
                                      required=False)),
                examples=("sitzung planen EG2", "sitzung planen EG2 2027-Q1", "sitzung planen EG2 ab 10.1."),
                **chair),
        Command("meeting_poll", {"de": ("umfrage",), "en": ("poll",)},
                N_("Turn the proposed dates into a date poll in the body's room."), start_poll,
                args=(maybe_body,), examples=("umfrage EG2",), **chair),
        Command("vote", {"de": ("abstimmen",), "en": ("vote",)},
                N_("Vote in a date poll for the options that suit you."), vote,
                args=(Arg("words", Words(), {"de": "Nummern", "en": "numbers"}, rest=True),),
                role=Role.MEMBER, body_arg="words", group="meetings", examples=("abstimmen 1 3", "abstimmen EG2 2")),
        Command("meeting_confirm", {"de": ("sitzung festlegen",), "en": ("meeting confirm",)},
                N_("Close the date poll: the option with most votes (or the one named) becomes the meeting."),
                confirm, args=(maybe_body, Arg("option", Number(100, N_("“{value}” is not a number from 1 to 99.")), {"de": "Nr.", "en": "no."}, required=False)),
                examples=("sitzung festlegen EG2",), **chair),
        Command("meeting_create", {"de": ("sitzung anlegen",), "en": ("meeting create",)},
                N_("Create a meeting directly and invite the members."), create, args=(body, when),
                examples=('sitzung anlegen EG2 14.03.2027 10:00 90min "Rathaus, Raum 12"',
                          "sitzung anlegen EG2 14.03.2027 10:00 https://meet.example.org/eg2 trotzdem"), **chair),
        Command("meeting_move", {"de": ("sitzung verschieben", "sitzung ändern", "sitzung ort"),
                                 "en": ("meeting move", "meeting place")},
                N_("Change a meeting's date, time, length, place or link; what you do not name stays. "
                   "Everyone invited is told."), move,
                args=(body, Arg("when", TypedWords(), {"de": "[Nr.|Datum] Datum|Uhrzeit|Dauer|Ort|Link",
                                                  "en": "[no.|date] date|time|length|place|link"}, rest=True)),
                examples=("sitzung verschieben EG2 21.03.2027", "sitzung verschieben EG2 2 14:00 2h",
                          'sitzung ort EG2 "Rathaus, Raum 12"'), **chair),
        Command("meeting_cancel", {"de": ("sitzung absagen",), "en": ("meeting cancel",)},
                N_("Cancel a meeting (by number or date when several are ahead); everyone invited is told."),
                cancel, args=(body, Arg("ref", Words(), {"de": "Nr.|Datum", "en": "no.|date"}, rest=True,
                                        required=False)),
                examples=("sitzung absagen EG2", "sitzung absagen EG2 16.03."), **chair),
        Command("meeting", {"de": ("sitzung",), "en": ("meeting",)},
                N_("The next meeting of a body (or the one named): time, place, agenda and who has answered."), show,
                args=(maybe_body, Arg("ref", Words(), {"de": "Nr.|Datum", "en": "no.|date"}, rest=True,
                                      required=False)), group="meetings", examples=("sitzung EG2", "sitzung EG2 2")),
    ):
        registry.register(command)

    meeting_rsvp.register(registry)
    meeting_agenda.register(registry, conversations)
    meeting_minutes.register(registry, conversations)

    meeting_actions.register(registry, conversations)
