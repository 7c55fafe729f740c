"""What the Matrix transport remembers about its questions lives in the database (issue #14):
no cap. A round of 2,000 prompts, each a poll in its own direct room: a vote on the oldest
still maps back to its answer, also after a restart (a new engine on the same database), and
a JSON file of an older version hands its open questions over once.
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.core.events import Choice
from bot.transports.matrix import polls
from bot.transports.matrix.memory import QuestionMemory
from bot.transports.matrix.parse import Addressing, parse_event
from bot.transports.matrix.state import TransportState

HOW = Addressing("@sachstand:koeln.example", ("!s",))
STATUSES = [Choice(v, label, str(n)) for n, (v, label) in
            enumerate([("geplant", "geplant"), ("in Umsetzung", "in Umsetzung"), ("umgesetzt", "umgesetzt"),
                       ("verzögert", "verzögert"), ("ausgesetzt", "ausgesetzt"), ("entfällt", "entfällt")], 1)]
PROMPTS = 2000


async def _inline(fn: Callable[..., Any], *args: Any) -> Any:
    return fn(*args)


def _vote(room: str, poll_id: str, answer_id: str) -> dict[str, Any]:
    return {"type": "org.matrix.msc3381.poll.response", "sender": "@owner:koeln.example", "event_id": "$vote",
            "room_id": room, "content": {"m.relates_to": {"rel_type": "m.reference", "event_id": poll_id},
                                         "org.matrix.msc3381.poll.response": {"answers": [answer_id]}}}


async def _answer(memory: QuestionMemory, room: str, poll_id: str, answer_id: str,
                  kind: str = "action") -> str | None:
    """What the vote answers (a vote on a closed poll is "late": it answers nothing, it is told)."""
    asked = await memory.lookup(poll_id, room)
    msg = parse_event(_vote(room, poll_id, answer_id), room, True, HOW, question=lambda e: asked)
    return msg.text if msg is not None and msg.kind == kind else None


def test_a_vote_on_the_oldest_of_2000_prompts_maps_back_to_its_answer(uow_factory: Any, db_url: str) -> None:
    memory = QuestionMemory(uow_factory, _inline)
    ids = {n: polls.answer_ids(b"secret", f"txn{n}", len(STATUSES)) for n in range(PROMPTS)}

    async def round_() -> None:
        for n in range(PROMPTS):  # one prompt per owner, each in the owner's direct room
            await memory.ask(f"!dm{n}:koeln.example", f"$poll{n}", STATUSES, ids[n], f"HF-{n} – Wie ist der Status?")
        assert await _answer(memory, "!dm0:koeln.example", "$poll0", ids[0][1]) == "in Umsetzung"  # the oldest
        assert await _answer(memory, f"!dm{PROMPTS - 1}:koeln.example", f"$poll{PROMPTS - 1}",
                             ids[PROMPTS - 1][3]) == "verzögert"
        # another owner's answer ids mean nothing on this poll, nor does this poll in another room
        assert await _answer(memory, "!dm0:koeln.example", "$poll0", ids[1][1]) is None
        assert await _answer(memory, "!dm1:koeln.example", "$poll0", ids[0][1]) is None

    asyncio.run(round_())
    from storage.models import AskedQuestion

    with uow_factory() as uow:  # one row per room with an open question: nothing more, nothing capped
        assert uow.session.query(AskedQuestion).count() == PROMPTS

    from storage.db import make_engine, make_session_factory
    from storage.uow import UnitOfWorkFactory

    engine = make_engine(db_url)  # a restarted bot: nothing in memory but the database
    try:
        again = QuestionMemory(UnitOfWorkFactory(make_session_factory(engine)), _inline)

        async def after_restart() -> None:
            assert await _answer(again, "!dm0:koeln.example", "$poll0", ids[0][2]) == "umgesetzt"
            # the owner's next step is asked: the poll is closed, ended with the room's next message
            await again.close("!dm0:koeln.example")
            assert await _answer(again, "!dm0:koeln.example", "$poll0", ids[0][2]) is None
            assert await _answer(again, "!dm0:koeln.example", "$poll0", ids[0][2], "late") == "umgesetzt"
            assert [p.event_id for p in await again.polls_to_end("!dm0:koeln.example")] == ["$poll0"]
            await again.ended("$poll0")
            assert await again.polls_to_end("!dm0:koeln.example") == []
            with again.uow_factory() as uow:  # ended: kept a while, so a late vote is told it ended
                row = uow.asked.by_event("matrix", "$poll0")
                assert row is not None and row.ended and not row.is_open
            # a new question in a room replaces the open one there, and only there
            await again.ask("!dm1:koeln.example", "$next1", STATUSES[:2])
            replaced = await again.lookup("$poll1", "!dm1:koeln.example")
            assert replaced is not None and replaced.closed  # a vote on it is told it ended
            assert await again.lookup("$poll2", "!dm2:koeln.example") is not None
            assert [c.value for c in (await again.lookup("$next1", "!dm1:koeln.example")).choices] == [
                "geplant", "in Umsetzung"]

        asyncio.run(after_restart())
    finally:
        engine.dispose()


def test_the_open_questions_of_an_older_versions_json_file_are_taken_over_once(uow_factory: Any,
                                                                               tmp_path: Path) -> None:
    path = tmp_path / "sachstand-state.json"
    path.write_text(json.dumps({
        "sync_token": "s1", "questions": {"$q": {"room": "!r", "choices": [["de", "Deutsch", "1"], ["en", "English", "2"]]},
                                          "$old": {"room": "!r", "choices": [["x", "X", "1"]]}},
        "open_question": {"!r": "$q"}}), encoding="utf-8")
    state = TransportState(path)
    memory = QuestionMemory(uow_factory, _inline)
    asyncio.run(memory.adopt(state.take_questions()))
    asked = asyncio.run(memory.lookup("$q", "!r"))
    assert asked is not None and [c.value for c in asked.choices] == ["de", "en"] and asked.answer_ids == []
    assert asyncio.run(memory.lookup("$old", "!r")) is None
    kept = json.loads(path.read_text(encoding="utf-8"))
    assert "questions" not in kept and "open_question" not in kept and kept["sync_token"] == "s1"
    assert TransportState(path).take_questions() == []
