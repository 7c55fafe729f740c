"""Work the scheduler does on each tick; everything due is derived from the database."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from storage.models import ConversationState, Person

from .core.context import Context, Services
from .core.events import ChannelRef, IncomingMessage, PersonRef
from .core.router import build_context

if TYPE_CHECKING:
    from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


def system_context(services: Services, uow: UnitOfWork, channel: ChannelRef, person_id: int | None) -> Context:
    """A context for messages the bot starts itself (timeouts, reminders), as if in that channel."""
    person = uow.session.get(Person, person_id) if person_id else None
    sender = PersonRef(channel.transport, (person.identity(channel.transport) or "") if person else "")
    return build_context(services, uow, IncomingMessage(channel, sender, "", event_id=""), person)


def expire_conversations(services: Services) -> int:
    """Close conversations whose deadline passed and tell each person once."""
    with services.uow_factory() as uow:
        states = list(uow.conversations.expired(services.clock()))
        if not states:
            return 0

        def ctx_for(state: ConversationState) -> Context:
            channel = ChannelRef(state.transport, state.channel_id, direct=True)
            return system_context(services, uow, channel, state.person_id)

        count = services.conversations.expire(ctx_for, services.clock(), states)
        uow.commit()
    log.info("closed %d conversations after their timeout", count)
    return count


def person_context(services: Services, uow: UnitOfWork, person: Person) -> Context | None:
    """A context for a DM the bot starts with a person, on a running transport they use."""
    ident = next((i for t in services.formats for i in person.identities if i.transport == t), None)
    if ident is None:
        return None  # not reachable on any running transport
    channel = ChannelRef(ident.transport, ident.dm_channel or "", direct=True)
    sender = PersonRef(ident.transport, ident.external_id)
    return build_context(services, uow, IncomingMessage(channel, sender, "", event_id=""), person)
