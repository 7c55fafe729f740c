"""GDPR from chat: `person export @x` and `meine daten` (all data as a JSON file by DM),
`person löschen @x` (with a confirmation), `zustimmung ja|nein` (publication consent)."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.conversations.engine import DONE, Conversation, ConversationEngine, ConvContext, Invalid, Step
from bot.core.argtypes import ArgError, PersonMention
from bot.core.commands import Arg, Command, CommandRegistry, N_
from bot.core.context import Context
from bot.core.events import Attachment
from bot.core.roles import Role
from bot.privacy import service
from storage.models import Person

YES = {"ja", "j", "yes", "y"}
NO = {"nein", "n", "no"}


class YesNo:
    def parse(self, raw: str, today: date) -> bool:
        word = raw.strip().casefold()
        if word not in YES | NO:
            raise ArgError(N_("Please answer yes or no."))
        return word in YES


def _find(ctx: Context, ref: str) -> Person | None:
    transport, sep, external = ref.partition(":")
    found = ctx.uow.people.by_identity(transport, external) if sep else ctx.uow.people.by_handle(ref)
    if found is None or found.anonymized_at is not None:
        ctx.notice("I do not know {name}. Mention someone the office has added.", name=ref[:40])
        return None
    return found


def _send_export(ctx: Context, person: Person) -> None:
    assert ctx.person is not None
    data, counts = service.export(ctx.uow, person, ctx.now())
    file = Attachment(f"sachstand-daten-{person.handle}.json", "application/json", data)
    values: dict[str, Any] = {"who": person.name, "handle": person.handle, "counts": counts, "size": len(data)}
    if ctx.channel.direct:
        ctx.send(ctx.channel, "privacy_export", ctx.locale, attachments=[file], in_reply_to=ctx.message.event_id,
                 to_person=ctx.message.sender.id if not ctx.channel.id else "", **values)
    elif ctx.send_to_person(ctx.person, "privacy_export", attachments=[file], **values) is not None:
        ctx.notice("I have sent it to you by direct message.")
    ctx.uow.audit.record(ctx.person, "export_person", "person", person.handle, sections=len(counts))


def export_person(ctx: Context, person: str) -> None:
    found = _find(ctx, person)
    if found is not None:
        _send_export(ctx, found)


def my_data(ctx: Context) -> None:
    assert ctx.person is not None
    _send_export(ctx, ctx.person)


def erase_person(ctx: Context, person: str) -> None:
    assert ctx.person is not None
    found = _find(ctx, person)
    if found is None:
        return
    if found.id == ctx.person.id:
        ctx.notice("You cannot erase yourself; ask another coordinator.")
        return
    ctx.services.conversations.start(ctx, "erase_person", ctx.person, ctx.channel,
                                     data={"person_id": found.id, "name": found.name, "handle": found.handle})


def _confirm_text(cc: ConvContext) -> dict[str, object]:
    return {"text": cc.ctx.t("Erase {name} (@{handle})? Their identities, contact details, memberships, "
                             "consent, subscriptions and conversations are deleted; their answers and history "
                             "entries stay with the author “{anonymous}”. This cannot be undone. "
                             "Answer “ja” to erase, or “abbrechen”.", name=cc.data["name"],
                             handle=cc.data["handle"], anonymous=service.ANONYMOUS)}


def _answer_confirm(cc: ConvContext, text: str) -> str:
    if text.strip().casefold() in YES:
        return DONE
    raise Invalid(N_("Answer “ja” to erase, or “abbrechen”."))


def _finish(cc: ConvContext) -> None:
    ctx = cc.ctx
    person = ctx.uow.session.get(Person, cc.data["person_id"])
    name = cc.data["name"]
    cc.state.data = {"person_id": cc.data["person_id"]}  # the finished confirmation keeps no name
    if person is None or person.anonymized_at is not None:
        ctx.notice("{name} has been erased already.", name=name)
        return
    done = service.erase(ctx.uow, person, ctx.now())
    ctx.uow.audit.record(ctx.person, "erase_person", "person", person.handle, **done)
    # the reply stays in the outbox: it names the person no more than the history does
    ctx.notice("Erased. In the history the person now appears as “{anonymous}” ({handle}).",
               anonymous=service.ANONYMOUS, handle=person.handle)


ERASE = Conversation("erase_person", (
    Step("confirm", "notice", _answer_confirm, N_("Answer “ja” to erase, or “abbrechen”."),
         values=_confirm_text),
), finish=_finish, timeout=timedelta(hours=1), on_cancel=N_("Cancelled. Nothing was erased."))


CONSENT_SHOWN = {True: N_("Your name appears in public outputs: yes. Withdraw with “zustimmung nein”."),
                 False: N_("Your name appears in public outputs: no (your unit is shown). "
                           "Give consent with “zustimmung ja”.")}
CONSENT_SAVED = {True: N_("Saved: your name appears in public outputs (status page, feed, JSON, OParl, calendars)."),
                 False: N_("Saved: your name no longer appears in any public output; your unit is shown instead.")}


def consent(ctx: Context, answer: bool | None = None) -> None:
    person = ctx.person
    assert person is not None
    if answer is None:
        ctx.notice(CONSENT_SHOWN[person.publication_consent])
        return
    old = person.publication_consent
    if service.set_consent(person, answer, ctx.now()):
        ctx.uow.audit.record(person, "set_consent", "person", person.handle, old=old, new=answer)
    ctx.notice(CONSENT_SAVED[answer])


def register(registry: CommandRegistry, conversations: ConversationEngine) -> None:
    conversations.register(ERASE)
    who = Arg("person", PersonMention(), {"de": "@Person", "en": "@person"})
    for command in (
        Command("person_export", {"de": ("person export", "person exportieren"), "en": ("person export",)},
                N_("All data about a person as a JSON file, sent to you by direct message (GDPR)."),
                export_person, args=(who,), role=Role.COORDINATOR, group="admin",
                examples=("person export @testmann",)),
        Command("my_data", {"de": ("meine daten",), "en": ("my data",)},
                N_("All data I hold about you as a JSON file, by direct message."), my_data,
                role=Role.FOLLOWER, group="admin"),
        Command("person_erase", {"de": ("person löschen", "person loeschen"), "en": ("person erase",)},
                N_("Erase a person: contact and identities removed, history kept with an anonymous author."),
                erase_person, args=(who,), role=Role.COORDINATOR, where="dm", group="admin",
                examples=("person löschen @probe",)),
        Command("consent", {"de": ("zustimmung",), "en": ("consent",)},
                N_("Give or withdraw your consent to your name in public outputs."), consent,
                args=(Arg("answer", YesNo(), {"de": "ja|nein", "en": "yes|no"}, required=False),),
                role=Role.FOLLOWER, group="admin", examples=("zustimmung nein",)),
    ):
        registry.register(command)
