"""What a handler gets: the unit of work, who is speaking, where, and how to answer."""
from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from storage.models import OutboxMessage, Person, utcnow

from .commands import N_
from .events import Attachment, ChannelRef, Choice, IncomingMessage, OutgoingMessage
from .outbox_rows import to_row
from .roles import Standing

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.conversations.engine import ConversationEngine
    from bot.rendering import Renderer
    from storage.uow import UnitOfWork, UnitOfWorkFactory

    from .commands import CommandRegistry
    from .i18n import Translations

POLL_CLOSED = N_("Poll closed")  # what an ended poll (Matrix) says before its question


@dataclass(frozen=True)
class Services:
    """Everything handlers may use; built once in bot/app.py and passed in (no globals)."""

    settings: Settings
    uow_factory: UnitOfWorkFactory
    renderer: Renderer
    translations: Translations
    registry: CommandRegistry
    conversations: ConversationEngine
    formats: dict[str, tuple[str, ...]] = field(default_factory=dict)  # transport → formats
    # how a channel offers choices: "poll" (an encrypted Matrix room), "reaction", "button", or ""
    # (typed only); templates say what to do accordingly
    choice_style: Callable[[ChannelRef], str] = field(default=lambda channel: "")
    clock: Callable[[], datetime] = utcnow
    # ask the app to run a background job soon (e.g. "rounds" after a round opened)
    wake: Callable[[str], None] = field(default=lambda name: None)


class Context:
    def __init__(self, services: Services, uow: UnitOfWork, message: IncomingMessage,
                 person: Person | None, standing: Standing) -> None:
        self.services = services
        self.uow = uow
        self.message = message
        self.person = person
        self.standing = standing
        self.outgoing: list[OutboxMessage] = []
        self.bulk = False  # set for fan-out work: its messages yield to answers to people
        self.command = ""  # what the event turned out to be, for the structured log line
        # the language this person just chose in a conversation, before it is saved (`einstellungen`)
        self.chosen_locale: str | None = None
        self.step_open = False  # what is sent leaves the conversation's open step (and its poll) open

    # -- who, where, when --------------------------------------------------------------
    @property
    def locale(self) -> str:
        if self.chosen_locale:
            return self.services.translations.normalise(self.chosen_locale)
        if self.message.kind in ("action", "reaction", "late") and not self.message.channel.direct:
            return self.room_locale  # a click in a room carries no words; what answers it is for the room
        return self.locale_of(self.person)

    @property
    def room_locale(self) -> str:
        """The language of a body's room: the office's (its invitation and polls are in it too)."""
        return self.services.translations.normalise(self.services.settings.general.locale)

    def locale_of(self, person: Person | None) -> str:
        chosen = person.locale if person and person.locale else self.services.settings.general.locale
        return self.services.translations.normalise(chosen)

    @property
    def tz(self) -> str:
        if self.person and self.person.timezone:
            return self.person.timezone
        return self.services.settings.general.timezone

    @property
    def channel(self) -> ChannelRef:
        return self.message.channel

    def now(self) -> datetime:
        return self.services.clock()

    def today(self) -> date:
        return self.now().astimezone(ZoneInfo(self.tz)).date()

    def t(self, message: str, **values: object) -> str:
        """A translated sentence; a date or time among its values is written in the reader's
        format (finding F20: "deadline 15.02.2027" in an English sentence)."""
        return self.services.translations.gettext(self.locale, message, **self._shown(values))

    def _shown(self, values: dict[str, object]) -> dict[str, object]:
        from .i18n import Formats

        if not any(isinstance(v, date) for v in values.values()):
            return values
        formats = Formats(self.locale)
        return {k: formats.datetime(v, self.tz) if isinstance(v, datetime) else
                formats.date(v) if isinstance(v, date) else v for k, v in values.items()}

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        """A counted message (`{n}` is the count): "1 entry", "2 entries" in every language."""
        return self.services.translations.ngettext(self.locale, singular, plural, n, **self._shown(values))

    # -- answering ---------------------------------------------------------------------
    def reply(self, template: str, choices: list[Choice] | None = None, **values: Any) -> None:
        """Answer in the channel the message came from, in the speaker's language."""
        # a DM the bot opens itself may not have an id yet: the outbox opens it for the person
        to_person = self.message.sender.id if self.channel.direct and not self.channel.id else ""
        self.send(self.channel, template, self.locale, choices=choices,
                  in_reply_to=self.message.event_id, to_person=to_person, bulk=self.bulk, **values)

    def notice(self, message: str, **values: object) -> None:
        """A one-line answer from a translatable string, rendered through a template."""
        self.reply("notice", text=self.t(message, **values))

    def send(self, channel: ChannelRef, template: str, locale: str, *,
             choices: list[Choice] | None = None, in_reply_to: str = "", to_person: str = "",
             bulk: bool = False, attachments: list[Attachment] | None = None, asks: str = "",
             step_open: bool = False, closes: Sequence[str] = (), tz: str | None = None,
             **values: Any) -> OutboxMessage:
        """`asks`: what the choices ask about ("" a conversation's step, "rsvp:7" a meeting's
        attendance, …): a transport that remembers open questions (Matrix polls) replaces only the
        open one of the same topic. `step_open`: the step is still unanswered (a refused answer),
        so its open question stays open. `closes`: topics whose open question is over with this
        message (the date poll, once the meeting is fixed)."""
        formats = self.services.formats.get(channel.transport, ("plain",))
        style = self.services.choice_style(channel) if choices else ""
        texts = self.services.renderer.render_all(template, formats, locale, tz or self.tz,
                                                  choices=choices or [], choice_style=style, **values)
        meta: dict[str, Any] = {"template": template, "locale": locale}  # transports style by kind
        if choices:  # what an ended poll says, in the language it was asked in
            meta.update(asks=asks, poll_closed=self.services.translations.gettext(locale, POLL_CLOSED))
        if step_open or self.step_open:
            meta["step_open"] = True
        if closes:
            meta["closes"] = list(closes)
        msg = OutgoingMessage(channel=channel, texts=texts, choices=choices or [],
                              in_reply_to=in_reply_to, to_person=to_person, attachments=attachments or [],
                              meta=meta)
        return self._enqueue(msg, bulk)

    def send_to_person(self, person: Person, template: str, *, choices: list[Choice] | None = None,
                       attachments: list[Attachment] | None = None, asks: str = "",
                       closes: Sequence[str] = (), **values: Any) -> OutboxMessage | None:
        """A direct message, on the transport the person is reachable on (this one first)."""
        transport = self._transport_for(person)
        if transport is None:
            return None
        ident = next(i for i in person.identities if i.transport == transport)
        channel = ChannelRef(transport, ident.dm_channel or "", direct=True)
        return self.send(channel, template, self.locale_of(person), choices=choices,
                         to_person=ident.external_id, bulk=self.bulk, attachments=attachments, asks=asks,
                         closes=closes, tz=person.timezone or self.services.settings.general.timezone,
                         **values)  # in the reader's time zone, not the sender's (rounds2 F10)

    def _transport_for(self, person: Person) -> str | None:
        running = [self.channel.transport, *self.services.formats]
        have = {i.transport for i in person.identities}
        return next((t for t in running if t in have), None)

    def _enqueue(self, msg: OutgoingMessage, bulk: bool = False) -> OutboxMessage:
        row = to_row(msg, uuid.uuid4().hex, self.now(), priority=1 if bulk else 0)
        self.uow.session.add(row)
        self.outgoing.append(row)
        return row
