"""gettext catalogs (compiled by Babel) per locale; never installed into builtins."""
from __future__ import annotations

import datetime as dt
import gettext
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal, format_percent

LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
DOMAIN = "sachstand"
SUPPORTED = ("de", "en")


class Translations:
    """Loads each locale's catalog once; German is the default and the fallback."""

    def __init__(self, default: str = "de", locale_dir: Path = LOCALE_DIR) -> None:
        self.default = default
        self._dir = locale_dir
        self._cache: dict[str, gettext.NullTranslations] = {}

    def normalise(self, locale: str | None) -> str:
        code = (locale or self.default).split("_")[0].split("-")[0].lower()
        return code if code in SUPPORTED else self.default

    def get(self, locale: str | None) -> gettext.NullTranslations:
        code = self.normalise(locale)
        if code not in self._cache:
            self._cache[code] = gettext.translation(DOMAIN, self._dir, languages=[code], fallback=True)
        return self._cache[code]

    def gettext(self, locale: str | None, message: str, **values: object) -> str:
        text = self.get(locale).gettext(message)
        return text.format(**values) if values else text

    def ngettext(self, locale: str | None, singular: str, plural: str, n: int, **values: object) -> str:
        text = self.get(locale).ngettext(singular, plural, n)
        return text.format(n=n, **values)


# One date and one time format per locale (issue #17: "Dec 16, 2026", "12/9/26, 9:00 AM" and
# "Wednesday, 23.12.2026" in one English conversation). Whatever a template asks for ("short",
# "medium", "dd.MM.yyyy, HH:mm", "EEEE, …"), it gets this locale's date, with the weekday if the
# pattern names one and the time if it has one.
DATE_PATTERNS = {"de": "dd.MM.yyyy", "en": "d MMM yyyy"}
TIME_PATTERN = "HH:mm"


class Formats:
    """Locale-aware dates and numbers (German decimal comma, thousands dot)."""

    def __init__(self, locale: str) -> None:
        self.locale = Locale.parse(locale)
        self._date = DATE_PATTERNS.get(self.locale.language, DATE_PATTERNS["de"])

    def _pattern(self, fmt: str, with_time: bool) -> str:
        if fmt in ("HH:mm", "H:mm", "time"):
            return TIME_PATTERN
        parts = [self._date]
        if "EEEE" in fmt or fmt == "full":
            parts.insert(0, "EEEE")
        if with_time and fmt not in ("dd.MM.yyyy", "d.M.yyyy", "date") and ("H" in fmt or fmt in (
                "short", "medium", "long", "full")):
            parts.append(TIME_PATTERN)
        return ", ".join(parts)

    # the types babel takes (a template may pass any of them)
    def date(self, value: dt.date, fmt: str = "medium") -> str:
        return format_date(value, format=self._pattern(fmt, False), locale=self.locale)

    def datetime(self, value: dt.date | dt.time | float, tz: str, fmt: str = "medium") -> str:
        return format_datetime(value, format=self._pattern(fmt, True), tzinfo=_zone(tz), locale=self.locale)

    def time(self, value: dt.time | dt.datetime | float, tz: str, fmt: str = "short") -> str:
        return format_time(value, format=TIME_PATTERN, tzinfo=_zone(tz), locale=self.locale)

    def number(self, value: float | Decimal | str, decimals: int | None = None) -> str:
        """With `decimals`, exactly that many ("11,0" in a column of "10,9")."""
        if decimals is None:
            return format_decimal(value, locale=self.locale)
        return format_decimal(value, format="#,##0" + ("." + "0" * decimals if decimals else ""), locale=self.locale)

    def percent(self, value: float | Decimal | str) -> str:
        return format_percent(float(value) / 100, locale=self.locale)


def _zone(tz: str) -> ZoneInfo:
    return ZoneInfo(tz)
