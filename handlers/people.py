"""People from chat (issue #17, deliver 7): the office adds, links and changes people without a
catalog import; someone the bot does not know says who they are and the office confirms.

`person anlegen @handle "Name" [E-Mail] [Organisation]`, `person verknüpfen @handle matrix:@x:server`,
`person ändern @handle name|email|organisation|sprache|zeitzone <Wert>`, `ich bin @handle`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.conversations.engine import ConversationEngine
from bot.core.argtypes import ArgError, Text
from bot.core.commands import Arg, Command, CommandRegistry, N_
from bot.core.context import Context
from bot.core.roles import Role
from bot.rounds.service import office_channels
from storage.models import Identity, Person

_HANDLE = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
# a recommendation's code (hf2-04), not a person; @neu2 or @meier1 are ordinary handles (rounds2 F3)
_LIKE_CODE = re.compile(r"[a-z]{1,6}\d{1,3}(-\d{1,3}[a-z]?)+")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
TRANSPORTS = ("matrix", "slack", "console")
FIELDS = {"name": "name", "email": "email", "e-mail": "email", "mail": "email", "organisation": "org_unit",
          "organization": "org_unit", "einheit": "org_unit", "unit": "org_unit", "sprache": "locale",
          "language": "locale", "zeitzone": "timezone", "timezone": "timezone"}


@dataclass(frozen=True)
class NewHandle:
    """A handle for a person: `@name` or `name`, lower case letters, digits, _ . -"""

    def parse(self, raw: str, today: date) -> str:
        handle = raw.strip().removeprefix("@").lower()
        if not _HANDLE.fullmatch(handle):
            raise ArgError(N_("“{value}” is not a handle; use letters, digits and _ . - like @mueller."),
                           value=raw[:40])
        if _LIKE_CODE.fullmatch(handle):
            raise ArgError(N_("“{value}” reads like a recommendation's code; choose another handle, like @mueller."),
                           value=raw[:40])
        return handle


@dataclass(frozen=True)
class Account:
    """An account on a transport: matrix:@user:server, slack:U123ABC, console:name (or @user:server)."""

    def parse(self, raw: str, today: date) -> tuple[str, str]:
        value = raw.strip()
        if value.startswith("@") and ":" in value:
            return "matrix", value
        transport, sep, external = value.partition(":")
        if sep and transport.casefold() in TRANSPORTS and external:
            return transport.casefold(), external
        raise ArgError(N_("“{value}” is not an account; write it like matrix:@name:server or slack:U0123ABC."),
                       value=raw[:60])


def create(ctx: Context, handle: str, name: str, more: str | None = None) -> None:
    words = (more or "").split()
    email = words[0] if words and "@" in words[0] else None
    org = " ".join(words[1 if email else 0:]).strip()
    name = name.strip()
    if not name or len(name) > 200:
        ctx.notice("Give the name in quotes, like: person anlegen @mueller \"Eva Müller\" eva@stadt.de Sozialamt")
        return
    if email is not None and not _EMAIL.fullmatch(email):
        ctx.notice("“{value}” is not an e-mail address.", value=email[:60])
        return
    existing = ctx.uow.people.by_handle(handle)
    if existing is not None:
        ctx.notice("@{handle} exists already ({name}); “person ändern @{handle} …” changes it.",
                   handle=handle, name=existing.name)
        return
    person = ctx.uow.people.add(Person(handle=handle, name=name, email=email, org_unit=org[:200]))
    ctx.uow.flush()
    ctx.uow.audit.record(ctx.person, "person_create", "person", handle, new={"name": name, "org": org})
    ctx.reply("person_created", person=person)


def link(ctx: Context, handle: str, account: tuple[str, str]) -> None:
    transport, external = account
    person = ctx.uow.people.by_handle(handle)
    if person is None:
        ctx.notice("I do not know @{handle}. Add them first with “person anlegen @{handle} \"Name\"”.",
                   handle=handle)
        return
    owner = ctx.uow.people.by_identity(transport, external)
    if owner is not None and owner.id != person.id:
        ctx.notice("{account} belongs to {name} (@{handle}) already; nothing was changed.",
                   account=f"{transport}:{external}", name=owner.name, handle=owner.handle)
        return
    if owner is not None:
        ctx.notice("{account} is linked to {name} already.", account=f"{transport}:{external}", name=person.name)
        return
    current = next((i for i in person.identities if i.transport == transport), None)
    old = current.external_id if current else None
    if current is not None:
        current.external_id, current.dm_channel = external, None
    else:
        person.identities.append(Identity(transport=transport, external_id=external))
    ctx.uow.flush()
    ctx.uow.audit.record(ctx.person, "person_link", "person", handle, old=old, new=f"{transport}:{external}")
    ctx.reply("person_linked", person=person, account=f"{transport}:{external}", replaced=old)
    ctx.send_to_person(person, "person_welcome", who=person.name)  # sent at once, with this answer


def edit(ctx: Context, handle: str, field: str, value: str) -> None:
    person = ctx.uow.people.by_handle(handle)
    key = FIELDS.get(field.casefold())
    if person is None:
        ctx.notice("I do not know @{handle}.", handle=handle)
        return
    if key is None:
        ctx.notice("“{value}” cannot be changed; choose name, email, organisation, sprache or zeitzone.",
                   value=field[:40])
        return
    new = value.strip()
    if key == "email" and not _EMAIL.fullmatch(new):
        ctx.notice("“{value}” is not an e-mail address.", value=value[:60])
        return
    if key == "locale":
        new = {"deutsch": "de", "englisch": "en", "english": "en", "german": "de"}.get(new.casefold(), new.casefold())
        if new not in ("de", "en"):
            ctx.notice("The language is de or en.")
            return
    if key == "timezone":
        try:
            ZoneInfo(new)
        except (ZoneInfoNotFoundError, ValueError):
            ctx.notice("“{value}” is no time zone; write it like Europe/Berlin.", value=value[:40])
            return
    old = getattr(person, key)
    setattr(person, key, new)
    if key == "locale" and new:
        from bot.privacy.sections import dm_channels

        ctx.uow.subscriptions.reader_language(dm_channels(person), new)
    ctx.uow.audit.record(ctx.person, "person_edit", "person", handle, field=key, old=old, new=new)
    ctx.reply("person_changed", person=person, field=field.casefold(), old=old, new=new)


def claim(ctx: Context, handle: str) -> None:
    """`ich bin @handle` from an account the bot does not know: the office is asked to confirm."""
    account = f"{ctx.channel.transport}:{ctx.message.sender.id}"
    if ctx.person is not None:
        ctx.notice("I know you already as {name} (@{handle}); this account is linked already.",
                   name=ctx.person.name, handle=ctx.person.handle)
        return
    person = ctx.uow.people.by_handle(handle)
    for channel in office_channels(ctx):
        ctx.send(channel, "person_claim", ctx.services.settings.general.locale, account=account, handle=handle,
                 person=person)
    ctx.uow.audit.record(None, "person_claim", "person", handle, account=account)
    ctx.reply("person_claim_sent", handle=handle, known=person is not None)


def register(registry: CommandRegistry, conversations: ConversationEngine) -> None:
    who = Arg("handle", NewHandle(), {"de": "@Kürzel", "en": "@handle"})
    for command in (
        Command("person_create", {"de": ("person anlegen",), "en": ("person create", "person add")},
                N_("Add a person: handle, name in quotes, then e-mail and organisation if known."), create,
                args=(who, Arg("name", Text(), {"de": "\"Name\"", "en": "\"name\""}),
                      Arg("more", Text(), {"de": "E-Mail Organisation", "en": "e-mail organisation"},
                          required=False, rest=True)),
                role=Role.COORDINATOR, group="admin",
                examples=("person anlegen @mueller \"Eva Müller\" eva.mueller@stadt.de Sozialamt",)),
        Command("person_link", {"de": ("person verknüpfen", "person verknuepfen"), "en": ("person link",)},
                N_("Link a chat account (Matrix, Slack) to a person, e.g. after “ich bin @name”."), link,
                args=(who, Arg("account", Account(), {"de": "Konto", "en": "account"})),
                role=Role.COORDINATOR, group="admin",
                examples=("person verknüpfen @mueller matrix:@eva:stadt.de",)),
        Command("person_edit", {"de": ("person ändern", "person aendern"), "en": ("person edit",)},
                N_("Change a person's name, e-mail, organisation, language or time zone."), edit,
                args=(who, Arg("field", Text(), {"de": "name|email|organisation|sprache|zeitzone",
                                                 "en": "name|email|organisation|language|timezone"}),
                      Arg("value", Text(), {"de": "Wert", "en": "value"}, rest=True)),
                role=Role.COORDINATOR, group="admin", examples=("person ändern @mueller email eva@stadt.de",)),
        Command("person_claim", {"de": ("ich bin",), "en": ("i am",)},
                N_("Tell the office who you are, if I do not know you yet; they confirm it."), claim,
                args=(Arg("handle", NewHandle(), {"de": "@Kürzel", "en": "@handle"}),),
                role=Role.UNKNOWN, group="general", examples=("ich bin @mueller",)),
    ):
        registry.register(command)
