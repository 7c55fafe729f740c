"""Pydantic models of the YAML catalog (the documented file format, docs/catalog.md).

Codes are normalised like the repositories look them up: entity codes upper case,
person handles lower case. Field lengths follow the database columns, so a too long
value is a validation error with a path instead of a database error later.
"""
from __future__ import annotations

import re
import types
import typing
from datetime import date
from decimal import Decimal
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Union
from zoneinfo import ZoneInfo

from annotated_types import GroupedMetadata
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from ..models import BodyKind, MemberRole, Status
from ..text import without_unsafe
from . import values as v


def _text(value: object) -> object:
    # YAML turns 2023 or 1.5 into numbers; for text keys the author meant the text.
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return str(value)
    return without_unsafe(value) if isinstance(value, str) else value  # storage/text.py


def _code(value: object) -> object:
    """A code names things in commands, URLs and file names of the public site and its export: no
    quotes, markup, spaces or slashes (site finding F11: `HF1"><script>`, `../../pwned`)."""
    value = _text(value)
    if not isinstance(value, str):
        return value
    value = value.strip().upper()
    if value and not v.is_code(value):
        raise ValueError(v.CODE_PROBLEM)
    return value


def _handle(value: object) -> object:
    value = _text(value)
    return value.strip().lower() if isinstance(value, str) else value


def _nullable(parser: typing.Callable[[object], object]) -> typing.Callable[[object], object]:
    return lambda value: None if value is None else parser(value)


def _timezone(value: object) -> object:
    if value is None or not isinstance(value, str):
        return value
    try:
        ZoneInfo(value)
    except Exception:  # noqa: BLE001 - ZoneInfo raises several kinds for bad keys
        raise ValueError("unbekannte Zeitzone; erlaubt: ein IANA-Name wie Europe/Berlin") from None
    return value


def _locale(value: object) -> object:
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"[a-z]{2}(_[A-Z]{2})?", value.strip()):
        raise ValueError("keine Sprache; erlaubt: ein Sprachcode wie de oder en")
    return value.strip()


def _email(value: object) -> object:
    if isinstance(value, str) and (value.count("@") != 1 or " " in value.strip()):
        raise ValueError("keine E-Mail-Adresse; erlaubt: name@example.org")
    return value


@dataclass(frozen=True)
class Text(GroupedMetadata):
    """`Annotated[str, Text(300, 1)]`: text as written (numbers YAML read taken as text), trimmed,
    within the database column's length. One object for both, so mypy sees a plain `str`."""

    max_length: int | None = None
    min_length: int = 0

    def __iter__(self) -> Iterator[object]:
        yield BeforeValidator(_text)
        yield StringConstraints(strip_whitespace=True, min_length=self.min_length, max_length=self.max_length)


@dataclass(frozen=True)
class Code(GroupedMetadata):
    """`Annotated[str, Code(32)]`: an entity code, upper case, not empty."""

    max_length: int

    def __iter__(self) -> Iterator[object]:
        yield BeforeValidator(_code)
        yield StringConstraints(min_length=1, max_length=self.max_length)


Handle = Annotated[str, BeforeValidator(_handle), StringConstraints(min_length=1, max_length=64)]
Day = Annotated[date, BeforeValidator(v.parse_date)]
OptDay = Annotated[date | None, BeforeValidator(v.parse_date)]
# Scales as in storage/models/catalog.py: Amount Numeric(18, 4), Money Numeric(14, 2), Numeric(8, 2).
Amount = Annotated[Decimal, BeforeValidator(v.decimal_for(18, 4))]
OptAmount = Annotated[Decimal | None, BeforeValidator(v.decimal_for(18, 4))]
OptMoney = Annotated[Decimal | None, BeforeValidator(v.decimal_for(14, 2))]
OptSmall = Annotated[Decimal | None, BeforeValidator(v.decimal_for(8, 2))]
Small = Annotated[Decimal, BeforeValidator(v.decimal_for(8, 2))]
StatusValue = Annotated[Status, BeforeValidator(v.parse_status)]
Progress = Annotated[int, BeforeValidator(v.parse_progress), Field(ge=0, le=100)]
Flag = Annotated[bool, BeforeValidator(v.parse_bool)]
Count = Annotated[int, Field(ge=0, le=366)]
Transport = Annotated[str, BeforeValidator(v.parse_transport)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=False)


class LevelsIn(Strict):
    field: Annotated[str, Text(60)] = "Handlungsfeld"
    recommendation: Annotated[str, Text(60)] = "Handlungsempfehlung"
    measure: Annotated[str, Text(60)] = "Maßnahme"


class ConceptIn(Strict):
    code: Annotated[str, BeforeValidator(_text), StringConstraints(strip_whitespace=True, min_length=1,
                                                                  max_length=64)]
    title: Annotated[str, Text(300, 1)]
    city: Annotated[str, Text(120)] = ""
    example: Flag = False
    description: Annotated[str, Text()] = ""
    levels: LevelsIn = Field(default_factory=LevelsIn)


class AbsenceIn(Strict):
    start: Day = Field(alias="from")
    end: Day = Field(alias="to")
    note: Annotated[str, Text(200)] = ""


class PersonIn(Strict):
    handle: Handle
    name: Annotated[str, Text(200, 1)]
    org_unit: Annotated[str, Text(200)] = ""
    email: Annotated[str | None, BeforeValidator(_email), StringConstraints(max_length=254)] = None
    locale: Annotated[str | None, BeforeValidator(_locale)] = None
    timezone: Annotated[str | None, BeforeValidator(_timezone)] = None
    publication_consent: Flag = False
    identities: dict[Transport, Annotated[str, Text(255, 1)]] = Field(default_factory=dict)
    absences: list[AbsenceIn] = Field(default_factory=list)


