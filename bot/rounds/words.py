"""Words that work at every step of the status-update conversation: `später`,
`abwesend bis 10.3.`, `übergeben an @person`, `korrigieren HF2-07`."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.conversations.engine import DONE, ConvContext
from bot.core.argtypes import ArgError, PersonMention, parse_german_date
from bot.core.commands import N_
from bot.core.i18n import Formats
from bot.core.context import Context
from storage.models import Person, StatusUpdate

from . import service
from bot.core.periods import due_day, reminder_times

from . import items


def intercept(cc: ConvContext, text: str) -> bool:
    words = text.split()
    head = " ".join(words[:2]).casefold()
    if text.casefold() in ("später", "spaeter", "later"):
        _later(cc)
    elif head in ("abwesend bis", "away until"):
        _absent(cc, " ".join(words[2:]))
    elif words and words[0].casefold() in ("übergeben", "uebergeben", "hand"):
        rest = words[1:]
        while rest and rest[0].casefold() in ("an", "over", "to"):
            rest = rest[1:]
        _hand_over(cc, " ".join(rest))
    elif words and words[0].casefold() in ("korrigieren", "correct"):
        _correct(cc, " ".join(words[1:]))
    else:
        return False
    return True


def _refuse(cc: ConvContext, message: str, **values: object) -> None:
    cc.ctx.services.conversations.refuse(cc, cc.ctx.t(message, **values))


def _later(cc: ConvContext) -> None:
    upd = items.current(cc)
    when = _next_reminder(cc, upd)
    person = cc.ctx.person
    assert person is not None, "a round conversation is held with a known person"
    for pending in cc.ctx.uow.rounds.pending_for(person.id):
        pending.snoozed_until = when or cc.ctx.now()
    cc.ctx.uow.audit.record(person, "snooze", "person", person.handle, new={"until": when})
    cc.ctx.reply("round_later", when=when)


def _next_reminder(cc: ConvContext, upd: StatusUpdate) -> Any:
    if upd.round is None:
        return None
    tz = cc.ctx.services.settings.general.timezone
    days = cc.ctx.services.settings.rounds.reminder_days
    upcoming = [when for _, when in reminder_times(due_day(upd.round.due_at, tz), days, tz) if when > cc.ctx.now()]
    return upcoming[0] if upcoming else None


def away_example(ctx: Context) -> date:
    """The date the examples of `abwesend bis …` name: two weeks from today, never a fixed day
    that lies nine months ahead in June (rounds2 F7)."""
    return ctx.today() + timedelta(days=14)


def absent_noted(ctx: Context, until: date) -> None:
    """"Noted", with a question back when the day lies more than three months ahead (a "10.3."
    typed in June is next March)."""
    ctx.reply("round_absent", until=until, far=until > ctx.today() + timedelta(days=92),
              away=away_example(ctx))


def _absent(cc: ConvContext, raw: str) -> None:
    today = cc.ctx.today()
    try:
        until = parse_german_date(raw, today) if raw else None
    except ArgError as exc:
        _refuse(cc, exc.message, **exc.values)
        return
    example = Formats(cc.ctx.locale).date(away_example(cc.ctx))
    if until is None:
        _refuse(cc, N_("Say until when, like “abwesend bis {example}”."), example=example)
    elif until < today:
        _refuse(cc, N_("{date} is in the past. Say until when you will be away, like “abwesend bis {example}”."),
                date=Formats(cc.ctx.locale).date(until), example=example)
    elif until > today + timedelta(days=366):
        _refuse(cc, N_("Absences can be recorded for up to a year."))
    else:
        assert cc.ctx.person is not None
        service.record_absence(cc.ctx, cc.ctx.person, until)
        absent_noted(cc.ctx, until)
        cc.ctx.services.conversations.ask(cc)  # the open question is still open


def _hand_over(cc: ConvContext, raw: str) -> None:
    try:
        ref = PersonMention().parse(raw, cc.ctx.today()) if raw.strip() else ""
    except ArgError as exc:
        _refuse(cc, exc.message, **exc.values)
        return
    target = _person(cc.ctx, ref) if ref else None
    upd = items.current(cc)
    assert cc.ctx.person is not None, "a round conversation is held with a known person"
    if not ref:
        _refuse(cc, N_("Say to whom, like “übergeben an @name”."))
    elif target is None:
        _refuse(cc, N_("I do not know {name}. Mention someone the office has added."), name=raw.strip()[:40])
    elif target.id == cc.ctx.person.id:
        _refuse(cc, N_("That is you; hand it to someone else."))
    elif upd.round is None:
        _refuse(cc, N_("Only items of a round can be handed over."))
    elif not any(i.transport in cc.ctx.services.formats for i in target.identities):
        _refuse(cc, N_("I cannot reach {name} in chat, so I cannot hand it over."), name=target.name)
    else:
        upd.asked_id = upd.delegated_to_id = target.id
        upd.prompted_at = None  # the fan-out asks the new person, once
        cc.ctx.uow.audit.record(cc.ctx.person, "hand_over", "recommendation", upd.recommendation.code,
                                new={"to": target.handle, "round": upd.round_id})
        cc.ctx.services.wake("rounds")
        cc.ctx.reply("round_handed_over", rec=upd.recommendation, who=target.name)
        _continue(cc, drop=True)


def _person(ctx: Context, ref: str) -> Person | None:
    transport, sep, external = ref.partition(":")
    if sep and transport in ("matrix", "slack"):
        return ctx.uow.people.by_identity(transport, external)
    return ctx.uow.people.by_handle(ref)


def _continue(cc: ConvContext, drop: bool) -> None:
    """After a hand-over the current item leaves this person's queue."""
    queue, pos = list(cc.data["queue"]), cc.data["pos"]
    if drop:
        queue.pop(pos)
    cc.set(queue=queue, pos=pos - 1, order=[i for i in cc.data.get("order") or queue if i in queue])
    following = items.advance(cc)
    if following == DONE:
        cc.ctx.services.conversations.end(cc.state, "done")
        reported = any((u := cc.ctx.uow.session.get(StatusUpdate, i)) is not None and u.state == "submitted"
                       for i in queue)  # handing over the only item is no report to thank for
        cc.ctx.reply("round_done", count=len(queue), reported=reported)
        return
    cc.ctx.services.conversations.jump(cc, following)


