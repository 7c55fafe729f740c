"""Handlers, one module per capability; each registers its commands and conversations."""
from __future__ import annotations

from bot.conversations.engine import ConversationEngine
from bot.core.commands import CommandRegistry

from . import (admin, baseline, bodies, bodies_admin, catalog, editing, follow, general, indicators, meetings,
               privacy, questions, releases, report_files, rounds, settings, tracking)


def register_all(registry: CommandRegistry, conversations: ConversationEngine) -> None:
    for module in (general, catalog, indicators, tracking, editing, rounds, bodies, bodies_admin, meetings, follow,
                   releases, baseline, report_files, questions, settings, privacy, admin):
        module.register(registry, conversations)
