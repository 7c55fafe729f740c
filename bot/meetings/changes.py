"""What a meeting command says, recognised by shape (pure): a date (14.03.2027, 14.3.,
2027-03-14), a time (10:00, 10 Uhr), a duration (90min, 2h), an online link (https://…),
`trotzdem` (create despite a clash); every other word is the place. A change names what it
changes and keeps everything else."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.argtypes import ArgError, parse_german_date
from bot.core.commands import N_, Word, as_typed
from bot.core.text_safety import one_line

TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?(?:\s*uhr)?$", re.IGNORECASE)
CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::\d{2})?$|^(\d{1,2})\s*uhr$", re.IGNORECASE)
DURATION = re.compile(r"^(\d{1,3})\s*(min|minuten|minutes|h|std|stunden|hours)$", re.IGNORECASE)
DATE = re.compile(r"^(\d{1,2}\.\d{1,2}\.(\d{2}|\d{4})?|\d{4}-\d{2}-\d{2}),?$")
ANYWAY = {"trotzdem", "anyway", "dennoch"}


@dataclass
class Said:
    day: date | None = None
    at: time | None = None
    minutes: int | None = None
    place: str | None = None
    url: str | None = None
    anyway: bool = False
    rest: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.day is None and self.at is None and self.minutes is None and self.place is None \
            and self.url is None


def parse(words: list[str], today: date) -> Said:
    said, place = Said(), []
    for at, word in enumerate(words):
        plain = word.strip()
        after = words[at + 1].strip().casefold() if at + 1 < len(words) else ""
        if said.at is None and plain.isdecimal() and len(plain) <= 2 and after == "uhr":
            plain = f"{plain} uhr"  # "10 Uhr" is two words: the hour, then "Uhr" (skipped below) (F5)
        if plain.casefold() in ANYWAY:
            said.anyway = True
        elif said.day is None and DATE.match(plain):
            said.day = parse_german_date(plain, today)
        elif said.at is None and CLOCK.match(plain):
            said.at = _time(plain)
        elif said.minutes is None and (duration := DURATION.match(plain)):
            amount, unit = duration.groups()
            said.minutes = int(amount) * (60 if unit.casefold()[0] in "hs" else 1)
            if not 15 <= said.minutes <= 600:
                raise ArgError(N_("A meeting lasts between 15 minutes and 10 hours."))
        elif (link := _link(plain)) is not None:
            said.url = link
        elif plain.casefold() in ("uhr",) and said.at is not None:
            continue
        else:
            place.append(word)
    if place:  # free text: as typed (quotes, backslashes, spacing) when the words know how (F14c)
        typed = all(isinstance(w, Word) for w in place)
        said.place = one_line(as_typed(place).strip() if typed else " ".join(place).strip().strip('"„“').strip())
        if not said.place:  # line breaks, bidi controls, only invisible characters (F21)
            raise ArgError(N_("The place has nothing one can read in it."))
        if secret := DIAL_IN.search(said.place):  # the place is public: a PIN in it would be too (sec2 F1)
            raise ArgError(N_("The place is shown publicly, and “{value}” looks like dial-in details. Give the "
                              "online link as its own word (https://…): only members see it."), value=secret[0][:30])
    return said


# a link however it is written: <https://…> (Slack, mail), https://…, www.…, host.tld/path
_BRACKETED = re.compile(r"^<(.+?)(?:\|[^>]*)?>$")
_HOST_PATH = re.compile(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/\S*$|^www\.[a-z0-9-]+(?:\.[a-z0-9-]+)+\S*$",
                        re.IGNORECASE)
DIAL_IN = re.compile(r"\b(?:pin|pwd|passcode|kenncode|zugangscode|meeting-id|konferenz-id)\b\s*[:=]?\s*\S*|"
                     r"[?&](?:pwd|passcode|pin)=\S*", re.IGNORECASE)


def _link(word: str) -> str | None:
    bare = (m[1] if (m := _BRACKETED.match(word)) else word).strip()
    if bare.casefold().startswith(("http://", "https://")):
        return bare
    return "https://" + bare if _HOST_PATH.match(bare) else None


def _time(raw: str) -> time:
    match = CLOCK.match(raw)
    assert match is not None
    hour, minute = (int(match[1]), int(match[2])) if match[1] else (int(match[3]), 0)
    if hour > 23 or minute > 59:
        raise ArgError(N_("“{value}” is not a time. Write it like 10:00."), value=raw[:20])
    return time(hour, minute)


def new_times(said: Said, starts_at: datetime, ends_at: datetime, tz: str) -> tuple[datetime, datetime]:
    """The meeting's start and end after the change: what was not said stays."""
    zone = ZoneInfo(tz)
    local = starts_at.astimezone(zone)
    minutes = said.minutes if said.minutes is not None else int((ends_at - starts_at).total_seconds() // 60)
    start = datetime.combine(said.day or local.date(), said.at or local.time().replace(tzinfo=None), tzinfo=zone)
    return start, start + timedelta(minutes=minutes)
