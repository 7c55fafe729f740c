"""Every word a person is told to type is in their language (issue #17, deliver 3).

Two checks, both over everything a person can be shown:
- the catalogs: every message, as an English reader sees it (msgstr, else the msgid) and as a
  German reader sees it, is searched for quoted words to type (“…”, „…“, `…`); a German command
  word in English text fails, and an English one in German text;
- the templates: each one rendered in both languages with placeholder values, the same check on
  the literal text around the messages (this covers templates being edited by others too).
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from jinja2 import Undefined

from bot.conversations.engine import FALLBACKS, ConversationEngine
from bot.core.commands import CommandRegistry
from bot.core.i18n import LOCALE_DIR, Translations
from bot.rendering import Renderer
from handlers import register_all

ROOT = Path(__file__).resolve().parents[2]
_QUOTED = re.compile(r"[“„`«‚‘\"]([^”“`»‘’\"]{1,60})[”“`»’\"]")
# Words typed in a conversation or answer that are no command of their own.
CONVERSATION = {
    "de": {"zurück", "abbrechen", "überspringen", "unverändert", "ja", "nein", "keine", "später", "abwesend",
           "übergeben", "ändern", "hilfe", "korrigieren", "zusagen", "absagen", "vielleicht", "fortschritt",
           "kennzahlen", "geschehen", "schritte", "hindernisse", "zusammenfassung", "veröffentlichen",
           "sprache", "zeitzone", "zustimmung", "zeit", "keine meldung"},
    "en": {"back", "cancel", "skip", "unchanged", "same", "yes", "no", "none", "later", "away", "hand",
           "change", "help", "correct", "accept", "decline", "maybe", "progress", "metrics", "happened",
           "steps", "blockers", "summary", "publish", "language", "timezone", "consent", "time", "no report",
           "status"},
}


def _vocabulary() -> dict[str, set[str]]:
    registry, conversations = CommandRegistry(), ConversationEngine()
    register_all(registry, conversations)
    words: dict[str, set[str]] = {"de": set(CONVERSATION["de"]), "en": set(CONVERSATION["en"])}
    for command in registry:
        for locale in ("de", "en"):
            for alias in command.aliases.get(locale, ()):
                words[locale].add(alias.casefold())
                words[locale].add(alias.split()[0].casefold())
        words["en"].add(command.name.replace("_", " "))
    shared = words["de"] & words["en"]  # the same in both (status, liste?) is no mistake
    return {locale: ws - shared - {"?"} for locale, ws in words.items()}


VOCABULARY = _vocabulary()
OTHER = {"de": "en", "en": "de"}


# A list of words to choose from, quoted or not: "(status, fortschritt, kennzahlen)", "de|en".
_LIST = re.compile(r"[\w\-äöüß]+(?:\s*[,|]\s*[\w\-äöüß]+)+")


def foreign_words(text: str, locale: str) -> list[str]:
    """Words to type that belong to the other language: quoted ones, and lists of them."""
    other = VOCABULARY[OTHER[locale]]
    found = []
    for quoted in _QUOTED.findall(text):
        phrase = quoted.strip().casefold()
        first_two = " ".join(phrase.split()[:2])
        head = phrase.split()[0] if phrase.split() else ""
        if phrase in other or first_two in other or head in other:
            found.append(quoted)
    for listed in _LIST.findall(text):
        items = [w.strip().casefold() for w in re.split(r"[,|]", listed)]
        foreign = [w for w in items if w in other]
        if len(foreign) >= 2 and listed not in found:
            found.append(listed)
    return found


def _messages(locale: str) -> list[tuple[str, str]]:
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "sachstand.po"
    catalog = read_po(path.open("rb"))
    shown = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for msgid, text in zip(ids, strings, strict=False):
            shown.append((msgid, text or msgid))
    return shown


@pytest.mark.parametrize("locale", ["en", "de"])
def test_every_message_tells_words_of_its_language(locale: str) -> None:
    wrong = {msgid: foreign_words(text, locale) for msgid, text in _messages(locale)}
    wrong = {k: v for k, v in wrong.items() if v}
    assert not wrong, f"{len(wrong)} {locale} messages tell words of the other language:\n" + "\n".join(
        f"  {words}: {msgid[:110]}" for msgid, words in sorted(wrong.items()))


class _Anything(Undefined):
    """A placeholder for any template value: empty text, zero, no items, any attribute."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return _Anything()

    def __getitem__(self, key: object) -> Any:
        return _Anything()

    def __call__(self, *args: object, **kwargs: object) -> Any:
        return _Anything()

    def __int__(self) -> int:
        return 0

    def __float__(self) -> float:
        return 0.0

    def __str__(self) -> str:
        return ""

    __len__ = lambda self: 0  # noqa: E731

    # `pos < total`, `count > 1`: a placeholder compares like zero (round_item_saved was skipped)
    def _compare(self, other: object) -> bool:
        return False

    __lt__ = __le__ = __gt__ = __ge__ = _compare
    __hash__ = Undefined.__hash__


