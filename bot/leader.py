"""Leadership: of several Sachstand processes on one PostgreSQL database, exactly one (the
leader) runs the transports, the outbox workers and the scheduler; the others (standby) serve
the web part and take over when the leader dies.

The leader holds a PostgreSQL session-level advisory lock (`pg_try_advisory_lock`) on a
connection of its own, kept for the whole time it leads. The lock lives exactly as long as
that connection: when the leader process dies (even by SIGKILL) its socket closes and the
server releases the lock at once; when its machine or network dies, TCP keepalives (set on
both ends below) end the connection within about `dead_after_seconds`. The leader checks its
connection every `keepalive_seconds`; when the check fails it stops leading *before* the server
can hand the lock to another process (its own timeout is the shorter one), so two leaders never
overlap. A standby tries for the lock every `poll_seconds`.

On SQLite there is a single process by construction: it is always the leader.
"""
from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import IO, Any

from sqlalchemy.engine import make_url

from storage.db import normalise_url

log = logging.getLogger(__name__)
Callback = Callable[[], Awaitable[None]]


def is_postgres(url: str) -> bool:
    return make_url(normalise_url(url)).get_backend_name() == "postgresql"


def libpq_url(url: str) -> str:
    """The SQLAlchemy URL as a libpq connection URI (psycopg's own connect)."""
    return make_url(normalise_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)


class AlreadyRunning(RuntimeError):
    """Another `sachstand run` holds this SQLite database."""


class SingleProcess:
    """SQLite: the only process; it leads from the start and never stands by.

    Two processes on one SQLite file would both lead and send every reply twice, so the
    process holds an exclusive lock on `<database>.lock` (flock: released by the kernel
    when the process dies, even by SIGKILL) and a second one refuses to start."""

    cluster = False

    def __init__(self, database: str | None = None) -> None:
        self.is_leader = False
        self.changes = 0
        self.healthy = True
        self.lock_path = Path(database + ".lock") if database and database != ":memory:" else None
        self._lock: IO[str] | None = None

    def claim(self) -> None:
        if self.lock_path is None or self._lock is not None:
            return
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        handle = os.fdopen(fd, "r+", encoding="utf-8")  # held for the process' life
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "?"
            handle.close()
            raise AlreadyRunning(
                f"Die Datenbank {self.lock_path.with_suffix('')} wird schon von einem anderen "
                f"Sachstand-Prozess benutzt (PID {holder}). Mit SQLite läuft genau ein Prozess; "
                "für mehrere Prozesse PostgreSQL verwenden (docs/operations.md).") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._lock = handle

    @contextlib.asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        self.claim()
        yield

    async def start(self, promote: Callback, demote: Callback) -> None:
        self.claim()
        self.is_leader = True
        self.changes += 1
        await promote()

    async def stop(self) -> None:
        self.is_leader = False
        if self._lock is not None:
            self._lock.close()  # closing the file releases the lock
            self._lock = None

    def describe(self) -> dict[str, Any]:
        return {"ok": True, "role": "leader", "mode": "single"}


