"""GDPR: a person's data exported and erased section by section (sections.py), consent, and the
retention period of free-text answers (service.py); the chat commands are in handlers/privacy.py."""
from __future__ import annotations

from typing import Any

from . import service


def retention_tick(services: Any) -> int:
    """Scheduler job: blank the free-text answers of rounds closed longer ago than
    `[privacy] answer_retention_days`. Returns how many answers were blanked (audited once per run)."""
    days = services.settings.privacy.answer_retention_days
    with services.uow_factory() as uow:
        blanked = service.expire_answers(uow, services.clock(), days)
        if blanked:
            uow.audit.record(None, "retention", "status_update", "", blanked=blanked, days=days)
        uow.commit()
    return 0  # nothing to send