def _correct(cc: ConvContext, raw: str) -> None:
    upd = answered_update(cc.ctx, raw.strip())
    if upd is None:
        return
    queue = [i for i in cc.data["queue"] if i != upd.id]
    cc.set(queue=[upd.id, *queue], pos=0, item=items.item_of(upd), mi=0, editing=True)
    cc.ctx.services.conversations.jump(cc, "confirm")


def answered_update(ctx: Context, code: str) -> StatusUpdate | None:
    """The person's answer about `code` in an open round, or a notice why there is none."""
    rec = ctx.uow.catalog.recommendation(code) if code else None
    if rec is None:
        ctx.notice("There is no recommendation {code}. Try “liste” to see them.", code=code[:40] or "–")
        return None
    upd = ctx.uow.rounds.in_open_round(rec)
    if upd is None or upd.state != "submitted":
        ctx.notice("There is no answer about {code} in an open round to correct.", code=rec.code)
        return None
    assert ctx.person is not None, "asked in a round conversation or by `korrigieren`, both a known person's"
    if upd.author_id != ctx.person.id and not ctx.standing.coordinator:
        ctx.notice("Only the person who answered about {code} may correct it.", code=rec.code)
        return None
    return upd


_PERCENT_WORDS = ("%", "prozent", "percent", "per cent")


def without_unit(text: str, unit: str | None) -> str:
    """`55 %` for a metric in %, `1.200 Personen` for one in Personen: the number without the
    metric's own unit, as the prompt writes it (rounds2 F6)."""
    raw = text.strip().replace("\u00a0", " ")
    unit = (unit or "").strip().casefold()
    units = _PERCENT_WORDS if unit in _PERCENT_WORDS else (unit,) if unit else ()
    for word in units:
        if raw.casefold().endswith(word) and raw[:-len(word)].strip():
            return raw[:-len(word)].strip()
    return raw
