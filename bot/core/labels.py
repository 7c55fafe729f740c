"""Translatable labels of domain values, and parsing of what people type for them: shared by the
handlers, the services, the reports and the public site (so that none of them imports the handler layer)."""
from __future__ import annotations

from bot.core.commands import N_
from storage.models import BodyKind, Status

STATUS_LABELS: dict[Status, str] = {
    Status.NOT_STARTED: N_("not started"),
    Status.IN_PROGRESS: N_("in progress"),
    Status.DELAYED: N_("delayed"),
    Status.BLOCKED: N_("blocked"),
    Status.DONE: N_("done"),
    Status.DROPPED: N_("dropped"),
}

# German and English words people type for a status.
STATUS_WORDS: dict[str, Status] = {
    "nicht begonnen": Status.NOT_STARTED, "nicht_begonnen": Status.NOT_STARTED, "offen": Status.NOT_STARTED,
    "in umsetzung": Status.IN_PROGRESS, "in_umsetzung": Status.IN_PROGRESS, "laufend": Status.IN_PROGRESS,
    "verzögert": Status.DELAYED, "verzoegert": Status.DELAYED,
    "blockiert": Status.BLOCKED,
    "umgesetzt": Status.DONE, "erledigt": Status.DONE, "fertig": Status.DONE,
    "entfallen": Status.DROPPED,
    "not started": Status.NOT_STARTED, "in progress": Status.IN_PROGRESS,
    **{s.value: s for s in Status}, **{s.value.replace("_", " "): s for s in Status},
}

KIND_LABELS: dict[BodyKind, str] = {
    BodyKind.OFFICE: N_("coordinating office"),
    BodyKind.EXPERT_GROUP: N_("expert group"),
    BodyKind.STEERING_GROUP: N_("steering group"),
    BodyKind.ADVISORY_BOARD: N_("advisory board"),
    BodyKind.COUNCIL: N_("council"),
    BodyKind.WORKING_GROUP: N_("working group"),
    BodyKind.CONFERENCE: N_("conference"),
    BodyKind.SUBGROUP: N_("subgroup"),
}


def parse_status(text: str) -> Status | None:
    return STATUS_WORDS.get(text.strip().casefold().replace("-", " "))
