"""The shape every transport has (opsdroid: the console is a normal connector)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Protocol

from bot.core.events import ChannelRef, IncomingMessage, OutgoingMessage

Dispatch = Callable[[IncomingMessage], Awaitable[None]]


class Transport(Protocol):
    name: str  # "console", "matrix", "slack"
    formats: tuple[str, ...]  # renderings each outgoing message needs

    @property
    def connected(self) -> bool: ...

    async def start(self, dispatch: Dispatch) -> None:
        """Connect and begin delivering incoming events to dispatch; returns when running."""

    async def send(self, message: OutgoingMessage) -> str | None:
        """Deliver one message; return the platform's message id. Raise to be retried."""

    async def direct_channel(self, user_id: str) -> str:
        """The id of the direct-message channel with a user, created if needed."""

    async def stop(self) -> None: ...


def choice_style_of(transports: Iterable[Transport], channel: ChannelRef) -> str:
    """How the channel's transport offers choices there ("poll", "reaction", "button"; "" typed
    only). Optional for a transport: `choice_style(channel_id)`; it runs off the event loop, so it
    only reads what the transport already knows."""
    transport = next((t for t in transports if t.name == channel.transport), None)
    style = getattr(transport, "choice_style", None)
    return str(style(channel.id)) if callable(style) else ""
