"""Load (issue #9, point 6): 500 members answering a round at once on a real Synapse.

A fresh Synapse (rate limits raised) and the bot as `sachstand run` in its own process; a
round over 500 owners, each asked in their direct room with the bot; all 500 answer the first
question at the same moment. Every answer must be stored (the owner's conversation moved on);
the turn latency is from the answer's `origin_server_ts` to that of the bot's next question
(both stamped by the homeserver). The scenario is tests/integration/faults/matrix_load.py,
which `make test` runs too (asserting only that every answer is stored).

Ends with one line: members=500 stored=500 p95_ms=… p50_ms=…
Run: .venv/bin/python bench/load_matrix.py [members]   (or `make bench`)
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "integration" / "faults"))

import matrix_load  # noqa: E402


def main() -> None:
    members = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    with tempfile.TemporaryDirectory(prefix="sachstand-load-") as tmp:
        result = matrix_load.main(members, Path(tmp))
    print(f"setup (registration, direct rooms, bot start, prompts): {result.setup_s:.0f} s; "
          f"all {members} answers handled in {result.answers_s:.1f} s; "
          f"{result.answered} members saw the next question")
    print(result.line())


if __name__ == "__main__":
    main()
