"""Round commands: `runde starten|status|erinnern|schließen`, and for the people asked
`meldung`, `aktualisieren CODE`, `korrigieren CODE`, `abwesend bis DATUM`."""
from __future__ import annotations

from datetime import date, timedelta

from bot.conversations.engine import ConversationEngine
from bot.core.argtypes import ArgError, Code, Date, parse_german_date
from bot.core.commands import Arg, Command, CommandRegistry, N_
from bot.core.context import Context
from bot.core.i18n import Formats
from bot.core.roles import Role
from bot.rounds import conversation as round_talk, items as round_items, service, words as round_words
from bot.rounds.service import RoundError
from storage.models import Round, StatusUpdate


class Deadline:
    """`frist 15.12.2026` (or just the date)."""

    def parse(self, raw: str, today: date) -> date:
        words = raw.split()
        if words and words[0].casefold() in ("frist", "deadline", "bis"):
            words = words[1:]
        if not words or len(words) > 4:
            raise ArgError(N_("Write the deadline like “frist 15.12.2026”."))
        due = parse_german_date(" ".join(words), today)  # 15.12.2026, or as English dates read: 15 Dec 2026
        if due <= today:
            raise ArgError(N_("The deadline {date} is not in the future."), date=due.strftime("%d.%m.%Y"))
        if due > today + timedelta(days=365):
            raise ArgError(N_("The deadline may be at most a year ahead."))
        return due


def start_round(ctx: Context, body: str, deadline: date | None = None) -> None:
    try:
        line = service.line_for(ctx, body)
        due = deadline or ctx.today() + timedelta(days=line.lead_days)
        round_ = service.open_round(ctx, line, due)
    except RoundError as exc:
        ctx.notice(exc.message, **exc.values)
        return
    view = service.view(ctx, round_)
    ctx.reply("round_opened", view=view, line=line)
    ctx.services.wake("rounds")  # the fan-out asks the owners in the background


def _rounds_in_scope(ctx: Context, body: str | None) -> list[Round] | None:
    """Open rounds the speaker may manage: one body's, or all they chair (all for the office)."""
    if body:
        found = ctx.uow.bodies.by_code(body)
        if found is None:
            ctx.notice("There is no body {code}. “gremien” lists them.", code=body)
            return None
        latest = ctx.uow.rounds.latest_for_body(found.id)
        if latest is None:
            ctx.notice("{code} has had no round yet. Start one with “runde starten {code}”.", code=found.code)
            return None
        return [latest]
    here = None if ctx.channel.direct else ctx.uow.bodies.by_room(ctx.channel.transport, ctx.channel.id)
    rounds = [r for r in ctx.uow.rounds.open_rounds()
              if (here is None or r.reporting_line.from_body_id == here.id)
              and (ctx.standing.coordinator or r.reporting_line.from_body.code in ctx.standing.chair_of)]
    if not rounds:
        ctx.notice("No round is open. Start one with “runde starten EG2”.")
        return None
    return rounds


def round_status(ctx: Context, body: str | None = None) -> None:
    rounds = _rounds_in_scope(ctx, body)
    if rounds:
        ctx.reply("round_status", views=[service.view(ctx, r) for r in rounds])


def remind(ctx: Context, body: str | None = None) -> None:
    rounds = _rounds_in_scope(ctx, body)
    if not rounds:
        return
    from bot.rounds.jobs import remind_round

    open_rounds = [r for r in rounds if r.state == "open"]
    reminded = sum(remind_round(ctx.services, ctx.uow, r) for r in open_rounds)
    for r in open_rounds:
        ctx.uow.audit.record(ctx.person, "remind_round", "round", f"{r.reporting_line.from_body.code} {r.period}",
                             new={"reminded": reminded})
    ctx.reply("notice", text=ctx.ngettext("Reminded {n} person with unanswered items (absent people are left out).",
                                          "Reminded {n} people with unanswered items (absent people are left out).",
                                          reminded))


def close(ctx: Context, body: str | None = None) -> None:
    rounds = _rounds_in_scope(ctx, body)
    if not rounds:
        return
    if body is None and len(rounds) > 1:
        ctx.notice("Several rounds are open; say which: {codes}.",
                   codes=", ".join(r.reporting_line.from_body.code for r in rounds))
        return
    round_ = rounds[0]
    if round_.state != "open":
        ctx.notice("The round {period} of {code} is already closed.", period=round_.period,
                   code=round_.reporting_line.from_body.code)
        return
    from bot.rounds.jobs import end_conversations

    service.close_round(ctx, round_)
    end_conversations(ctx.services, ctx.uow, [round_])
    if ctx.channel not in service.office_channels(ctx, round_.reporting_line):  # else it is there already
        ctx.reply("round_closed", **service.closed_values(ctx, round_))


