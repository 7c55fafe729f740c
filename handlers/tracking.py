"""Tracking: set status and progress of a recommendation; its history (`verlauf`)."""
from __future__ import annotations

import re

from bot import releases
from bot.conversations.engine import ConversationEngine
from bot.core.argtypes import ArgError, Code, Text
from bot.core.commands import Arg, Command, CommandRegistry, N_
from bot.core.context import Context
from bot.core.roles import Role
from storage.models import Recommendation

from .change_words import Words
from .labels import STATUS_LABELS, parse_status

_PERCENT = re.compile(r"^(?:ca\.?\s*)?(\d{1,3})\s*(?:%|prozent|percent)?$", re.IGNORECASE)


class Percent:
    """0–100, written `70`, `70 %` or `ca. 70 Prozent`."""

    def parse(self, raw: str, today: object) -> int:
        match = _PERCENT.match(raw.strip())
        if not match or int(match[1]) > 100:
            raise ArgError(N_("“{value}” is not a progress from 0 to 100 %."), value=raw[:40])
        return int(match[1])


def _recommendation(ctx: Context, code: str) -> Recommendation | None:
    rec = ctx.uow.catalog.recommendation(code)
    if rec is None:
        ctx.notice("There is no recommendation {code}. Try “liste” to see them.", code=code)
    return rec


def set_status(ctx: Context, code: str, status: str) -> None:
    rec = _recommendation(ctx, code)
    if rec is None:
        return
    new = parse_status(status)
    if new is None:
        ctx.notice("“{value}” is not a status. Allowed: {choices}.", value=status[:40],
                   choices=", ".join(ctx.t(label) for label in STATUS_LABELS.values()))
        return
    if _change(ctx, rec, "status", rec.status, new):
        rec.status = new
        releases.propose(ctx, rec, status=rec.status, progress=rec.progress, kind="status")
    ctx.reply("item_changed", rec=rec, what=ctx.t("Status:"), value=ctx.t(STATUS_LABELS[new]))


def set_progress(ctx: Context, code: str, progress: int) -> None:
    rec = _recommendation(ctx, code)
    if rec is None:
        return
    if rec.progress_from_measures:
        ctx.notice("The progress of {code} is derived from its measures; change those instead.", code=rec.code)
        return
    if _change(ctx, rec, "progress", rec.progress, progress):
        rec.progress = progress
        releases.propose(ctx, rec, status=rec.status, progress=rec.progress, kind="status")
    ctx.reply("item_changed", rec=rec, what=ctx.t("Progress:"), value=f"{progress} %")


def _change(ctx: Context, rec: Recommendation, field: str, old: object, new: object) -> bool:
    if old == new:
        return False
    ctx.uow.catalog.record_change(rec, field, old, new, ctx.person, "command")
    ctx.uow.audit.record(ctx.person, f"set_{field}", "recommendation", rec.code, old=old, new=new)
    return True


def history(ctx: Context, code: str) -> None:
    rec = _recommendation(ctx, code)
    if rec is None:
        return
    words = Words(ctx)
    rows = [(c, words.actor(c.actor_id, "system"), words.field(c.field_name), words.value(c.field_name, c.old),
             words.value(c.field_name, c.new), words.source(c.source)) for c in ctx.uow.catalog.history(rec)]
    ctx.reply("item_history", rec=rec, rows=rows)


def register(registry: CommandRegistry, conversations: ConversationEngine) -> None:
    code = Arg("code", Code(), {"de": "Code", "en": "code"})
    registry.register(Command(
        "set_status", {"de": ("status",), "en": ("set status",)},
        N_("Set the status of a recommendation (coordinators, the body's chair, the owner)."), set_status,
        args=(code, Arg("status", Text(), {"de": "Status", "en": "status"}, rest=True)),
        role=Role.CHAIR, item_arg="code", owner_may=True, group="catalog", examples=("status HF2-04 verzögert",)))
    registry.register(Command(
        "set_progress", {"de": ("fortschritt",), "en": ("progress",)},
        N_("Set the progress of a recommendation in percent."), set_progress,
        args=(code, Arg("progress", Percent(), {"de": "Prozent", "en": "percent"}, rest=True)),
        role=Role.CHAIR, item_arg="code", owner_may=True, group="catalog", examples=("fortschritt HF2-04 45 %",)))
    registry.register(Command(
        "history", {"de": ("verlauf",), "en": ("history",)},
        N_("Show every change of a recommendation: who, when, what."), history, args=(code,),
        group="catalog", examples=("verlauf HF2-07",)))
