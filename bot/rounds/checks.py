"""Plausibility checks in the status-update conversation (issue #17, deliver 6): before an odd
answer is taken, the person is asked once, and the question says what looks odd.

- a metric value that changes by more than `rounds.plausibility_factor` (812 → 65: a typo?);
- a progress that drops below the last reported one;
- "umgesetzt" (done) with less than 100 %: set 100 % or keep it.

The `doubt` step remembers where the odd answer came from (`back`, to correct it) and where the
conversation would have gone on (`then`); `zurück` at the doubt also returns to that answer.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.conversations.engine import ConvContext, Invalid, match_choice
from bot.core.commands import N_
from bot.core.events import Choice
from bot.core.i18n import Formats
from storage.models import Status

from . import items
from .items import NO, YES

DOUBT = "doubt"
HELP = N_("Answer with one of the numbers: is the answer right, or do you want to correct it?")


def ask(cc: ConvContext, message: str, back: str, back_mi: int, then: str, full: bool = False,
        **values: Any) -> str:
    """Ask about an odd answer instead of going on to `then`."""
    cc.set(doubt={"message": message, "values": {k: str(v) for k, v in values.items()}, "back": back,
                  "back_mi": back_mi, "then": then, "then_mi": cc.data.get("mi", 0), "full": full})
    return DOUBT


def metric(cc: ConvContext, index: int, value: Decimal, then: str) -> str:
    """After a metric answer: a jump by more than the configured factor is asked about."""
    rec = items.current(cc).recommendation
    old = rec.metrics[index].current
    factor = Decimal(str(cc.ctx.services.settings.rounds.plausibility_factor))
    if old is None or old == 0 or value == old:
        return then
    jump = abs(value) == 0 or max(abs(value) / abs(old), abs(old) / abs(value)) > factor
    if not jump:
        return then
    fmt = Formats(cc.ctx.locale)
    return ask(cc, N_("The value of “{name}” changes from {old} to {new} {unit}, more than {factor}-fold. "
                      "Is that right?"), "metric", index, then, name=rec.metrics[index].name,
               old=fmt.number(old), new=fmt.number(value), unit=rec.metrics[index].unit or "",
               factor=fmt.number(factor))


def progress(cc: ConvContext, value: int, then: str) -> str:
    """After a progress answer: "done" below 100 %, or a drop, is asked about."""
    rec, pct = items.current(cc).recommendation, Formats(cc.ctx.locale).percent
    if items.item(cc).get("status") == Status.DONE.value and value < 100:
        return ask(cc, N_("The status is “done”, but the progress is {value}. Set it to {hundred}?"),
                   "progress", 0, then, full=True, value=pct(value), hundred=pct(100))
    if value < rec.progress:
        return ask(cc, N_("The progress drops from {old} to {new}. Is that right?"), "progress", 0, then,
                   old=pct(rec.progress), new=pct(value))
    return then


def status(cc: ConvContext, then: str) -> str:
    """"Done" while the progress derived from the measures is below 100 %."""
    rec = items.current(cc).recommendation
    if items.item(cc).get("status") == Status.DONE.value and rec.progress_from_measures and rec.progress < 100:
        return ask(cc, N_("The status is “done”, but the progress from its measures is {value}. "
                          "Is that right?"), "status", 0, then, value=Formats(cc.ctx.locale).percent(rec.progress))
    return then


def choices(cc: ConvContext) -> list[Choice]:
    doubt = cc.data.get("doubt") or {}
    if doubt.get("full"):
        full = cc.ctx.t("set to {value}", value=Formats(cc.ctx.locale).percent(100))
        return [Choice("full", full, "1"), Choice("keep", cc.ctx.t("keep it as it is"), "2"),
                Choice("fix", cc.ctx.t("correct my answer"), "3")]
    return [Choice("keep", cc.ctx.t("yes, that is right"), "1"), Choice("fix", cc.ctx.t("no, correct it"), "2")]


def answer(cc: ConvContext, text: str) -> str:
    doubt = dict(cc.data.get("doubt") or {})
    choice = match_choice(choices(cc), text)
    word = choice.value if choice else text.casefold()
    if word in YES:
        word = "keep"
    elif word in NO:
        word = "fix"
    if word not in ("keep", "fix", "full") or (word == "full" and not doubt.get("full")):
        raise Invalid(HELP)  # the step's own sentence, so it is said once
    cc.set(doubt=None)
    if word == "fix":
        cc.set(mi=doubt.get("back_mi", 0))
        return str(doubt.get("back", "status"))
    if word == "full":
        items.set_item(cc, progress=100)
    cc.set(mi=doubt.get("then_mi", 0))
    return str(doubt.get("then", "confirm"))


def values(cc: ConvContext) -> dict[str, Any]:
    doubt = cc.data.get("doubt") or {}
    text = cc.ctx.t(doubt["message"], **doubt.get("values", {})) if doubt.get("message") else ""
    return {"doubt": text}
