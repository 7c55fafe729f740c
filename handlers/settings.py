"""`einstellungen`: a short guided conversation for language, time zone and consent.

It is the first conversation of the engine and shows its parts: choices, validation,
skippable steps, `zurück`, and a confirmation that saves everything at once.
"""
from __future__ import annotations

from datetime import timedelta
from zoneinfo import available_timezones

from bot.conversations.engine import DONE, Conversation, ConversationEngine, ConvContext, Invalid, Step, match_choice, numbered
from bot.core.commands import Command, CommandRegistry, N_
from bot.core.context import Context
from bot.core.events import Choice
from bot.core.roles import Role
from storage.models import utcnow

YES = {"ja", "j", "yes", "y", "ok", "1"}
NO = {"nein", "n", "no", "2"}


def start(ctx: Context) -> None:
    assert ctx.person is not None
    person = ctx.person
    ctx.services.conversations.start(ctx, "settings", person, ctx.channel, data={
        "language": person.locale or ctx.services.settings.general.locale,
        "timezone": person.timezone or ctx.services.settings.general.timezone,
        "consent": person.publication_consent})


def _languages(cc: ConvContext) -> list[Choice]:
    return numbered([("de", "Deutsch"), ("en", "English")])


def _answer_language(cc: ConvContext, text: str) -> str:
    choice = match_choice(_languages(cc), text)
    if choice is None:
        raise Invalid(N_("Please answer with 1 (Deutsch) or 2 (English)."))
    cc.set(language=choice.value)
    cc.ctx.chosen_locale = choice.value  # the next question already in the chosen language
    return _next(cc, "timezone")


def _answer_timezone(cc: ConvContext, text: str) -> str:
    wanted = text.strip()
    if wanted.casefold() in ("unverändert", "unveraendert", "unchanged", "same", "="):
        return _next(cc, "consent")
    zones = {z.casefold(): z for z in available_timezones()}
    if wanted.casefold() not in zones:
        raise Invalid(N_("“{value}” is not a time zone. Write it like Europe/Berlin."), value=wanted[:60])
    cc.set(timezone=zones[wanted.casefold()])
    return _next(cc, "consent")


def _yes_no(cc: ConvContext) -> list[Choice]:
    return [Choice("ja", cc.ctx.t("yes"), "1"), Choice("nein", cc.ctx.t("no"), "2")]


def _answer_consent(cc: ConvContext, text: str) -> str:
    word = text.strip().casefold()
    if word not in YES | NO and match_choice(_yes_no(cc), text) is None:
        raise Invalid(N_("Please answer yes or no."))
    cc.set(consent=word in YES or word == cc.ctx.t("yes").casefold())
    return "confirm"


def _answer_confirm(cc: ConvContext, text: str) -> str:
    word = text.strip().casefold()
    if word in YES or word == cc.ctx.t("yes").casefold():
        return DONE
    target = {"sprache": "language", "language": "language", "zeitzone": "timezone",
              "timezone": "timezone", "zustimmung": "consent", "consent": "consent"}
    words = word.split()
    if len(words) == 2 and words[0] in ("ändern", "aendern", "change") and words[1] in target:
        cc.set(editing=True)  # after the change, come straight back to the summary
        return target[words[1]]
    raise Invalid(N_("Answer “ja” to save, or “ändern sprache|zeitzone|zustimmung” to change an answer."))


def _next(cc: ConvContext, step: str) -> str:
    return "confirm" if cc.data.get("editing") else step


def _summary(cc: ConvContext) -> dict[str, object]:
    return {"data": cc.data}


def _finish(cc: ConvContext) -> None:
    ctx, person = cc.ctx, cc.ctx.person
    assert person is not None
    new = {"locale": cc.data["language"], "timezone": cc.data["timezone"],
           "publication_consent": bool(cc.data["consent"])}
    old = {key: getattr(person, key) for key in new}
    for key, value in new.items():
        setattr(person, key, value)
    if old["publication_consent"] != new["publication_consent"]:
        person.consent_changed_at = utcnow()
    if old["locale"] != new["locale"]:
        from bot.privacy.sections import dm_channels

        ctx.uow.subscriptions.reader_language(dm_channels(person), new["locale"])
    ctx.uow.audit.record(person, "update_settings", "person", person.handle, old=old, new=new)
    ctx.reply("settings_saved", data=cc.data)


SETTINGS = Conversation("settings", (
    Step("language", "settings_language", _answer_language,
         N_("Choose the language I write to you in: 1 Deutsch, 2 English."), choices=_languages),
    Step("timezone", "settings_timezone", _answer_timezone,
         N_("Your time zone, like Europe/Berlin, or “unverändert”."), values=_summary, skippable=True),
    Step("consent", "settings_consent", _answer_consent,
         N_("May your name appear in public outputs (status page, feeds)? Answer yes or no."),
         choices=_yes_no),
    Step("confirm", "settings_confirm", _answer_confirm,
         N_("Answer “ja” to save, or “ändern sprache|zeitzone|zustimmung” to change an answer."),
         values=_summary),
), finish=_finish, timeout=timedelta(days=2), locale_key="language")


def register(registry: CommandRegistry, conversations: ConversationEngine) -> None:
    conversations.register(SETTINGS)
    registry.register(Command(
        "settings", {"de": ("einstellungen",), "en": ("settings",)},
        N_("Set your language, time zone and publication consent, step by step."), start,
        role=Role.FOLLOWER, where="dm"))
