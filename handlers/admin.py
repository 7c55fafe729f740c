"""Administration: the audit log for coordinators."""
from __future__ import annotations

from bot.conversations.engine import ConversationEngine
from bot.core.argtypes import ArgError, N_
from bot.core.commands import Arg, Command, CommandRegistry
from bot.core.context import Context
from bot.core.roles import Role


class Count:
    """A positive number of entries, at most 200."""

    def parse(self, raw: str, today: object) -> int:
        if not raw.isdecimal() or not 1 <= int(raw) <= 200:
            raise ArgError(N_("“{value}” is not a number from 1 to 200."), value=raw[:40])
        return int(raw)


def audit_log(ctx: Context, count: int | None = None) -> None:
    entries = ctx.uow.audit.recent(count or 20)
    ctx.reply("audit_log", entries=entries)


def register(registry: CommandRegistry, conversations: ConversationEngine) -> None:
    registry.register(Command(
        "audit", {"de": ("protokoll",), "en": ("audit",)},
        N_("Show the latest entries of the audit log (who changed what, when)."), audit_log,
        args=(Arg("count", Count(), {"de": "Anzahl", "en": "count"}, required=False),),
        role=Role.COORDINATOR, group="admin", examples=("protokoll 50",)))
