"""Every action the code writes to the audit log is told in words by `protokoll` (issue #17, deliver 5):
a new action without a sentence would show up as its code (`edit_HF2-05-M1:progress`)."""
from __future__ import annotations

import re
from pathlib import Path

from handlers.change_words import _STATES, ACTIONS

ROOT = Path(__file__).resolve().parents[2]
_RECORD = re.compile(r"audit\.record\(\s*[^,]+,\s*(f?)\"([^\"]+)\"")
WORDED_PREFIXES = ("edit_", "set_", "question_", "release_")  # sentences built from the rest of the name


def test_every_recorded_action_has_a_sentence() -> None:
    found: dict[str, str] = {}
    for sub in ("bot", "handlers", "storage"):
        for path in (ROOT / sub).rglob("*.py"):
            for fstring, action in _RECORD.findall(path.read_text(encoding="utf-8")):
                found[action] = str(path.relative_to(ROOT))
    assert len(found) > 40  # the scan sees the code
    missing = {a: p for a, p in found.items()
               if a not in ACTIONS and not ("{" in a and a.startswith(WORDED_PREFIXES))
               and not (a.startswith(("question_", "release_")) and a.split("_", 1)[1] in _STATES)}
    assert not missing, missing
