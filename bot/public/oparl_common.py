"""What the OParl endpoint (oparl) and its papers and files (oparl_papers) both write."""
from __future__ import annotations

from datetime import datetime, timezone

SCHEMA = "https://schema.oparl.org/1.1/"


def iso(moment: datetime) -> str:
    """A timestamp as OParl writes it: ISO 8601 with seconds and an offset (UTC if none is stored)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.isoformat(timespec="seconds")
