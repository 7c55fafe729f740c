"""The inbox between processes: a standby stores the events it receives (e.g. Slack over HTTP
behind a load balancer), the leader takes them in order and handles them like its own.

An event is forgotten only after it was handled; if the leader dies in between, the next one
handles it again and the router drops it as a duplicate (its event id is recorded)."""
from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select

from storage.models import InboxEvent, utcnow

from .core.events import ChannelRef, IncomingMessage, PersonRef

if TYPE_CHECKING:
    from storage.uow import UnitOfWorkFactory


def store(uow_factory: UnitOfWorkFactory, message: IncomingMessage) -> None:
    with uow_factory() as uow:
        uow.session.add(InboxEvent(transport=message.channel.transport, event_id=message.event_id[:255],
                                   payload=asdict(message), received_at=utcnow()))
        uow.commit()


def take(uow_factory: UnitOfWorkFactory, limit: int) -> list[tuple[int, IncomingMessage]]:
    with uow_factory() as uow:
        rows = uow.session.scalars(select(InboxEvent).order_by(InboxEvent.id).limit(limit)).all()
        return [(row.id, _message(row.payload)) for row in rows]


def forget(uow_factory: UnitOfWorkFactory, row_id: int) -> None:
    with uow_factory() as uow:
        uow.session.execute(delete(InboxEvent).where(InboxEvent.id == row_id))
        uow.commit()


def _message(payload: dict[str, Any]) -> IncomingMessage:
    data = dict(payload)
    return IncomingMessage(channel=ChannelRef(**data.pop("channel")), sender=PersonRef(**data.pop("sender")),
                           **data)
