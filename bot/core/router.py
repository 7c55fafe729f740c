"""Router: middleware chain with explicit next() (Bolt), then one handler.

Runs synchronously in a worker thread with one unit of work per incoming event; the
replies go into the outbox in the same transaction as the state they describe.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy.orm.exc import StaleDataError

from storage.db import unavailable
from storage.text import UNSAFE, without_unsafe

from .context import Context, Services
from .events import IncomingMessage
from .roles import Standing, standing

if TYPE_CHECKING:
    from storage.models import Person
    from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
Next = Callable[[], None]
ATTEMPTS = 3  # of one event whose conversation another handler moved at the same time
Middleware = Callable[[Context, Next], None]


def build_context(services: Services, uow: UnitOfWork, message: IncomingMessage,
                  person: Person | None) -> Context:
    """The speaker's standing (roles) is computed here, for events and scheduled work alike."""
    memberships = uow.people.memberships(person) if person else []
    return Context(services, uow, message, person,
                   standing(person, memberships, services.settings.roles.coordinators))


class Router:
    def __init__(self, services: Services, middleware: list[Middleware],
                 handler: Callable[[Context], None]) -> None:
        self.services = services
        self.middleware = middleware
        self.handler = handler

    def process(self, message: IncomingMessage) -> int:
        """Handle one event; returns how many messages were queued for sending."""
        if UNSAFE.search(message.text):  # bidi overrides and control characters: storage/text.py
            message = replace(message, text=without_unsafe(message.text))
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return self._once(message)
            except StaleDataError:
                # another handler moved the same conversation first (optimistic lock on its
                # version): nothing of this attempt was written, so handle it again on the new state
                log.info("conversation changed underneath; handling %s again (%d)", message.event_id, attempt)
            except Exception as exc:
                if unavailable(exc):
                    raise  # not a bug: the caller keeps the event and tries again when the database is back
                log.exception("handler failed for %s event %s", message.channel.transport, message.event_id)
                return self._apologise(message)
        log.error("conversation kept changing underneath event %s", message.event_id)
        return self._apologise(message)

    def _once(self, message: IncomingMessage) -> int:
        with self.services.uow_factory() as uow:
            ctx = self._context(uow, message)
            self._run(ctx, 0)
            uow.commit()
            log.info("event handled", extra={
                "transport": message.channel.transport, "event_id": message.event_id,
                "person_id": ctx.person.id if ctx.person else None, "command": ctx.command,
                "queued": len(ctx.outgoing)})
            return len(ctx.outgoing)

    def _run(self, ctx: Context, index: int) -> None:
        if index == len(self.middleware):
            self.handler(ctx)
            return
        self.middleware[index](ctx, lambda: self._run(ctx, index + 1))

    def _context(self, uow: UnitOfWork, message: IncomingMessage) -> Context:
        person = uow.people.by_identity(message.channel.transport, message.sender.id)
        return build_context(self.services, uow, message, person)

    def _apologise(self, message: IncomingMessage) -> int:
        """A bug gets a logged traceback and a polite apology, never a traceback in chat."""
        try:
            with self.services.uow_factory() as uow:
                person = uow.people.by_identity(message.channel.transport, message.sender.id)
                ctx = Context(self.services, uow, message, person, Standing(person, False, frozenset(), frozenset()))
                ctx.notice("Sorry, something went wrong on my side. The office has been notified; "
                           "please try again later.")
                uow.commit()
                return 1
        except Exception:
            log.exception("could not even apologise")
            return 0
