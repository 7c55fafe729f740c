"""What an import did, and the optional progress bar."""
from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from tqdm import tqdm

# Above this many rows an interactive import shows a progress bar by default.
PROGRESS_THRESHOLD = 200

ENTITY_LABELS = {
    "concept": "Konzept", "person": "Personen", "identity": "Kennungen", "absence": "Abwesenheiten",
    "body": "Gremien", "room": "Räume", "membership": "Mitgliedschaften",
    "reporting_line": "Berichtslinien", "indicator": "Kennziffern", "indicator_value": "Kennziffer-Werte",
    "field": "Handlungsfelder", "recommendation": "Empfehlungen", "metric": "Zielgrößen",
    "measure": "Maßnahmen",
}


@dataclass
class ImportReport:
    """Counts per entity kind (keys of ENTITY_LABELS); `created`/`updated`/`removed` are totals."""

    path: Path
    kind: str  # yaml | csv | xlsx
    rows: int = 0
    created_by: Counter[str] = field(default_factory=Counter)
    updated_by: Counter[str] = field(default_factory=Counter)
    removed_by: Counter[str] = field(default_factory=Counter)
    changes: int = 0  # history rows (Change) written for recommendations

    @property
    def created(self) -> int:
        return sum(self.created_by.values())

    @property
    def updated(self) -> int:
        return sum(self.updated_by.values())

    @property
    def removed(self) -> int:
        return sum(self.removed_by.values())

    @property
    def unchanged(self) -> bool:
        return not (self.created or self.updated or self.removed)

    def summary(self) -> str:
        """One German line for chat and the command line."""
        head = (f"{self.path.name}: {self.created} angelegt, {self.updated} geändert, "
                f"{self.removed} entfernt")
        parts = [f"{ENTITY_LABELS.get(k, k)} +{self.created_by[k]}/~{self.updated_by[k]}"
                 + (f"/-{self.removed_by[k]}" if self.removed_by[k] else "")
                 for k in ENTITY_LABELS if self.created_by[k] or self.updated_by[k] or self.removed_by[k]]
        return head + (f" ({'; '.join(parts)})" if parts else "")


class Progress(Protocol):
    def update(self, n: int = 1) -> object: ...
    def close(self) -> None: ...


def progress_bar(total: int, enabled: bool | None, label: str) -> Progress:
    """tqdm on stderr; None means: only for long imports in an interactive terminal."""
    if enabled is None:
        enabled = total > PROGRESS_THRESHOLD and sys.stderr.isatty()
    bar: Progress = tqdm(total=total, disable=not enabled, file=sys.stderr, desc=label, unit=" Zeilen",
                         leave=False)
    return bar
