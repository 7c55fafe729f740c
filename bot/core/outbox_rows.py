"""An outgoing message as a row of the outbox and back: the core writes it in the handler's
transaction (Context._enqueue), the outbox worker (bot.outbox) reads it to send."""
from __future__ import annotations

from datetime import datetime

from storage.models import OutboxMessage

from .events import Attachment, ChannelRef, Choice, OutgoingMessage

__all__ = ["from_row", "to_row"]


def to_row(msg: OutgoingMessage, txn_id: str, now: datetime, priority: int = 0) -> OutboxMessage:
    assert msg.channel is not None
    payload = {"texts": msg.texts, "choices": [[c.value, c.label, c.key, c.several] for c in msg.choices],
               "in_reply_to": msg.in_reply_to, "to_person": msg.to_person,
               "direct": msg.channel.direct, "ephemeral": msg.ephemeral, "meta": msg.meta,
               "attachments": [[a.filename, a.mimetype, a.data.hex()] for a in msg.attachments]}
    return OutboxMessage(transport=msg.channel.transport, channel_id=msg.channel.id, txn_id=txn_id,
                         payload=payload, next_attempt_at=now, created_at=now, priority=priority)


def from_row(row: OutboxMessage) -> OutgoingMessage:
    p = row.payload
    return OutgoingMessage(
        channel=ChannelRef(row.transport, row.channel_id, bool(p.get("direct"))), texts=p["texts"],
        choices=[Choice(*c) for c in p.get("choices", [])], in_reply_to=p.get("in_reply_to", ""),
        to_person=p.get("to_person", ""), ephemeral=p.get("ephemeral", False),
        meta={**p.get("meta", {}), "txn_id": row.txn_id},
        attachments=[Attachment(f, m, bytes.fromhex(d)) for f, m, d in p.get("attachments", [])])
