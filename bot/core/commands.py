"""Command registry shared by every transport: names, aliases, typed arguments, role, help.

Commands are data (maubot style): help and usage are generated from this metadata, and a
syntax error answers with the usage.
"""
from __future__ import annotations

import io
import re
import shlex
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypedDict

from .argtypes import ArgError, ArgType, Text
from .roles import Role


def N_(message: str) -> str:
    """Marks a string for extraction; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Arg:
    name: str  # key in the parsed arguments
    type: ArgType
    label: dict[str, str]  # how usage names it, per locale: {"de": "Code", "en": "code"}
    required: bool = True
    rest: bool = False  # takes all remaining words


@dataclass(frozen=True)
class Command:
    name: str  # canonical, English
    aliases: dict[str, tuple[str, ...]]  # per locale; the first is shown in help
    summary: str  # msgid
    handler: Callable[..., Any]
    args: tuple[Arg, ...] = ()
    role: Role = Role.FOLLOWER
    body_arg: str | None = None  # argument naming the body a chair must chair
    item_arg: str | None = None  # argument naming a recommendation: its body's chair and its owner may
    # or "measure" (its recommendation counts), "new" (the code's field), "question" (a public question's number)
    item_kind: str = "recommendation"
    owner_may: bool = False  # the item's owner may too (status, progress, updates; a forwarded question's answer)
    group: str = "general"
    where: str = "any"  # any | room | dm
    examples: tuple[str, ...] = ()
    # its bare word is also an ordinary answer ("vielleicht"): inside a conversation it runs
    # as a command only with arguments ("vielleicht 7", as a button sends it)
    answer_like: bool = False

    def alias(self, locale: str) -> str:
        return (self.aliases.get(locale) or self.aliases["de"])[0]

    def localised_examples(self, locale: str) -> tuple[str, ...]:
        """The examples with the command's words in `locale` (they are written in German)."""
        if locale == "de":
            return self.examples
        return tuple(_example_in(self, e, locale) for e in self.examples)

    def usage(self, locale: str) -> str:
        parts = [self.alias(locale)]
        for arg in self.args:
            label = arg.label.get(locale) or arg.label["de"]
            label = f"<{label}…>" if arg.rest else f"<{label}>"
            parts.append(label if arg.required else f"[{label}]")
        return " ".join(parts)


class CommandOptions(TypedDict, total=False):
    """Keyword options that several commands of a module share (`**chair`)."""

    role: Role
    body_arg: str
    item_arg: str
    item_kind: str
    owner_may: bool
    group: str
    where: str
    answer_like: bool


@dataclass
class Invocation:
    command: Command
    args: dict[str, Any]
    raw: str


class UsageError(Exception):
    """The command is known but its arguments are wrong."""

    def __init__(self, command: Command, problem: str, values: dict[str, object] | None = None) -> None:
        super().__init__(problem)
        self.command = command
        self.problem = problem  # msgid
        self.values = values or {}


@dataclass
class CommandRegistry:
    commands: dict[str, Command] = field(default_factory=dict)
    _aliases: dict[tuple[str, ...], Command] = field(default_factory=dict)

    def register(self, command: Command) -> Command:
        if command.name in self.commands:
            raise ValueError(f"command {command.name} registered twice")
        self.commands[command.name] = command
        for alias in _all_aliases(command):
            key = tuple(alias.casefold().split())
            if key in self._aliases:
                raise ValueError(f"alias {alias!r} of {command.name} already used")
            self._aliases[key] = command
        return command

    def __iter__(self) -> Iterator[Command]:
        return iter(self.commands.values())

    def find(self, name_or_alias: str) -> Command | None:
        return self.commands.get(name_or_alias) or self._aliases.get(tuple(name_or_alias.casefold().split()))

    def example(self, text: str, locale: str) -> str:
        """A German example command in `locale`: `abstimmen EG3 1 3` → `vote EG3 1 3`."""
        found = self.match(text)
        return text if found is None or locale == "de" else _example_in(found[0], text, locale)

    def match(self, text: str) -> tuple[Command, list[str]] | None:
        """Longest alias prefix wins ("sitzung planen" before "sitzung")."""
        found = self._match(text)
        return (found[0], [w for w, _ in found[1]]) if found else None

    def _match(self, text: str) -> tuple[Command, list[tuple[str, str]]] | None:
        words = split_with_tails(text)
        folded = [w.casefold() for w, _ in words]
        for length in range(min(3, len(words)), 0, -1):
            command = self._aliases.get(tuple(folded[:length]))
            if command:
                return command, words[length:]
        return None

    def parse(self, text: str, today: date) -> Invocation | None:
        found = self._match(text)
        if found is None:
            return None
        command, words = found
        return Invocation(command, parse_args(command, [w for w, _ in words], today, [t for _, t in words]), text)


