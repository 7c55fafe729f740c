"""Handling lanes (issue #20, deliver 2): incoming events are handled concurrently across
conversations and in arrival order within one — a conversation is (transport, room, person).

On PostgreSQL a pool of handler threads does the work, each event in its own unit of work; two
handlers that touch the same conversation state anyway (a job and an answer) are kept apart by
its optimistic lock (`version`, retried by the router). On SQLite, which has one writer, every
event goes to the one database thread as before (`bot/dbthread.py`).

Order within a lane is fixed when the event arrives (`enter` is synchronous, called before the
first `await` of `App.dispatch`), so a later message of the same person never overtakes an
earlier one, however long the earlier one waits for the database."""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any, TypeVar

from bot.core.events import IncomingMessage

T = TypeVar("T")
Key = tuple[str, str, str]


def lane_of(message: IncomingMessage) -> Key:
    return message.channel.transport, message.channel.id, message.sender.id


class Turn:
    """One event's place in its lane: wait for the one before, then let the next one go."""

    def __init__(self, lanes: HandlingLanes, key: Key, before: asyncio.Future[None] | None) -> None:
        self.lanes, self.key, self.before = lanes, key, before
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def __aenter__(self) -> Turn:
        if self.before is not None:
            await asyncio.shield(self.before)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.done.set_result(None)
        if self.lanes.tails.get(self.key) is self.done:
            del self.lanes.tails[self.key]


class HandlingLanes:
    def __init__(self, workers: int, single: Executor) -> None:
        self.workers = workers
        self.single = single  # the database thread: SQLite's one writer, jobs and the outbox
        self.pool: ThreadPoolExecutor | None = (
            ThreadPoolExecutor(workers, thread_name_prefix="sachstand-handler") if workers > 1 else None)
        self.tails: dict[Key, asyncio.Future[None]] = {}

    def enter(self, message: IncomingMessage) -> Turn:
        key = lane_of(message)
        turn = Turn(self, key, self.tails.get(key))
        self.tails[key] = turn.done
        return turn

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.pool or self.single, fn, *args)

    def shutdown(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)