TEMPLATES = sorted(p.relative_to(ROOT / "templates").as_posix().removesuffix(".j2")
                   for p in (ROOT / "templates" / "common").glob("*.j2"))


@pytest.mark.parametrize("name", [t.removeprefix("common/") for t in TEMPLATES])
@pytest.mark.parametrize("locale", ["en", "de"])
def test_every_template_tells_words_of_its_language(name: str, locale: str) -> None:
    renderer = Renderer(Translations("de"))
    renderer.env.undefined = _Anything
    safe = {"d": lambda *a, **k: "1.1.2027", "dt": lambda *a, **k: "1.1.2027 09:00",
            "num": lambda *a, **k: "1", "pct": lambda *a, **k: "1 %"}
    original = renderer._context

    def context(fmt: str, loc: str | None, tz: str | None) -> dict[str, Any]:
        values = {**original(fmt, loc, tz), **safe}
        plural = values["ngettext"]
        values["ngettext"] = lambda one, many, n, **v: plural(one, many, 2 if isinstance(n, Undefined) else n, **v)
        return values

    renderer._context = context  # type: ignore[method-assign]
    text = renderer.render(name, "plain", locale, choices=[])  # every template renders: none is skipped
    assert not foreign_words(text, locale), text


FILTER_WORDS = {"de": {"feld", "gremium", "verantwortlich", "überfällig", "meine", "frist", "seit", "objekt",
                       "mindestens", "maßnahmen"},
                "en": {"field", "owner", "overdue", "mine", "deadline", "since", "object", "measures"}}
SAME_WORD = {"hand"}  # "von hand" (de) and "hand over" (en)


@pytest.mark.parametrize("locale", ["en", "de"])
def test_every_usage_and_example_is_in_its_language(locale: str) -> None:
    """`hilfe X` shows a command's usage and examples: `help recommendation`, `list overdue` in English."""
    registry, conversations = CommandRegistry(), ConversationEngine()
    register_all(registry, conversations)
    other = (VOCABULARY[OTHER[locale]] | FILTER_WORDS[OTHER[locale]]) - VOCABULARY[locale] - SAME_WORD
    wrong = {}
    for command in registry:
        for text in (command.usage(locale), *command.localised_examples(locale)):
            words = [w.strip("<>[]…,.()\"").casefold() for w in re.split(r"[\s|:]", text)]
            if found := [w for w in words if w in other]:
                wrong[text] = found
    assert not wrong, wrong


def test_the_check_sees_a_foreign_word() -> None:
    assert foreign_words("Say “zurück” to go back.", "en") == ["zurück"]
    assert foreign_words("Sagen Sie „back“ für die vorige Frage.", "de") == ["back"]
    assert foreign_words("Write “back” or “status”.", "en") == []  # shared words are no mistake
    assert foreign_words("Answer “yes” or “change” and the part (status, fortschritt, kennzahlen).", "en") == [
        "status, fortschritt, kennzahlen"]
    assert foreign_words("Antworten Sie mit einem Teil: status, progress, metrics.", "de") == [
        "status, progress, metrics"]
