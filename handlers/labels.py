"""Labels of domain values live in bot/core/labels.py (services and the public site use them too);
the handlers keep importing them from here."""
from __future__ import annotations

from bot.core.labels import (
    KIND_LABELS,
    STATUS_LABELS,
    STATUS_WORDS,
    parse_status,
)

__all__ = ["KIND_LABELS", "STATUS_LABELS", "STATUS_WORDS", "parse_status"]
