"""Sending one rendered message to a room: the notice, its choices and its attachments.

- Choices in an encrypted room are a native poll (polls.py): the vote travels encrypted.
  Elsewhere they are keycap reactions on the message, as before. Either way the question is
  remembered in the database (memory.py) as the room's open one of its topic (meta "asks": ""
  for a conversation's step, "rsvp:7" for a meeting's attendance, …): a new question replaces
  only the open one of its own topic, so an invitation does not end the step being answered.
- In a direct room a reply without choices closes the step's open question (the step was
  answered; a notification on its own, such as a changed meeting, is no answer), unless the step
  is still open (meta "step_open": a refused answer, whose poll stays the one to vote in).
  Questions of other topics stay open until a message closes their topic (meta "closes": the
  invitation closes the date poll, a cancellation the attendance poll). In a body's room only a
  new question replaces one (a reply to someone's command there must not end the date poll
  everybody votes in). A closed poll is ended on the platform (m.poll.end), so Element shows it
  as ended; an end that failed is sent with the room's next message.
- Images carry their width, height and a thumbnail, encrypted like the image in an encrypted room.
"""
from __future__ import annotations

import hashlib
import io
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from nio import AsyncClient, UploadResponse

from bot.core.events import Attachment, OutgoingMessage

from . import polls
from .content import message_content, reaction_content
from .media import image_info
from .memory import QuestionMemory
from .session import MatrixError

log = logging.getLogger(__name__)
RoomSend = Callable[[AsyncClient, str, str, dict[str, Any], "str | None"], Awaitable[str]]


class Sender:
    def __init__(self, room_send: RoomSend, memory: QuestionMemory, secret: Callable[[], bytes]) -> None:
        self.room_send = room_send
        self.memory = memory
        self.secret = secret

    async def send(self, client: AsyncClient, room_id: str, message: OutgoingMessage, reply_to: str,
                   encrypted: bool) -> str:
        txn_id = str(message.meta.get("txn_id") or "")
        event_id = await self.room_send(client, room_id, "m.room.message", message_content(message, reply_to),
                                        txn_id or None)
        topic = str(message.meta.get("asks") or "")
        if message.choices and encrypted:
            choices = polls.offered(message.choices)
            ids = polls.answer_ids(self.secret(), txn_id, len(choices))
            question = polls.poll_question(message.text("plain"))
            poll_id = await self.room_send(client, room_id, polls.START[0],
                                           polls.start_content(question, choices, ids),
                                           f"{txn_id}-p" if txn_id else None)
            await self.memory.ask(room_id, poll_id, choices, ids,
                                  polls.end_text(str(message.meta.get("poll_closed") or ""), question), topic)
        elif message.choices:
            for i, choice in enumerate(c for c in message.choices if c.key):
                await self.room_send(client, room_id, "m.reaction", reaction_content(event_id, choice.key),
                                     f"{txn_id}-r{i}" if txn_id else None)
            await self.memory.ask(room_id, event_id, message.choices, topic=topic)
        elif message.channel is not None and message.channel.direct and message.in_reply_to \
                and not message.meta.get("step_open"):
            await self.memory.close(room_id)  # the step was answered (a notice on its own is no answer)
        for closed in message.meta.get("closes") or ():  # e.g. the date poll, once the meeting is fixed
            await self.memory.close(room_id, str(closed))
        for i, attachment in enumerate(message.attachments):
            await self.send_file(client, room_id, attachment, f"{txn_id}-a{i}" if txn_id else None, encrypted)
        await self.end_polls(client, room_id)
        return event_id

    async def end_polls(self, client: AsyncClient, room_id: str) -> None:
        for poll in await self.memory.polls_to_end(room_id):
            txn = "end-" + hashlib.sha256(poll.event_id.encode()).hexdigest()[:32]
            try:
                await self.room_send(client, room_id, polls.END[0], polls.end_content(poll.event_id, poll.text),
                                     txn)
            except Exception as exc:  # ended with the room's next message; the vote is ignored meanwhile
                log.warning("matrix: could not end the poll %s in %s: %s", poll.event_id, room_id, exc)
                return
            await self.memory.ended(poll.event_id)

    async def send_file(self, client: AsyncClient, room_id: str, attachment: Attachment, txn_id: str | None,
                        encrypted: bool) -> None:
        """An attachment (a digest's chart, an invitation's .ics): uploaded, encrypted in an
        encrypted room, and sent as m.image (with size and thumbnail) or m.file."""
        is_image = attachment.mimetype.startswith("image/")
        content: dict[str, Any] = {"msgtype": "m.image" if is_image else "m.file",
                                   "body": attachment.filename, "filename": attachment.filename}
        info: dict[str, Any] = {"mimetype": attachment.mimetype, "size": len(attachment.data)}
        content.update(await self._upload(client, attachment.data, attachment.mimetype, attachment.filename,
                                          encrypted, "file", "url"))
        meta = image_info(attachment.data) if is_image else None
        if meta is not None:
            info.update(w=meta.width, h=meta.height)
            info.update(await self._upload(client, meta.thumbnail, meta.thumbnail_mimetype,
                                           "thumbnail.png", encrypted, "thumbnail_file", "thumbnail_url"))
            info["thumbnail_info"] = {"w": meta.thumbnail_width, "h": meta.thumbnail_height,
                                      "mimetype": meta.thumbnail_mimetype, "size": len(meta.thumbnail)}
        content["info"] = info
        await self.room_send(client, room_id, "m.room.message", content, txn_id)

    async def _upload(self, client: AsyncClient, data: bytes, mimetype: str, filename: str, encrypt: bool,
                      file_key: str, url_key: str) -> dict[str, Any]:
        resp, keys = await client.upload(io.BytesIO(data), content_type=mimetype, filename=filename,
                                         encrypt=encrypt, filesize=len(data))
        if not isinstance(resp, UploadResponse):
            raise MatrixError(f"upload of {filename} failed: {resp}")
        if encrypt and keys:
            return {file_key: {**keys, "url": resp.content_uri}}
        return {url_key: resp.content_uri}
