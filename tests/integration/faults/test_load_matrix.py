"""Load (issue #9, point 6): many members answer a round at once on a real Synapse, and every
answer is stored. The scenario is matrix_load.py, the same as bench/load_matrix.py, which runs
it with 500 members and reports the turn latency; here no timing is asserted.

`make test` runs it with 40 members (SACHSTAND_LOAD_MEMBERS to change it): the set-up for 500 —
500 direct rooms, 500 prompts each with its answer choices — takes about five minutes on a
two-core machine, so the 500-member load lives in bench/load_matrix.py.
"""
from __future__ import annotations

import os
from pathlib import Path

import matrix_load
import pytest

pytestmark = pytest.mark.matrix
MEMBERS = int(os.environ.get("SACHSTAND_LOAD_MEMBERS", "40"))


async def test_members_answering_at_once_every_answer_is_stored(tmp_path: Path) -> None:
    result = await matrix_load.run(MEMBERS, tmp_path)
    assert result.stored == MEMBERS  # every owner's answer is in their conversation's state
    assert result.answered == MEMBERS  # and every owner sees the next question
