"""Typed command arguments. Parsing is pure; database lookups happen in handlers."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

MAX_TEXT = 2000  # longest free text an argument accepts
_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,9}(-[A-Za-z0-9]{1,10}){0,3}$")
_HANDLE = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_MATRIX_ID = re.compile(r"^@[a-z0-9._=/+-]+:[A-Za-z0-9.-]+(:\d+)?$")
_SLACK_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(\|[^>]*)?>$")


# what phones and word processors put into codes and dates: dashes that look like "-", and
# invisible marks (zero-width, byte-order, bidi controls pasted from right-to-left text)
_DASHES = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"), "-")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff"
                                    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def N_(message: str) -> str:
    return message


def plain(raw: str) -> str:
    """A code, number or date as meant: full-width forms folded (NFKC), dashes unified,
    invisible marks dropped. Free text is never passed through this."""
    return unicodedata.normalize("NFKC", raw).translate(_DASHES).translate(_INVISIBLE)


class ArgError(Exception):
    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message)
        self.message = message  # msgid with {placeholders}
        self.values = values


class ArgType(Protocol):
    def parse(self, raw: str, today: date) -> Any: ...


@dataclass(frozen=True)
class Code:
    """A catalog code such as HF2-07, EG2 or K-BIL-01 (upper-cased)."""

    def parse(self, raw: str, today: date) -> str:
        code = plain(raw)
        if not _CODE.match(code):
            raise ArgError(N_("“{value}” is not a code like HF2-07 or EG2."), value=raw[:40])
        return code.upper()


@dataclass(frozen=True)
class Text:
    def parse(self, raw: str, today: date) -> str:
        text = raw.strip()
        if not text:
            raise ArgError(N_("The text is empty."))
        if len(text) > MAX_TEXT:
            raise ArgError(N_("The text is too long ({length} characters, at most {limit})."),
                           length=len(text), limit=MAX_TEXT)
        return text


@dataclass(frozen=True)
class Word:
    choices: tuple[str, ...]

    def parse(self, raw: str, today: date) -> str:
        value = raw.casefold()
        if value not in self.choices:
            raise ArgError(N_("“{value}” is not one of: {choices}."), value=raw[:40],
                           choices=", ".join(self.choices))
        return value


@dataclass(frozen=True)
class PersonMention:
    """@handle (console), @user:server (Matrix) or <@U123> (Slack): resolved in the handler."""

    def parse(self, raw: str, today: date) -> str:
        value = raw.strip()
        slack = _SLACK_MENTION.match(value)
        if slack:
            return "slack:" + slack.group(1)
        if _MATRIX_ID.match(value):
            return "matrix:" + value
        handle = value.removeprefix("@").lower()
        if _HANDLE.match(handle):
            return handle
        raise ArgError(N_("“{value}” is not a person. Mention them like @name."), value=value[:40])


@dataclass(frozen=True)
class Filters:
    """key:value filters for lists, e.g. `feld:HF2 status:verzögert überfällig`."""

    keys: dict[str, str]  # accepted word → canonical key
    flags: dict[str, str]  # bare words → canonical flag

    def parse(self, raw: str, today: date) -> dict[str, str]:
        result: dict[str, str] = {}
        for word in raw.split():
            key, sep, value = word.partition(":")
            canonical = self.keys.get(key.casefold()) if sep else self.flags.get(word.casefold())
            if canonical is None or (sep and not value):
                raise ArgError(N_("“{value}” is not a filter. Allowed: {choices}."), value=word[:40],
                               choices=", ".join([f"{k}:…" for k in _firsts(self.keys)] + list(self.flags)))
            result[canonical] = value if sep else "yes"
        result["text"] = raw  # as typed, for showing the filter back in the person's words
        return result


def _firsts(mapping: dict[str, str]) -> Iterable[str]:
    seen: set[str] = set()
    for word, canonical in mapping.items():
        if canonical not in seen:
            seen.add(canonical)
            yield word


# month names in both languages (the bot writes English dates as "15 Jan 2027"; whatever it
# writes must be typed back): the first three letters decide, "März"/"Mär", "Okt", "Dez" too
_MONTHS = {"jan": 1, "feb": 2, "mar": 3, "mär": 3, "apr": 4, "may": 5, "mai": 5, "jun": 6, "jul": 7,
           "aug": 8, "sep": 9, "oct": 10, "okt": 10, "nov": 11, "dec": 12, "dez": 12}
_DAY_MONTH = re.compile(r"(\d{1,2})\.?\s*([^\W\d_]{3,})\.?,?(?:\s+(\d{4}))?")  # 15 Jan 2027 · 15. Januar
_MONTH_DAY = re.compile(r"([^\W\d_]{3,})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?(?:\s+(\d{4}))?")  # Jan 15, 2027


def parse_german_date(raw: str, today: date) -> date:
    """14.03.2027, 14.3.27, 14.3. (next such day), 2027-03-14, and the way English dates are
    written: 15 Jan 2027, 15 January, Jan 15, 2027 (German month names too: 15. März 2027)."""
    value = " ".join(plain(raw).split()).rstrip(",")
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
    if iso:
        return _date(int(iso[1]), int(iso[2]), int(iso[3]), raw)
    german = re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})?", value)
    if german:
        day, month, year = int(german[1]), int(german[2]), german[3]
        year = str(int(year) + 2000) if year and len(year) == 2 else year
    else:
        day, month, year = _named_month(value, raw)
    if year:
        return _date(int(year), month, day, raw)
    candidate = _date(today.year, month, day, raw)
    return candidate if candidate >= today else _date(today.year + 1, month, day, raw)


def _named_month(value: str, raw: str) -> tuple[int, int, str | None]:
    found = _DAY_MONTH.fullmatch(value)
    day, name, year = (found[1], found[2], found[3]) if found else (None, None, None)
    if not found and (found := _MONTH_DAY.fullmatch(value)):
        name, day, year = found[1], found[2], found[3]
    month = _MONTHS.get(name.casefold()[:3]) if name else None
    if day is None or month is None:
        raise ArgError(N_("“{value}” is not a date. Write it like 14.03.2027."), value=raw[:40])
    return int(day), month, year


def _date(year: int, month: int, day: int, raw: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise ArgError(N_("“{value}” is not a valid date."), value=raw[:40]) from None


@dataclass(frozen=True)
class Date:
    def parse(self, raw: str, today: date) -> date:
        return parse_german_date(raw, today)


@dataclass(frozen=True)
class Number:
    """An argument type: a whole number from 1 to `below - 1` (a list position, an id); the
    message names where the number comes from (“from the “fragen” list”)."""

    below: int = 10**9
    message: str = N_("“{value}” is not a number.")

    def parse(self, raw: str, today: date) -> int:
        word = raw.strip()
        if not word.isdecimal() or not 0 < int(word) < self.below:
            raise ArgError(self.message, value=raw[:40])
        return int(word)
