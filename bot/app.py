"""Composition root: builds settings, database, renderer, router, transports, web app and
scheduler, runs them, and shuts them down cleanly. Nothing is global."""
from __future__ import annotations

import asyncio
import itertools
import logging
import signal
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO, TypeVar

from handlers import register_all
from storage import db
from storage.models import utcnow
from storage.uow import UnitOfWorkFactory

from . import cluster, jobs
from .config import ConfigError, Settings
from .conversations.engine import ConversationEngine
from .core.commands import CommandRegistry
from .core.context import Services
from .core.events import IncomingMessage
from .core.i18n import Translations
from .core.middleware import dispatch, drop_duplicates, drop_own_messages, refuse_oversized
from .core.router import Router
from .dbthread import DatabaseThread
from .handling import HandlingLanes
from .leader import leadership_for
from .metrics import Metrics
from .outbox import OutboxWorker
from .rendering import Renderer
from .scheduler import Scheduler
from .transports.base import Transport, choice_style_of
from .transports.console import ConsoleTransport

log = logging.getLogger(__name__)
T = TypeVar("T")


def build_registry() -> tuple[CommandRegistry, ConversationEngine]:
    """Every command and conversation of the handler layer: the composition root is the one
    place below the handlers that knows them (the permission table uses it too)."""
    registry, conversations = CommandRegistry(), ConversationEngine()
    register_all(registry, conversations)
    return registry, conversations


