"""The command line in German (issue #17, deliver 8; rounds2 F8): argparse's own errors and an
import's dry run in words, as `verlauf` writes a change (labels, names, 31.08.2026, 55 %)."""
from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from storage.models import Change
    from storage.uow import UnitOfWork

    from .config import Settings

# argparse's messages (Python 3.11) and their German; what is not listed stays as argparse says it
_ERRORS = (
    (r"the following arguments are required: (.*)", "Es fehlen Angaben: {0}"),
    (r"unrecognized arguments: (.*)", "Unbekannte Angaben: {0}"),
    (r"argument (.*?): invalid choice: (.*?) \(choose from (.*)\)", "{0}: „{1}“ gibt es nicht; möglich: {2}"),
    (r"argument (.*?): expected one argument", "{0}: hier fehlt ein Wert"),
    (r"argument (.*?): invalid (.*?) value: (.*)", "{0}: {2} ist kein gültiger Wert"),
    (r"argument (.*?): (.*)", "{0}: {1}"),
)


def german_error(message: str) -> str:
    for pattern, german in _ERRORS:
        if match := re.fullmatch(pattern, message):
            return german.format(*(group.strip("'") for group in match.groups()))
    return message


class GermanParser(argparse.ArgumentParser):
    """argparse with German usage and error lines (`sachstand report sachstand` said
    "error: the following arguments are required: period, --out")."""

    def format_usage(self) -> str:
        return _aufruf(super().format_usage())

    def format_help(self) -> str:
        return _aufruf(super().format_help())

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: Fehler: {german_error(message)}\n")


def _aufruf(text: str) -> str:
    return text.replace("usage: ", "Aufruf: ", 1).replace("positional arguments:", "Angaben:").replace(
        "options:", "Optionen:").replace("show this help message and exit", "diese Hilfe zeigen und beenden")


def dry_run_lines(settings: Settings, uow: UnitOfWork, changes: Sequence[Change]) -> list[str]:
    """Each change an import would make, as `verlauf` shows one: "HF1-03: Zeitziel 31.08.2026 → –"."""
    from sqlalchemy import select

    from handlers.change_words import Words
    from storage.models import Recommendation

    from .app import App
    from .core.events import ChannelRef
    from .jobs import system_context

    app = App(settings, transports=[])
    try:
        words = Words(system_context(app.services, uow, ChannelRef("system", ""), None))
        codes = {r.id: r.code for r in uow.session.scalars(select(Recommendation))}
        return [f"  {codes.get(c.recommendation_id, '?')}: {words.field(c.field_name)} "
                f"{words.value(c.field_name, c.old)} → {words.value(c.field_name, c.new)}" for c in changes]
    finally:
        app.engine.dispose()
