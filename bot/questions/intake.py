"""Taking a submission from the public form: every check before anything is stored.

A refusal names every problem in German (the page's language) and keeps what was entered;
nothing of a refused submission is written anywhere."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.commands import N_
from bot.core.i18n import SUPPORTED
from bot.core.text_safety import BIDI_CONTROLS, CONTROL, one_line, visible, without_bidi  # noqa: F401 - names callers use
from storage.models import PublicQuestion, Recommendation

if TYPE_CHECKING:
    from bot.core.context import Services
    from storage.uow import UnitOfWork

FIELDS = ("text", "name", "email", "show_name", "consent", "website", "token", "empfehlung", "sprache")
HONEYPOT = "website"
MAX_EMAIL = 254
MAX_BODY = 64 * 1024  # bytes of a whole form post
_EMAIL = re.compile(r"[^@\s<>\"',;]+@[^@\s<>\"',;]+\.[^@\s<>\"',;.]{2,}")
TEXT_FIELDS = ("text", "name", "email", "empfehlung")
_CONTROL = CONTROL
UNDECODABLE = "\ufffd"  # what decoding made of bytes that are not UTF-8 (F3a)


def text_of(values: dict[str, str]) -> str:
    return without_bidi(values.get("text", "")).strip()


@dataclass
class FormState:
    """What the form shows: the values entered and the problems found (field → message)."""

    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)  # "" = a problem of the whole form
    status: int = 400
    served_at: str | None = None  # the URL path the refusal is answered at (bot.public.site)

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def checked(self, name: str) -> bool:
        return bool(self.values.get(name))


def values_from(form: dict[str, str]) -> dict[str, str]:
    # \r\n from browsers counts as one line break, as the user sees it
    return {k: str(form.get(k, "")).replace("\r\n", "\n") for k in FIELDS}


class Intake:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.cfg = services.settings.questions

    def t(self, message: str, **values: object) -> str:
        return self.tl(self.services.settings.general.locale, message, **values)

    def tl(self, locale: str, message: str, **values: object) -> str:
        return self.services.translations.gettext(locale, message, **values)

    def locale(self, values: dict[str, str]) -> str:
        """The language of the page the form was sent from (its hidden field `sprache`)."""
        chosen = values.get("sprache", "")
        return chosen if chosen in SUPPORTED else self.services.settings.general.locale

    def refused(self, values: dict[str, str], errors: dict[str, str], status: int = 400) -> FormState:
        kept = {k: v for k, v in values.items() if k not in ("token", HONEYPOT)}
        return FormState(kept, errors, status)

    def check(self, uow: UnitOfWork, values: dict[str, str], csrf_ok: bool, sender: str,
              now: datetime) -> FormState | Recommendation | None:
        """The recommendation asked about (None: the overview), or the refusal — in the page's language."""
        lang = self.locale(values)
        if not csrf_ok:
            return self.refused(values, {"": self.tl(lang, N_(
                "The form had expired or did not come from this page, so nothing was sent. Please check "
                "your text and send it again (your browser must accept the cookie of this page)."))}, 403)
        if values.get(HONEYPOT, "").strip():
            return self.refused(values, {"": self.tl(lang, N_(
                "The form was not accepted because the field “Website”, which must stay empty, was filled "
                "in. Nothing was sent. Please leave that field empty and send again."))})
        errors = self._fields(values, lang)
        rec = None
        code = values.get("empfehlung", "").strip()
        if code:
            rec = uow.catalog.recommendation(code)
            if rec is None:
                errors["empfehlung"] = self.tl(lang, N_("There is no recommendation {code}."), code=code[:20])
        if errors:
            return self.refused(values, errors)
        since = now - timedelta(minutes=self.cfg.rate_window_minutes)
        count = uow.questions.recent_from(sender, since)
        if count >= self.cfg.rate_limit:
            return self.refused(values, {"": self.tl(lang, N_(
                "From your address, {count} questions arrived within the last {minutes} minutes – the most "
                "we accept. Nothing was sent. Please try again later."),
                count=count, minutes=self.cfg.rate_window_minutes)}, 429)
        return rec

    def _fields(self, values: dict[str, str], lang: str) -> dict[str, str]:
        errors: dict[str, str] = {}
        for name in TEXT_FIELDS:
            value = values.get(name, "")
            if _CONTROL.search(value):
                errors[name] = self.tl(lang, N_("This field contains control characters, which cannot be shown. "
                                         "Please remove them (or type the text again)."))
            elif UNDECODABLE in value:
                errors[name] = self.tl(lang, N_("This field contains characters that could not be read (the "
                                         "form was not sent as UTF-8). Please type the text again."))
        # one problem per field: a field refused above keeps that message
        text = values.get("text", "").strip()
        if not visible(text):
            errors.setdefault("text", self.tl(lang, N_("Please write your question or comment.")))
        elif len(text) > self.cfg.max_text:
            errors.setdefault("text", self.tl(lang, N_("Your text has {length} characters; at most {limit} are "
                                                "possible. Please shorten it."),
                                             length=len(text), limit=self.cfg.max_text))
        if len(values.get("name", "").strip()) > self.cfg.max_name:
            errors.setdefault("name", self.tl(lang, N_("The name may have at most {limit} characters."),
                                             limit=self.cfg.max_name))
        email = values.get("email", "").strip()
        if email and (len(email) > MAX_EMAIL or not _EMAIL.fullmatch(email)):
            errors.setdefault("email", self.tl(lang, N_("This is not an e-mail address. Please correct it or leave "
                                                 "the field empty.")))
        if not values.get("consent"):
            errors["consent"] = self.tl(lang, N_("Please agree to the data-protection notice; without it we cannot "
                                          "accept your question."))
        return errors

    def store(self, uow: UnitOfWork, values: dict[str, str], rec: Recommendation | None, sender: str,
              now: datetime) -> PublicQuestion:
        # a name is one line: a browser's text input cannot send a line break or a tab, so one in
        # a name is hostile — it faked further lines in a coordinator's notice (sec2 F9)
        name = " ".join(one_line(values.get("name", "")).split())  # "" when nothing visible is left
        question = PublicQuestion(
            recommendation_id=rec.id if rec else None, text=text_of(values), name=name,
            show_name=bool(name and values.get("show_name")), email=values.get("email", "").strip() or None,
            consent_at=now, sender_key=sender, state="new", created_at=now, updated_at=now)
        uow.questions.add(question)
        uow.flush()
        return question