class CadenceIn(Strict):
    per_year: Count = 0
    minimum: Flag = False


class MemberIn(Strict):
    person: Handle
    role: Annotated[MemberRole, BeforeValidator(v.parse_role)] = MemberRole.MEMBER
    organisation: Annotated[str, Text(200)] = ""


class BodyIn(Strict):
    code: Annotated[str, Code(32)]
    name: Annotated[str, Text(200, 1)]
    kind: Annotated[BodyKind, BeforeValidator(v.parse_kind)]
    coordinating: Flag = False
    description: Annotated[str, Text()] = ""
    cadence: CadenceIn = Field(default_factory=CadenceIn)
    rooms: dict[Transport, Annotated[str, Text(255, 1)]] = Field(default_factory=dict)
    members: list[MemberIn] = Field(default_factory=list)


class ReportingLineIn(Strict):
    from_body: Annotated[str, Code(32)] = Field(alias="from")
    to_body: Annotated[str, Code(32)] = Field(alias="to")
    per_year: Count = 4
    lead_days: Annotated[int, Field(ge=0, le=365)] = 14
    name: Annotated[str, Text(200)] = ""


class IndicatorValueIn(Strict):
    period: Annotated[str, Text(20, 1)]
    gender: Annotated[str, BeforeValidator(v.parse_gender)] = "gesamt"
    district: Annotated[str, Text(80)] = ""
    value: Amount


class IndicatorIn(Strict):
    code: Annotated[str, Code(40)]
    name: Annotated[str, Text(300, 1)]
    unit: Annotated[str, Text(40)] = ""
    source: Annotated[str, Text(300)] = ""
    periodicity: Annotated[str, Text(20, 1)] = "annual"
    description: Annotated[str, Text()] = ""
    values: list[IndicatorValueIn] = Field(default_factory=list)


class MetricIn(Strict):
    name: Annotated[str, Text(200, 1)]
    unit: Annotated[str, Text(40)] = ""
    baseline: OptAmount = None
    baseline_date: OptDay = None
    target: OptAmount = None
    target_date: OptDay = None
    current: OptAmount = None
    current_date: OptDay = None


class MeasureIn(Strict):
    code: Annotated[str, Code(40)]
    title: Annotated[str, Text(300, 1)]
    description: Annotated[str, Text()] = ""
    owner: Annotated[str | None, BeforeValidator(_nullable(_handle))] = None
    owner_unit: Annotated[str, Text(200)] = ""
    start: OptDay = None
    end: OptDay = None
    budget_planned: OptMoney = None
    budget_spent: OptMoney = None
    staff: OptSmall = None
    status: StatusValue = Status.NOT_STARTED
    progress: Progress = 0
    weight: Small = Decimal(1)


class RecommendationIn(Strict):
    code: Annotated[str, Code(32)]
    title: Annotated[str, Text(300, 1)]
    description: Annotated[str, Text()] = ""
    body: Annotated[str | None, BeforeValidator(_nullable(_code))] = None  # None: the field's body
    owner: Annotated[str | None, BeforeValidator(_nullable(_handle))] = None
    owner_unit: Annotated[str, Text(200)] = ""
    time_target: OptDay = None
    status: StatusValue = Status.NOT_STARTED
    progress: Progress = 0
    progress_from_measures: Flag = False
    indicators: list[Annotated[str, Code(40)]] = Field(default_factory=list)
    metrics: list[MetricIn] = Field(default_factory=list)
    measures: list[MeasureIn] = Field(default_factory=list)


class FieldIn(Strict):
    code: Annotated[str, Code(32)]
    title: Annotated[str, Text(300, 1)]
    description: Annotated[str, Text()] = ""
    body: Annotated[str | None, BeforeValidator(_nullable(_code))] = None
    recommendations: list[RecommendationIn] = Field(default_factory=list)


class CatalogIn(Strict):
    # None only in a catalog with errors (validate_catalog leaves an invalid concept out),
    # which is checked for more errors but never applied
    concept: ConceptIn | None
    people: list[PersonIn] = Field(default_factory=list)
    bodies: list[BodyIn] = Field(default_factory=list)
    reporting_lines: list[ReportingLineIn] = Field(default_factory=list)
    indicators: list[IndicatorIn] = Field(default_factory=list)
    fields: list[FieldIn] = Field(default_factory=list)

    def row_count(self) -> int:
        """Entities in the file, for the progress bar's total."""
        recs = [r for f in self.fields for r in f.recommendations]
        return (1 + len(self.people) + len(self.bodies) + len(self.reporting_lines)
                + len(self.indicators) + len(self.fields) + len(recs))


def keys_at(model: type[BaseModel], loc: typing.Sequence[str | int]) -> list[str] | None:
    """The keys the model at `loc` accepts, as written in the file (aliases)."""
    current: Any = model
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int):
            continue  # list index: the item type was unwrapped already
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = next((f for name, f in current.model_fields.items() if (f.alias or name) == part), None)
        if field is None:
            return None
        current = field.annotation
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [f.alias or name for name, f in current.model_fields.items()]
    return None


def _unwrap(annotation: Any) -> Any:
    """list[X] / X | None / Annotated[X, ...] → X."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (list, Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0]
        else:
            return annotation