class App:
    def __init__(self, settings: Settings, *, transports: list[Transport] | None = None,
                 stdin: TextIO | None = None, stdout: TextIO | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.settings = settings
        self.engine = db.make_engine(settings.database.url, settings.database.echo,
                                     settings.database.pool_size)
        self.uow_factory = UnitOfWorkFactory(db.make_session_factory(self.engine), clock)
        translations = Translations(settings.general.locale)
        registry, conversations = build_registry()
        # One worker thread: handlers run in arrival order and SQLite sees a single writer; the
        # outbox's database work goes ahead of handler work still queued (bot/dbthread.py).
        self.executor = DatabaseThread()
        # Handling lanes: on PostgreSQL `database.workers` threads handle events of different
        # conversations at once; SQLite keeps its one writer (bot/handling.py).
        self.lanes = HandlingLanes(1 if self.engine.dialect.name == "sqlite" else settings.database.workers,
                                   self.executor)
        self.stopping = asyncio.Event()
        self.metrics = Metrics()
        self.leadership = leadership_for(settings.database.url, settings.cluster)
        self.database_up = asyncio.Event()  # cleared while the database cannot be reached
        self.database_up.set()
        self.transports = transports if transports is not None else self._transports(stdin, stdout)
        self.running_transports: list[Transport] = []  # started in this process (none on a standby…
        # Services are complete when built and never changed after (issue #19, deliver 3)
        self.services = Services(settings, self.uow_factory, Renderer(translations, settings.general.timezone),
                                 translations, registry, conversations,
                                 formats={t.name: t.formats for t in self.transports},  # …but HTTP receivers)
                                 clock=clock, wake=self._wake,
                                 choice_style=lambda channel: choice_style_of(self.transports, channel))
        self.router = Router(self.services, [drop_own_messages, drop_duplicates, refuse_oversized], dispatch)
        self.workers = {t.name: OutboxWorker(t, self.uow_factory, self.run_sync_urgent, clock, self.metrics,
                                             settings.outbox.lanes)
                        for t in self.transports}
        self.scheduler = Scheduler(settings.general.timezone)
        self.scheduler.add_tick("heartbeat", self._heartbeat)
        self.scheduler.add_tick("conversation timeouts", self._expire_conversations)
        self.scheduler.add_tick("rounds", self._rounds)
        self.scheduler.add_tick("meetings", self._meetings)
        self.scheduler.add_tick("digests", self._digests)
        self.scheduler.add_tick("reports", self._reports)
        self.scheduler.add_tick("privacy retention", self._retention)
        self.scheduler.add_tick("public questions", self._questions)
        self.loop: asyncio.AbstractEventLoop | None = None
        self._background: set[asyncio.Task[None]] = set()
        self._again: set[str] = set()
        self.web_runner: Any = None
        self.web_port: int | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._inbox_task: asyncio.Task[None] | None = None
        self._database_task: asyncio.Task[None] | None = None
        self._from_inbox_first = True  # a new leader handles the stored events before new ones

    def _transports(self, stdin: TextIO | None, stdout: TextIO | None) -> list[Transport]:
        transports: list[Transport] = []
        if self.settings.console.enabled:
            transports.append(ConsoleTransport(self.settings.console.user, self.settings.console.place,
                                               stdin, stdout, on_eof=self.stopping.set))
        if self.settings.slack.enabled:
            from .transports.slack import SlackTransport

            transports.append(SlackTransport(self.settings.slack, self))
        if self.settings.matrix.enabled:
            from .transports.matrix import MatrixTransport, QuestionMemory  # imports nio only when Matrix is on

            transports.append(MatrixTransport(self.settings.matrix, QuestionMemory(self.uow_factory, self.run_sync)))
        return transports

    async def run_sync(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    async def run_sync_urgent(self, fn: Callable[..., T], *args: Any) -> T:
        """Database work that goes ahead of queued handler work (the outbox's)."""
        return await asyncio.wrap_future(self.executor.submit_urgent(fn, *args))

    async def dispatch(self, message: IncomingMessage) -> None:
        """Transports call this for every incoming event; the outbox workers send the answers.
        A standby (or a leader still working through the inbox) stores the event for the leader.
        While the database cannot be reached the event is held here (in arrival order) and
        handled when it is back: a person's message is not lost to a restarted database."""
        self.metrics.received.labels(message.channel.transport).inc()
        log.info("event received", extra={"transport": message.channel.transport, "event_id": message.event_id,
                                           "kind": message.kind})
        async with self.lanes.enter(message):  # its place in its lane, taken before any await
            for attempt in itertools.count():
                await self.database_up.wait()
                try:
                    if self.leadership.cluster and (not self.leadership.is_leader or self._from_inbox_first):
                        await self.run_sync(cluster.store, self.uow_factory, message)
                        return
                    queued = await self.lanes.run(self.router.process, message)
                except Exception as exc:
                    if not db.unavailable(exc):
                        raise
                    self._database_lost(exc)
                    await asyncio.sleep(min(10.0, 0.1 * 2 ** attempt))  # never a tight loop
                    continue
                if queued:
                    self.deliver_now()
                return

    def _database_lost(self, error: BaseException) -> None:
        if not self.database_up.is_set():
            return
        log.warning("database unavailable (%s); incoming events are held until it is back",
                    str(error).splitlines()[0][:200])
        self.database_up.clear()
        # not among the background work: standing down (the lock is lost with the database)
        # cancels that, and the held events must still be released when the database is back
        self._database_task = asyncio.create_task(self._await_database(), name="database")

    async def _await_database(self) -> None:
        delay = 0.5
        while not await self.run_sync(db.reachable, self.engine):
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)
        log.info("database reachable again; handling the held events")
        self.database_up.set()

    def deliver_now(self) -> None:
        """Wake the outbox workers (bot/core/runtime.py: what the edge may ask of the App)."""
        for worker in self.workers.values():
            worker.wakeup.set()

    async def settle(self) -> None:
        """Wait until background work is done and every due message is delivered (tests, shutdown)."""
        while True:
            pending = [t for t in self._background if not t.done()]
            await asyncio.gather(*pending, return_exceptions=True)
            await asyncio.gather(*(w.flush() for w in self.workers.values()))
            if not any(not t.done() for t in self._background):
                return

    # -- background work ---------------------------------------------------------------
    def _wake(self, name: str) -> None:
        """Handlers (in the database thread) ask for background work to run soon."""
        if self.loop is not None:
            self.loop.call_soon_threadsafe(self._run_background, name)

    def _run_background(self, name: str) -> None:
        if any(t.get_name() == name and not t.done() for t in self._background):
            self._again.add(name)  # running: go round once more when it ends
            return
        job = {"rounds": self._rounds, "meetings": self._meetings}[name]
        task = asyncio.create_task(job(), name=name)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _heartbeat(self) -> None:
        self.metrics.ticks.inc()
        self.metrics.last_tick.set_to_current_time()

    async def _expire_conversations(self) -> None:
        if await self.run_sync(jobs.expire_conversations, self.services):
            self.deliver_now()

    async def _digests(self) -> None:
        from . import digests

        if await self.run_sync(digests.scheduled_tick, self.services):
            self.deliver_now()

    async def _reports(self) -> None:
        from .reports import delivery

        if await self.run_sync(delivery.tick, self.services):
            self.deliver_now()

    async def _retention(self) -> None:
        from .privacy import retention_tick

        await self.run_sync(retention_tick, self.services)

    async def _questions(self) -> None:
        """E-mail addresses of public questions deleted once answered or after the retention period."""
        from .questions import service as questions

        if await self.run_sync(questions.warn_expiring, self.services):
            self.deliver_now()
        await self.run_sync(questions.minimise, self.services)

    async def _rounds(self) -> None:
        """Due closings, openings and reminders; then the prompts, a batch at a time so
        answers to people are handled in between."""
        from .rounds import jobs as round_jobs

        while True:
            self._again.discard("rounds")
            if await self.run_sync(round_jobs.tick, self.services):
                self.deliver_now()
            while await self.run_sync(round_jobs.prompt_batch, self.services):
                self.deliver_now()
            if "rounds" not in self._again:
                return

    async def _meetings(self) -> None:
        """Due meeting reminders and requests for minutes (bot/meetings/jobs.py)."""
        from .meetings import jobs as meeting_jobs

        if await self.run_sync(meeting_jobs.tick, self.services):
            self.deliver_now()

    # -- lifecycle ---------------------------------------------------------------------
    def prepare(self) -> None:
        """Create or upgrade the schema; load the example catalog into an empty database."""
        db.upgrade(self.settings.database.url)
        catalog = self.settings.general.example_catalog
        with self.uow_factory() as uow:
            if uow.catalog.concept() is not None or not catalog:
                return
            path = Path(catalog)
            report = _import_example(uow, path, catalog)
            uow.commit()
            log.info("loaded example catalog %s: %s", path, report)
            self._load_history(uow, path)

    def _load_history(self, uow: Any, catalog: Path) -> None:
        """The example's past (rounds, releases, meetings), so a fresh start shows the process."""
        from storage.catalog_io.history import history_for, load_history

        history = history_for(catalog) if self.settings.general.example_history else None
        if history is not None:
            count = load_history(uow, history, self.settings.general.timezone)
            uow.commit()
            log.info("loaded example history %s: %d entries", history.name, count)

    async def start(self) -> None:
        self.loop = asyncio.get_running_loop()
        logging.getLogger().addHandler(self.metrics.log_handler)
        async with self.leadership.exclusive():  # one process at a time upgrades the schema
            await self.run_sync(self.prepare)
        if self.settings.web.enabled:
            from .web import start_web

            self.web_runner, self.web_port = await start_web(self)
            log.info("web server listening on http://%s:%s", self.settings.web.host, self.web_port)
            if lacking := self.settings.site.missing():
                log.warning("der öffentlichen Seite fehlt [site] %s (docs/public-site.md)", "; ".join(lacking))
        if self.leadership.cluster:  # endpoints on our web server (Slack over HTTP) take events in any role
            for transport in self.transports:
                if getattr(transport, "routes", list)():
                    await self._start_transport(transport)
        await self.leadership.start(self._promote, self._demote)

    async def _start_transport(self, transport: Transport) -> None:
        if transport not in self.running_transports:
            await transport.start(self.dispatch)
            self.running_transports.append(transport)

    async def _promote(self) -> None:
        """This process leads: handle what standbys stored, then run transports, outbox and scheduler."""
        self.metrics.leader_changes.inc()
        if self.leadership.cluster:
            self._from_inbox_first = True
            await self._drain_inbox()
            self._from_inbox_first = False
            self._inbox_task = asyncio.create_task(self._watch_inbox(), name="inbox")
        for transport in self.transports:
            await self._start_transport(transport)
        for worker in self.workers.values():
            self._tasks.append(asyncio.create_task(worker.run(), name=f"outbox-{worker.transport.name}"))
        self.scheduler.start()
        self._run_background("rounds")  # work that fell due while the bot was down, once
        self._run_background("meetings")

    async def _demote(self) -> None:
        """Lost the lock: stop sending and scheduling at once (another process may lead by now)."""
        self._from_inbox_first = True
        for task in [*self._tasks, *self._background, *([self._inbox_task] if self._inbox_task else [])]:
            task.cancel()
        await asyncio.gather(*self._tasks, *self._background, return_exceptions=True)
        self._tasks, self._inbox_task = [], None
        for transport in list(self.running_transports):
            if not getattr(transport, "routes", list)():
                await transport.stop()
                self.running_transports.remove(transport)
        await self.scheduler.shutdown(timeout=5)

    async def _drain_inbox(self) -> int:
        handled = 0
        while batch := await self.run_sync(cluster.take, self.uow_factory, 50):
            for row_id, message in batch:
                if await self.run_sync(self.router.process, message):
                    self.deliver_now()
                await self.run_sync(cluster.forget, self.uow_factory, row_id)
                handled += 1
        if handled:
            self.metrics.inbox_handled.inc(handled)
            log.info("handled %d events stored while standing by", handled, extra={"count": handled})
        return handled

    async def _watch_inbox(self) -> None:
        """Events a standby stored and messages it queued (Slack forms) reach the leader by polling."""
        rounds = 0
        while True:
            await asyncio.sleep(1.0)
            try:
                await self._drain_inbox()
            except Exception as exc:
                if not db.unavailable(exc):
                    log.exception("inbox: could not handle stored events; trying again")
                    continue
                self._database_lost(exc)
                await self.database_up.wait()
            rounds += 1
            if rounds % 5 == 0:
                self.deliver_now()

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, self.stopping.set)
            except (NotImplementedError, RuntimeError):
                pass
        await self.start()
        try:
            await self.stopping.wait()
        finally:
            await self.shutdown()

    async def shutdown(self) -> None:
        leading = self.leadership.is_leader
        if self._database_task is not None:
            self._database_task.cancel()
        await self.scheduler.shutdown()
        if self._inbox_task is not None:
            self._inbox_task.cancel()
            await asyncio.gather(self._inbox_task, return_exceptions=True)
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        for worker in self.workers.values() if leading else ():
            try:
                await asyncio.wait_for(worker.flush(), timeout=10)
            except Exception:
                log.warning("outbox of %s not fully flushed; it will be sent at the next start",
                            worker.transport.name)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for transport in self.running_transports:
            await transport.stop()
        await self.leadership.stop()  # only now may another process lead
        if self.web_runner is not None:
            await self.web_runner.cleanup()
        self.lanes.shutdown()
        self.executor.shutdown(wait=True)
        self.engine.dispose()
        logging.getLogger().removeHandler(self.metrics.log_handler)


def _import_example(uow: Any, path: Path, setting: str) -> Any:
    """The example catalog, or one line naming the setting (not a traceback) when it cannot be read:
    a relative path is relative to the working directory, so a copied config often misses it."""
    from storage.catalog_io import import_catalog
    from storage.catalog_io.errors import CatalogError

    where = f"[general] example_catalog = \"{setting}\""
    if not path.is_file():
        raise ConfigError(f"{where}: Datei nicht gefunden (gesucht in {path.resolve()}). Einen absoluten Pfad "
                          "angeben, aus dem Verzeichnis des Checkouts starten oder example_catalog = \"\" setzen.")
    try:
        return import_catalog(uow, path, progress=False)
    except CatalogError as exc:
        first = exc.errors[0] if exc.errors else str(exc)
        more = f" (und {len(exc.errors) - 1} weitere)" if len(exc.errors) > 1 else ""
        raise ConfigError(f"{where}: nicht importiert – {first}{more}.") from None
