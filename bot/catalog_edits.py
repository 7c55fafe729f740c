"""A chair's catalog edits wait for the office's release (issue #18, deliver 7; site finding F1).

Every change a chair makes to the published concept — a recommendation's title, description, time
target, owner, unit or body, a new recommendation, a new target metric, a new measure, a changed
measure — is held as a pending `Release` of kind `edit:…` until a coordinator releases it
(`[site] chair_edits_need_release = false` switches this off). Changes of attributes are proposals:
the catalog changes only on release. New things are created at once, so the chair can go on
working with them, but stay off the public site (`unreleased`) until released."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Body, Person, Release, Status

EDIT_PREFIX = "edit:"  # Release.kind of a chair's catalog edit (the column holds at most 16 characters)
NEW_REC, NEW_METRIC, NEW_MEASURE = "edit:new_rec", "edit:new_metric", "edit:new_measure"
MEASURE = "edit:measure"  # a measure's attribute: text is JSON {"code", "attr", "value"}
CREATIONS = (NEW_REC, NEW_METRIC, NEW_MEASURE)
EDITABLE = ("title", "description", "time_target", "owner", "owner_unit", "body")  # a recommendation's
_DATES = {"time_target", "start", "end"}
_DECIMALS = {"weight", "budget_planned", "budget_spent", "staff"}
_TEXTS = {"title", "description", "owner_unit"}


def encode(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Person):
        return str(value.id)
    if isinstance(value, Body):
        return value.code
    if isinstance(value, Status):
        return value.value
    return str(value)


def decode(session: Session, attribute: str, text: str) -> Any:
    if attribute in _TEXTS:
        return text
    if not text:
        return None
    if attribute in _DATES:
        return date.fromisoformat(text)
    if attribute == "owner":
        return session.get(Person, int(text))
    if attribute == "body":
        return session.scalar(select(Body).where(Body.code == text))
    if attribute == "status":
        return Status(text)
    if attribute == "progress":
        return int(text)
    if attribute in _DECIMALS:
        return Decimal(text)
    return text


def shown(value: Any) -> object:
    """How a value is written into the change history (as `handlers.editing` does)."""
    if isinstance(value, Person):
        return value.handle
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Status):
        return value.value
    return getattr(value, "code", value)


@dataclass
class Held:
    """What a pending catalog edit changes: `attribute` is a recommendation's attribute, a creation
    ("new_rec", "new_metric", "new_measure") or "measure:<attr>"; `subject` the measure code or metric name."""

    attribute: str
    subject: str
    value: Any


def held(session: Session, release: Release) -> Held:
    if release.kind == MEASURE:
        spec = json.loads(release.text)
        return Held(f"measure:{spec['attr']}", spec["code"], decode(session, spec["attr"], spec["value"]))
    attribute = release.kind.removeprefix(EDIT_PREFIX)
    if release.kind in CREATIONS:
        return Held(attribute, release.text, release.text)
    return Held(attribute, "", decode(session, attribute, release.text))


def measure_text(code: str, attribute: str, value: Any) -> str:
    return json.dumps({"code": code, "attr": attribute, "value": encode(value)}, ensure_ascii=False)


@dataclass
class Unreleased:
    """Things a chair created that the office has not released: never on the public site."""

    recs: set[int] = field(default_factory=set)
    metrics: set[tuple[int, str]] = field(default_factory=set)  # (recommendation id, metric name)
    measures: set[str] = field(default_factory=set)  # measure codes


def unreleased(session: Session) -> Unreleased:
    out = Unreleased()
    for kind, rec_id, text in session.execute(select(Release.kind, Release.recommendation_id, Release.text).where(
            Release.kind.in_(CREATIONS), Release.state != "released")).all():
        if kind == NEW_REC:
            out.recs.add(rec_id)
        elif kind == NEW_METRIC:
            out.metrics.add((rec_id, text))
        else:
            out.measures.add(text)
    return out
