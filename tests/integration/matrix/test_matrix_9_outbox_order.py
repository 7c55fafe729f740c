"""Answers to people before bulk prompts, also across rooms (issue #14): while a round's prompts go
out one by one to the owners' direct rooms, a coordinator's reply queued meanwhile in the office
room is the next message sent — not the one after the whole batch of prompts. The outbox runs on
the real database; the transport records the order it is asked to send in and holds the first
prompt "in flight" until the reply is queued.
"""
from __future__ import annotations

import asyncio
from typing import Any

from bot.core.events import ChannelRef, OutgoingMessage
from bot.core.outbox_rows import to_row
from bot.outbox import OutboxWorker
from storage.models import OutboxMessage, utcnow

PROMPTS = 8


class RecordingTransport:
    name = "matrix"
    formats = ("plain",)

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.in_flight = asyncio.Event()
        self.release = asyncio.Event()

    async def send(self, message: OutgoingMessage) -> str:
        text = message.text()
        if text == "prompt 0":  # the first prompt is slow (a new direct room is being created)
            self.in_flight.set()
            await self.release.wait()
        self.sent.append(text)
        return f"$event-{len(self.sent)}"

    async def direct_channel(self, user_id: str) -> str:
        return f"!dm-{user_id}"


def _queue(uow_factory: Any, text: str, room: str, bulk: bool) -> None:
    with uow_factory() as uow:
        msg = OutgoingMessage(ChannelRef("matrix", room, direct=bulk), {"plain": text})
        uow.session.add(to_row(msg, f"txn-{text.replace(' ', '-')}", utcnow(), priority=1 if bulk else 0))
        uow.commit()


async def _inline(fn: Any, *args: Any) -> Any:
    return fn(*args)


def test_a_reply_queued_during_a_fan_out_overtakes_the_prompts_still_waiting(uow_factory: Any) -> None:
    for n in range(PROMPTS):  # a round's fan-out: one prompt per owner, each in the owner's room
        _queue(uow_factory, f"prompt {n}", f"!owner{n}:koeln.example", bulk=True)
    transport = RecordingTransport()
    worker = OutboxWorker(transport, uow_factory, _inline)  # type: ignore[arg-type]

    async def scenario() -> None:
        flushing = asyncio.create_task(worker.flush())
        await transport.in_flight.wait()
        # meanwhile the coordinator asks something in the office room: the answer is queued…
        _queue(uow_factory, "reply to the coordinator", "!office:koeln.example", bulk=False)
        worker.wakeup.set()  # …and the worker woken, as the app does after handling a message
        transport.release.set()
        await flushing

    asyncio.run(scenario())
    assert transport.sent[:2] == ["prompt 0", "reply to the coordinator"], transport.sent
    assert sorted(transport.sent[2:]) == sorted(f"prompt {n}" for n in range(1, PROMPTS))
    assert [t for t in transport.sent if t.startswith("prompt")] == [f"prompt {n}" for n in range(PROMPTS)]
    with uow_factory() as uow:
        assert {r.state for r in uow.session.query(OutboxMessage)} == {"sent"}
