"""`freigeben import`: the office releases the statuses of an imported catalog as the public
baseline; `freigabe` says how many wait for it (issue #17, deliver 8)."""
from __future__ import annotations

from bot import baseline
from bot.conversations.engine import ConversationEngine
from bot.core.commands import Command, CommandRegistry, N_
from bot.core.context import Context
from bot.core.roles import Role

from .labels import STATUS_LABELS


def tell_waiting(ctx: Context) -> None:
    """Said after the `freigabe` list: the imported statuses not yet public, and how to release them."""
    recs = baseline.waiting(ctx)
    if recs:
        ctx.reply("release_baseline", count=len(recs), codes=[r.code for r in recs[:8]], more=len(recs) > 8,
                  preview=baseline.preview(ctx, recs), labels=STATUS_LABELS)


def release_import(ctx: Context) -> None:
    recs = baseline.release_all(ctx)
    ctx.reply("release_baseline_done", count=len(recs))


def register(registry: CommandRegistry, conversations: ConversationEngine) -> None:
    registry.register(Command(
        "release_import", {"de": ("freigeben import",), "en": ("release import",)},
        N_("Release the statuses of the imported catalog that were never released: the public baseline."),
        release_import, role=Role.COORDINATOR, group="follow", examples=("freigeben import",)))