def _normalised(text: str) -> str:
    # one character for one: offsets in the normalised text are offsets in the original
    return text.replace("„", '"').replace("“", '"').replace("”", '"')


def split_words(text: str) -> list[str]:
    """shlex with German quotes; falls back to whitespace when quotes do not pair up."""
    return [w for w, _ in split_with_tails(text)]


def split_with_tails(text: str) -> list[tuple[str, str]]:
    """Each word with the original text from it to the end (its tail): a free-text argument is
    taken as written, with its quotes and spacing, not re-joined from the split words."""
    normalised = _normalised(text)
    stream = io.StringIO(normalised)  # our own, to ask it where the lexer is (shlex would make the same)
    lexer = shlex.shlex(stream, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    found: list[tuple[str, str]] = []
    start = 0
    try:
        while (word := lexer.get_token()) is not None:
            found.append((word, text[start:].strip()))
            start = stream.tell()
    except ValueError:
        found = [(m.group(), text[m.start():].strip()) for m in re.finditer(r"\S+", normalised)]
    return found


class Word(str):
    """A word of a command as shlex read it (quotes removed), with where it stands in the text
    as typed: a free-text part (a meeting's place) is then taken as written — quotes, backslashes
    and spacing kept — while dates, times and links are recognised from the word (finding F14c)."""

    source: str
    start: int
    end: int

    @property
    def raw(self) -> str:
        return self.source[self.start:self.end]


def split_typed(text: str) -> list[Word]:
    """The words of `text` (like split_words), each knowing its place in `text` (see Word)."""
    def word(value: str, begin: int, stop: int) -> Word:
        found = Word(value)
        found.source, found.start, found.end = text, begin, stop
        return found

    stream = io.StringIO(_normalised(text))
    lexer = shlex.shlex(stream, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    words: list[Word] = []
    pos = 0
    try:
        while (value := lexer.get_token()) is not None:
            end = stream.tell()  # after the word and the one space that ended it
            segment = text[pos:end]
            words.append(word(value, pos + len(segment) - len(segment.lstrip()), pos + len(segment.rstrip())))
            pos = end
    except ValueError:  # quotes that do not pair up: words between spaces, as split_words does
        words = [word(m.group(), m.start(), m.end()) for m in re.finditer(r"\S+", _normalised(text))]
    return words


def as_typed(words: Sequence[str]) -> str:
    """Words as the person typed them: neighbours with the text between them, groups apart
    joined by a space; a single quoted word ("Rathaus, Raum 12") without its quotes."""
    typed = [w for w in words if isinstance(w, Word)]
    if len(typed) != len(words):  # not from split_typed: the words as they are
        return " ".join(words)
    if len(typed) == 1:
        return _free_text(typed[0].raw)
    groups: list[str] = []
    first = last = typed[0]
    for word in typed[1:]:
        if word.source is last.source and not word.source[last.end:word.start].strip():
            last = word
            continue
        groups.append(first.source[first.start:last.end])
        first = last = word
    groups.append(first.source[first.start:last.end])
    return " ".join(groups)


def _free_text(tail: str) -> str:
    """A free text as written; a text that is one quoted word ("Rathaus, Raum 12") loses only
    its enclosing quotes."""
    if len(tail) >= 2 and _normalised(tail[0]) == '"' and _normalised(tail[-1]) == '"' \
            and len(split_words(tail)) == 1:
        return tail[1:-1]
    return tail


def parse_args(command: Command, words: Sequence[str], today: date,
               tails: Sequence[str] | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {}
    rest = list(words)
    for arg in command.args:
        if not rest:
            if arg.required:
                raise UsageError(command, N_("Something is missing: {arg}."),
                                 {"arg": arg.label})
            values[arg.name] = None
            continue
        position = len(words) - len(rest)
        if arg.rest and isinstance(arg.type, Text) and tails is not None:
            raw = _free_text(tails[position])
        elif arg.rest and getattr(arg.type, "takes_tail", False) and tails is not None:
            raw = tails[position]  # the type splits the text as typed itself
        else:
            raw = " ".join(rest) if arg.rest else rest[0]
        rest = [] if arg.rest else rest[1:]
        try:
            values[arg.name] = arg.type.parse(raw, today)
        except ArgError as exc:
            raise UsageError(command, exc.message, {**exc.values, "arg": arg.label}) from exc
    if rest:
        raise UsageError(command, N_("Too many words: {extra}."), {"extra": " ".join(rest)})
    return values


def _all_aliases(command: Command) -> set[str]:
    names = {command.name}
    for aliases in command.aliases.values():
        names.update(aliases)
    return names


# argument words of the examples that have an English equivalent the commands accept too
# the words every conversation step understands (bot/conversations/engine.py); outside one the
# router says that no conversation is going on instead of "unknown command" (rounds2 F2)
CONVERSATION_WORDS = {
    "help": ("hilfe", "help", "?"),
    "back": ("zurück", "zurueck", "back"),
    "cancel": ("abbrechen", "cancel", "stop"),
    "skip": ("überspringen", "ueberspringen", "skip"),
}
EXAMPLE_WORDS = {"en": {"frist": "deadline", "maßnahmen": "measures", "alles": "all", "alle": "all", "ja": "yes",
                        "nein": "no", "zeitziel": "target", "verantwortlich": "owner", "fortschritt": "progress",
                        "titel": "title", "von": "by", "hand": "hand", "meine": "mine", "überfällig": "overdue",
                        "feld": "field", "gremium": "body", "verzögert": "delayed", "empfehlung": "recommendation",
                        "person": "person", "objekt": "object", "seit": "since", "mindestens": "minimum"}}


def _example_word(mapping: dict[str, str], word: str, locale: str = "de") -> str:
    """One word of an example in another language: `feld:HF2` → `field:HF2`, `meine` → `mine`."""
    def one(w: str) -> str:  # lower(), not casefold(): casefold turns "maßnahmen" into "massnahmen"
        return mapping.get(w.lower(), w)

    key, sep, value = word.partition(":")
    if locale != "de" and (full := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})?", word)):
        from .i18n import Formats  # a date as this locale writes it (and reads it back): 15 Dec 2026

        day = date(int(full[3] or 2000), int(full[2]), int(full[1]))
        return Formats(locale).date(day) if full[3] else Formats(locale).date(day).rsplit(" ", 1)[0]  # 10 Mar
    return f"{one(key)}:{one(value)}" if sep and value else one(word)


def _example_in(command: Command, example: str, locale: str) -> str:
    words = example.split(" ")
    for alias in sorted(command.aliases.get("de", ()), key=len, reverse=True):
        n = len(alias.split())
        if [w.casefold() for w in words[:n]] == alias.casefold().split():
            mapping = EXAMPLE_WORDS.get(locale, {})
            rest = [_example_word(mapping, w, locale) for w in words[n:]]
            return " ".join([command.alias(locale), *rest])
    return example


class Words:
    """An argument type: the rest of the command as words (quotes kept together), for a handler
    that reads several words itself (`top annehmen EG2 18.02. 2 öffentlich`)."""

    def parse(self, raw: str, today: date) -> list[str]:
        return split_words(raw)


class TypedWords(Words):
    """Words that know where they stand in the text as typed (see Word): for a command whose
    rest mixes recognised words (a date, a time, a link) with free text (a meeting's place)."""

    takes_tail = True  # parse_args hands over the text as typed, not the words re-joined

    def parse(self, raw: str, today: date) -> list[str]:
        return list(split_typed(raw))
