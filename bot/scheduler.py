"""APScheduler wiring. Jobs hold no state of their own: each tick asks the database what is
due, so a restart neither loses nor repeats anything (the ledger records what was done)."""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import STATE_PAUSED

from storage.db import unavailable

log = logging.getLogger(__name__)
Tick = Callable[[], Awaitable[object]]


class Scheduler:
    def __init__(self, timezone: str, interval_seconds: float = 30.0) -> None:
        self.interval = interval_seconds
        self._scheduler = AsyncIOScheduler(timezone=timezone)
        self._ticks: list[tuple[str, Tick]] = []
        self._lock = asyncio.Lock()

    def add_tick(self, name: str, tick: Tick) -> None:
        self._ticks.append((name, tick))

    async def run_due(self) -> None:
        async with self._lock:  # one tick at a time; shutdown waits for the running one
            for name, tick in self._ticks:
                try:
                    await tick()
                except Exception as exc:  # one failing job must not stop the others
                    if unavailable(exc):  # not a bug: the next tick does what is still due
                        log.warning("scheduled job %s skipped: database unavailable", name)
                    else:
                        log.exception("scheduled job %s failed", name)

    def start(self) -> None:
        """Must be called inside the running loop (APScheduler 3 binds to it)."""
        self._scheduler.add_job(self.run_due, "interval", seconds=self.interval, id="tick",
                                coalesce=True, max_instances=1, misfire_grace_time=None, replace_existing=True)
        if self._scheduler.state == STATE_PAUSED:  # leading again after standing by (bot/leader.py)
            self._scheduler.resume()
        elif not self._scheduler.running:
            self._scheduler.start()

    async def shutdown(self, timeout: float = 30.0) -> None:
        """No new ticks; let a running tick finish (a cancelled one would be half done), then stop."""
        if not self._scheduler.running:
            return
        self._scheduler.pause()
        try:
            await asyncio.wait_for(self._lock.acquire(), timeout)
            self._lock.release()
        except TimeoutError:
            log.warning("a scheduled tick did not finish within %.0f s; stopping anyway", timeout)
        self._scheduler.shutdown(wait=False)
