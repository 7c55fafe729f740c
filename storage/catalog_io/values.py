"""Parsing and formatting of single cell values, shared by YAML, CSV and XLSX.

Every parser raises ValueError with a German message that says what is allowed;
the caller adds where (path or row/column) and what was found.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from ..models import BodyKind, MemberRole, Status

STATUS_LABELS: dict[Status, str] = {
    Status.NOT_STARTED: "nicht begonnen",
    Status.IN_PROGRESS: "in Umsetzung",
    Status.DELAYED: "verzögert",
    Status.BLOCKED: "blockiert",
    Status.DONE: "umgesetzt",
    Status.DROPPED: "entfallen",
}
_STATUS_BY_TEXT: dict[str, Status] = {
    **{s.value: s for s in Status}, **{label.lower(): s for s, label in STATUS_LABELS.items()}}

GENDERS = ("gesamt", "weiblich", "männlich", "divers")
_GENDER_ALIASES = {"maennlich": "männlich"}
TRANSPORTS = ("console", "matrix", "slack")
_GERMAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def allowed(values: Iterable[object]) -> str:
    return ", ".join(str(v) for v in values)


def parse_status(value: object) -> Status:
    """English code or German label, case-insensitive (`In Umsetzung`, `in_progress`)."""
    if isinstance(value, Status):
        return value
    text = " ".join(str(value).split()).lower()
    if text in _STATUS_BY_TEXT:
        return _STATUS_BY_TEXT[text]
    raise ValueError("unbekannter Status; erlaubt: "
                     + allowed([s.value for s in Status] + list(STATUS_LABELS.values())))


def parse_kind(value: object) -> BodyKind:
    text = str(value).strip().lower()
    try:
        return BodyKind(text)
    except ValueError:
        raise ValueError("unbekannte Gremienart; erlaubt: " + allowed(k.value for k in BodyKind)) from None


def parse_role(value: object) -> MemberRole:
    text = str(value).strip().lower()
    try:
        return MemberRole(text)
    except ValueError:
        raise ValueError("unbekannte Rolle; erlaubt: " + allowed(r.value for r in MemberRole)) from None


def parse_gender(value: object) -> str:
    text = str(value).strip().lower()
    text = _GENDER_ALIASES.get(text, text)
    if text not in GENDERS:
        raise ValueError("unbekanntes Geschlecht; erlaubt: " + allowed(GENDERS))
    return text


def parse_transport(value: object) -> str:
    text = str(value).strip().lower()
    if text not in TRANSPORTS:
        raise ValueError("unbekannter Kanal; erlaubt: " + allowed(TRANSPORTS))
    return text


def parse_date(value: object) -> date | None:
    """ISO (2027-06-30) or German (30.06.2027); datetimes from Excel lose their time."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        text = value.strip()
        iso, german = _ISO_DATE.match(text), _GERMAN_DATE.match(text)
        try:
            if iso:
                return date(int(iso[1]), int(iso[2]), int(iso[3]))
            if german:
                return date(int(german[3]), int(german[2]), int(german[1]))
        except ValueError:
            raise ValueError("diesen Tag gibt es nicht; erlaubt: ein Datum wie 2027-06-30 "
                             "oder 30.06.2027") from None
    raise ValueError("kein Datum; erlaubt: JJJJ-MM-TT (2027-06-30) oder TT.MM.JJJJ (30.06.2027)")


def parse_decimal(value: object) -> Decimal | None:
    """Numbers, also German notation from spreadsheets (`1.234,5`)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError("keine Zahl; erlaubt: eine Zahl wie 12 oder 8,5")
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))  # repr keeps 8.1 as 8.1, not its binary expansion
    text = str(value).strip().replace("\u202f", "").replace(" ", "")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError("keine Zahl; erlaubt: eine Zahl wie 12 oder 8,5") from None
    if not number.is_finite():
        raise ValueError("keine endliche Zahl; erlaubt: eine Zahl wie 12 oder 8,5")
    return number


def decimal_for(digits: int, scale: int) -> Callable[[object], Decimal | None]:
    """Parser for a Numeric(digits, scale) column: rounds to its scale (so a re-import compares
    equal to what the database stored) and refuses what would not fit."""
    step, limit = Decimal(1).scaleb(-scale), Decimal(10) ** (digits - scale)

    def parse(value: object) -> Decimal | None:
        number = parse_decimal(value)
        if number is None:
            return None
        number = number.quantize(step, rounding=ROUND_HALF_UP)
        if abs(number) >= limit:
            raise ValueError(f"Zahl zu groß; erlaubt: weniger als {limit:,.0f}".replace(",", "."))
        return number
    return parse


def parse_progress(value: object) -> int | None:
    """0–100, written as `40`, `40 %` or `40%`; a fraction from an Excel %-cell is scaled by the caller."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().rstrip("%").strip() if isinstance(value, str) else value
    try:
        number = parse_decimal(text)
    except ValueError:
        number = None
    if number is None or number != number.to_integral_value() or not 0 <= number <= 100:
        raise ValueError("kein gültiger Fortschritt; erlaubt: ganze Zahl von 0 bis 100, z. B. 40 oder 40 %")
    return int(number)


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "ja", "yes", "1"):
        return True
    if text in ("false", "nein", "no", "0"):
        return False
    raise ValueError("kein Wahrheitswert; erlaubt: true/false (ja/nein)")


def plain_number(value: Decimal | None) -> int | float | None:
    """Decimal → int or float for YAML/XLSX, without trailing zeros (8.1000 → 8.1, 50000.00 → 50000)."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value.normalize())


def german_date(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else ""


# Spreadsheet programs run cell text starting with these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse_formula(text: str) -> str:
    """Prefix an apostrophe so Excel shows the text instead of running it; undone by the import."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def restore_formula(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


CODE = re.compile(r"[^\W_][\w.\-]*")  # letters, digits, "_", "-", ".": a word in chat, a file name on the site
CODE_PROBLEM = "kein Code; erlaubt: Buchstaben, Ziffern und - _ . (wie HF2-07), beginnend mit Buchstabe oder Ziffer"


def is_code(value: str) -> bool:
    """A code names things in commands, URLs and file names of the public site and its export: no
    quotes, markup, spaces or slashes (site finding F11, sec2 F4: `HF1"><script>`, `../../pwned`)."""
    return bool(CODE.fullmatch(value))