def report(ctx: Context) -> None:
    """`meldung`: begin or continue answering one's open items."""
    assert ctx.person is not None
    pending = ctx.uow.rounds.pending_for(ctx.person.id)
    if not pending:
        ctx.notice("You have no open items in a round. Thank you!")
        return
    round_talk.begin(ctx, ctx.person, [u.id for u in pending])


def update_item(ctx: Context, code: str) -> None:
    """`aktualisieren HF2-07`: report on one's own item now, in or outside a round."""
    assert ctx.person is not None
    rec = ctx.uow.catalog.recommendation(code)
    if rec is None:
        ctx.notice("There is no recommendation {code}. Try “liste” to see them.", code=code)
        return
    upd = ctx.uow.rounds.in_open_round(rec)
    if upd is not None and upd.state == "submitted":
        ctx.notice("You already answered about {code} in this round; “korrigieren {code}” changes it.",
                   code=rec.code)
        return
    if upd is None:
        upd = StatusUpdate(recommendation_id=rec.id, asked_id=ctx.person.id, state="pending", metric_values={})
        ctx.uow.session.add(upd)
        ctx.uow.flush()
    round_talk.begin(ctx, ctx.person, [upd.id])


def correct(ctx: Context, code: str) -> None:
    assert ctx.person is not None
    upd = round_words.answered_update(ctx, code)
    if upd is not None:
        round_talk.begin(ctx, ctx.person, [upd.id], step="confirm", item=round_items.item_of(upd))


def absent(ctx: Context, until: date) -> None:
    assert ctx.person is not None
    if until < ctx.today():
        ctx.notice("{date} is in the past. Say until when you will be away, like “abwesend bis {example}”.",
                   date=Formats(ctx.locale).date(until),
                   example=Formats(ctx.locale).date(round_words.away_example(ctx)))
        return
    if until > ctx.today() + timedelta(days=366):
        ctx.notice("Absences can be recorded for up to a year.")
        return
    service.record_absence(ctx, ctx.person, until)
    round_words.absent_noted(ctx, until)


def register(registry: CommandRegistry, conversations: ConversationEngine) -> None:
    round_talk.register(conversations)
    body = Arg("body", Code(), {"de": "Gremium", "en": "body"})
    maybe_body = Arg("body", Code(), {"de": "Gremium", "en": "body"}, required=False)
    code = Arg("code", Code(), {"de": "Code", "en": "code"})
    for command in (
        Command("round_start", {"de": ("runde starten",), "en": ("round start",)},
                N_("Open a status round for a body; its owners are asked in direct messages."), start_round,
                args=(body, Arg("deadline", Deadline(), {"de": "frist Datum", "en": "deadline date"},
                                required=False, rest=True)),
                role=Role.CHAIR, body_arg="body", group="rounds",
                examples=("runde starten EG2", "runde starten EG2 frist 15.12.2026")),
        Command("round_status", {"de": ("runde status", "runde"), "en": ("round status",)},
                N_("Who has answered what in the open rounds."), round_status, args=(maybe_body,),
                role=Role.CHAIR, body_arg="body", group="rounds", examples=("runde status EG2",)),
        Command("round_remind", {"de": ("runde erinnern",), "en": ("round remind",)},
                N_("Remind everyone who has not answered yet."), remind, args=(maybe_body,),
                role=Role.CHAIR, body_arg="body", group="rounds", examples=("runde erinnern EG2",)),
        Command("round_close", {"de": ("runde schließen",), "en": ("round close",)},
                N_("Close a round now; unanswered items are marked “keine Meldung”."), close,
                args=(maybe_body,), role=Role.CHAIR, body_arg="body", group="rounds",
                examples=("runde schließen EG2",)),
        Command("report", {"de": ("meldung",), "en": ("report",)},
                N_("Answer or go on answering your open items of a status round."), report,
                role=Role.FOLLOWER, where="dm", group="rounds"),
        Command("update", {"de": ("aktualisieren",), "en": ("update",)},
                N_("Report the state of one of your recommendations now, step by step."), update_item,
                args=(code,), role=Role.CHAIR, item_arg="code", owner_may=True, where="dm", group="rounds",
                examples=("aktualisieren HF2-07",)),
        Command("correct", {"de": ("korrigieren",), "en": ("correct",)},
                N_("Change your answer about a recommendation while its round is open."), correct,
                args=(code,), role=Role.FOLLOWER, where="dm", group="rounds", examples=("korrigieren HF2-07",)),
        Command("absent", {"de": ("abwesend bis",), "en": ("away until",)},
                N_("Say until when you are away: no reminders until then; the office is told."), absent,
                args=(Arg("until", Date(), {"de": "Datum", "en": "date"}, rest=True),), role=Role.FOLLOWER,
                group="rounds", examples=("abwesend bis 10.3.",)),
    ):
        registry.register(command)
