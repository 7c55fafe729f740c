"""Drive the real App (router, middleware, handlers, outbox) through an in-memory transport.

The memory transport is a normal transport named "console" (so the example people's
console identities work) that asks for every format, so each message is rendered as
plain text, Matrix HTML and Slack mrkdwn and all three can be checked.
"""
from __future__ import annotations

import itertools
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bot.app import App
from bot.config import Settings, load_settings
from bot.core.events import ChannelRef, IncomingMessage, OutgoingMessage, PersonRef
from bot.transports.base import Dispatch

ROOT = Path(__file__).resolve().parents[2]
KOELN = ROOT / "examples" / "koeln.yaml"
_ids = itertools.count(1)
_templates: dict[tuple[object, ...], Path] = {}


def _from_template(settings: Settings, now: datetime) -> None:
    """Start a test's new SQLite database as a copy of one the real first start prepared
    (schema, example catalog, history) for the same settings and clock: preparing it costs
    0.3–0.6 s, and hundreds of tests start the same way. The copy is what `App.prepare`
    would write; the test's own start still runs `prepare`, which finds it done."""
    url = settings.database.url
    target = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None
    if target is None or target.exists():
        return
    general = settings.general
    key = (general.example_catalog, general.example_history, general.timezone, now)
    if key not in _templates:
        path = Path(tempfile.mkdtemp(prefix="sachstand-template-")) / "template.db"
        app = App(settings.model_copy(update={"database": settings.database.model_copy(
            update={"url": f"sqlite:///{path}"})}), transports=[], clock=lambda: now)
        app.prepare()
        app.engine.dispose()
        _templates[key] = path
    shutil.copyfile(_templates[key], target)


@dataclass
class MemoryTransport:
    name: str = "console"
    formats: tuple[str, ...] = ("plain", "matrix", "slack")
    sent: list[OutgoingMessage] = field(default_factory=list)
    fail_next: int = 0  # simulate an outage: this many sends raise

    @property
    def connected(self) -> bool:
        return True

    async def start(self, dispatch: Dispatch) -> None:
        self.dispatch = dispatch

    async def direct_channel(self, user_id: str) -> str:
        return f"dm:{user_id}"

    async def send(self, message: OutgoingMessage) -> str | None:
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("transport down")
        self.sent.append(message)
        return f"m{len(self.sent)}"

    async def stop(self) -> None:
        pass


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def make_settings(db_url: str, **overrides: Any) -> Settings:
    # the catalog without its history: tests start from a known, quiet state
    env = {"SACHSTAND_DATABASE__URL": db_url, "SACHSTAND_WEB__ENABLED": "false",
           "SACHSTAND_GENERAL__EXAMPLE_CATALOG": str(KOELN), "SACHSTAND_GENERAL__EXAMPLE_HISTORY": "false"}
    env.update({f"SACHSTAND_{k.upper()}": str(v) for k, v in overrides.items()})
    return load_settings(None, env)


class Bot:
    """A running App plus helpers to speak as someone and read the answers."""

    def __init__(self, settings: Settings, now: datetime | None = None,
                 transport: MemoryTransport | None = None) -> None:
        self.transport = transport or MemoryTransport()
        self.clock = Clock(now or datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc))
        _from_template(settings, self.clock.now)
        self.app = App(settings, transports=[self.transport], clock=self.clock)
        # the test's clock decides what is due, and `tick()` runs it: no wall-clock tick every 30 s
        # firing in the middle of a slow test (a monthly digest appeared in "nothing changed" checks)
        self.app.scheduler.interval = 24 * 3600.0

    async def __aenter__(self) -> Bot:
        await self.app.start()
        await self.app.settle()  # what fell due while "down" is done before the test speaks
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.app.shutdown()

    def meetings(self) -> list[Any]:
        """Every meeting in the database by its start, detached: what a test checks after a command."""
        from sqlalchemy import select

        from storage.models import Meeting

        with self.app.uow_factory() as uow:
            rows = list(uow.session.scalars(select(Meeting).order_by(Meeting.starts_at)))
            for row in rows:
                uow.session.expunge(row)
            return rows

    async def say(self, user: str, text: str, room: str | None = None,
                  event_id: str | None = None) -> list[OutgoingMessage]:
        before = len(self.transport.sent)
        channel = ChannelRef("console", room, False) if room else ChannelRef("console", f"dm:{user}", True)
        await self.app.dispatch(IncomingMessage(channel, PersonRef("console", user), text,
                                                event_id or f"ev{next(_ids)}"))
        await self.app.settle()
        return self.transport.sent[before:]

    async def tick(self) -> list[OutgoingMessage]:
        """One scheduler tick (what a running bot does every 30 s); the messages it sent."""
        before = len(self.transport.sent)
        await self.app.scheduler.run_due()
        await self.app.settle()
        return self.transport.sent[before:]

    def to(self, channel_id: str, messages: list[OutgoingMessage] | None = None) -> list[str]:
        """Plain texts sent to one channel (a DM is "dm:<handle>", a room "#name")."""
        return [m.text("plain") for m in (self.transport.sent if messages is None else messages)
                if m.channel is not None and m.channel.id == channel_id]

    async def text(self, user: str, text: str, room: str | None = None) -> str:
        return "\n".join(m.text("plain") for m in await self.say(user, text, room))

    async def answers(self, user: str, *lines: str) -> str:
        """Say each line in turn (a conversation's answers); the text of the replies to the last."""
        out = ""
        for line in lines:
            out = await self.text(user, line)
        return out
