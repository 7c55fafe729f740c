"""What the edge (the Slack transport, the public site, the question form) needs of the running
application — and nothing more: the services, a way to run database work, and a way to say
"there is something in the outbox, deliver it now". The App implements it (bot/app.py); the edge
no longer reaches into the App's attributes (issue #19, deliver 3)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from bot.config import Settings
    from storage.uow import UnitOfWorkFactory

    from .context import Services

T = TypeVar("T")


class RunSync(Protocol):
    """A function that runs blocking database work off the event loop (App.run_sync, or
    App.run_sync_urgent for the outbox) and gives its result to await."""

    def __call__(self, fn: Callable[..., T], /, *args: Any) -> Awaitable[T]: ...


class Runtime(Protocol):
    settings: Settings
    services: Services
    uow_factory: UnitOfWorkFactory

    async def run_sync(self, fn: Callable[..., T], *args: Any) -> T:
        """Run database work in the database thread (the unit of work is the caller's)."""
        ...

    def deliver_now(self) -> None:
        """Wake the outbox workers: messages were just queued outside a chat event."""
        ...