class AdvisoryLockLeadership:
    """PostgreSQL: leader while holding the advisory lock on a dedicated connection."""

    cluster = True

    def __init__(self, url: str, lock_key: int, poll_seconds: float = 2.0, keepalive_seconds: float = 5.0,
                 dead_after_seconds: int = 20) -> None:
        self.conninfo = libpq_url(url)
        self.lock_key = lock_key
        self.poll = poll_seconds
        self.keepalive = keepalive_seconds
        self.dead_after = dead_after_seconds
        self.is_leader = False
        self.changes = 0  # how often this process became leader
        self.healthy = True  # the lock connection (or the attempt to make one) works
        self.since: float | None = None
        self._conn: Any = None
        self._task: asyncio.Task[None] | None = None
        self._promote: Callback | None = None
        self._demote: Callback | None = None

    # -- connection ----------------------------------------------------------------------
    async def _connect(self) -> Any:
        import psycopg

        # client side: a write the server does not acknowledge within `dead_after` (e.g. the
        # network is gone) fails the connection, so a cut-off leader notices and stands down
        conn = await psycopg.AsyncConnection.connect(
            self.conninfo, autocommit=True, connect_timeout=5, application_name="sachstand-leader",
            keepalives=1, keepalives_idle=max(1, self.dead_after // 4), keepalives_interval=2,
            keepalives_count=3, tcp_user_timeout=self.dead_after * 500)
        # server side: a vanished holder's session ends after ~dead_after s (idle + interval × count),
        # later than the client-side limit above, so the old leader has stopped before anyone takes over
        idle = max(1, self.dead_after // 2)
        interval = max(1, self.dead_after // 6)
        await conn.execute(f"SET tcp_keepalives_idle = {idle}; SET tcp_keepalives_interval = {interval}; "
                           "SET tcp_keepalives_count = 3")
        return conn

    async def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), 5)

    @contextlib.asynccontextmanager
    async def exclusive(self) -> AsyncIterator[None]:
        """One process at a time (schema upgrades and the first catalog import at start)."""
        conn = await self._connect()
        try:
            await conn.execute("SELECT pg_advisory_lock(%s)", (self.lock_key + 1,))
            yield
        finally:
            with contextlib.suppress(Exception):
                await conn.execute("SELECT pg_advisory_unlock(%s)", (self.lock_key + 1,))
            await conn.close()

    # -- the loop --------------------------------------------------------------------------
    async def start(self, promote: Callback, demote: Callback) -> None:
        """Try once (so a lone process leads as soon as start returns), then keep watching."""
        self._promote, self._demote = promote, demote
        await self._step()
        self._task = asyncio.create_task(self._run(), name="leadership")

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self.keepalive if self.is_leader else self.poll)
            try:
                await self._step()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("leadership: unexpected failure")

    async def _step(self) -> None:
        if self.is_leader:
            if not await self._alive():
                await self._stand_down()
            return
        try:
            if self._conn is None:
                self._conn = await self._connect()
            cur = await asyncio.wait_for(
                self._conn.execute("SELECT pg_try_advisory_lock(%s)", (self.lock_key,)), self.dead_after)
            got = bool((await cur.fetchone())[0])
            self.healthy = True
        except Exception as exc:
            if self.healthy:
                log.warning("leadership: database unreachable (%s); standing by", exc.__class__.__name__)
            self.healthy = False
            await self._close()
            return
        if got:
            await self._take_over()

    async def _alive(self) -> bool:
        try:
            await asyncio.wait_for(self._conn.execute("SELECT 1"), max(1.0, self.dead_after / 2))
            return True
        except Exception as exc:
            log.error("leadership: lost the lock connection (%s)", exc.__class__.__name__)
            return False

    async def _take_over(self) -> None:
        self.is_leader, self.since = True, time.time()
        self.changes += 1
        log.info("leadership: this process is now the leader", extra={"role": "leader"})
        assert self._promote is not None
        try:
            await self._promote()
        except Exception:  # e.g. the database went away meanwhile: give the lock back, try again later
            log.exception("leadership: could not start leading")
            await self._stand_down()

    async def _stand_down(self) -> None:
        """The lock may be gone: stop leader work at once, then try for the lock again."""
        self.is_leader, self.since, self.healthy = False, None, False
        await self._close()
        log.warning("leadership: standing down", extra={"role": "standby"})
        assert self._demote is not None
        await self._demote()

    async def stop(self) -> None:
        """At shutdown, after the leader work has stopped: closing the connection frees the lock."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self.is_leader = False
        await self._close()

    def describe(self) -> dict[str, Any]:
        return {"ok": self.healthy, "role": "leader" if self.is_leader else "standby", "mode": "postgresql",
                "leader_since": self.since}


@contextlib.contextmanager
def exclusive_sync(url: str, lock_key: int) -> Iterator[None]:
    """`sachstand db upgrade` from several machines at once: one after the other (PostgreSQL)."""
    if not is_postgres(url):
        yield
        return
    import psycopg

    with psycopg.connect(libpq_url(url), autocommit=True, connect_timeout=10) as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", (lock_key + 1,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", (lock_key + 1,))


def leadership_for(url: str, cluster: Any) -> SingleProcess | AdvisoryLockLeadership:
    if not is_postgres(url):
        return SingleProcess(make_url(normalise_url(url)).database or None)
    return AdvisoryLockLeadership(url, cluster.lock_key, cluster.poll_seconds, cluster.keepalive_seconds,
                                  cluster.dead_after_seconds)
