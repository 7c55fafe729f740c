"""The JSON Schema (draft 2020-12) of /api/status.json, published at /api/status.schema.json:
what re-users of the open data may rely on. `version` names the format: a new key raises the
minor number (readers ignore keys they do not know, so objects stay open to additions); a change
that could break a reader (a key removed, renamed or of another type) raises the major number."""
from __future__ import annotations

from typing import Any

from storage.models.base import Status

STAMP: dict[str, Any] = {"type": "string", "format": "date-time"}
MAYBE_STAMP: dict[str, Any] = {"type": ["string", "null"], "format": "date-time"}
STATUS = {"enum": [*(s.value for s in Status), None]}
MAYBE_DAY: dict[str, Any] = {"type": ["string", "null"], "format": "date"}
NUMBER: dict[str, Any] = {"type": ["number", "null"]}
TEXT: dict[str, Any] = {"type": "string"}
MAYBE_TEXT: dict[str, Any] = {"type": ["string", "null"]}


def _counts() -> dict[str, Any]:
    """Recommendations per released status; `not_reported`: none released yet."""
    keys = [*(s.value for s in Status), "not_reported"]
    return {"type": "object", "required": keys,
            "properties": {k: {"type": "integer", "minimum": 0} for k in keys}}


def _metric() -> dict[str, Any]:
    keys = ["name", "unit", "baseline", "baseline_date", "target", "target_date", "value", "value_date"]
    return {"type": "object", "required": keys,
            "description": "A target metric: baseline and target from the catalog, value: the latest public one "
                           "(imported by the office or released with a status report).",
            "properties": {"name": TEXT, "unit": TEXT, "baseline": NUMBER, "baseline_date": MAYBE_DAY,
                           "target": NUMBER, "target_date": MAYBE_DAY, "value": NUMBER, "value_date": MAYBE_DAY}}


def _measure() -> dict[str, Any]:
    keys = ["code", "title", "unit", "start", "end", "status", "progress"]
    return {"type": "object", "required": keys,
            "properties": {"code": TEXT, "title": TEXT, "unit": MAYBE_TEXT, "start": MAYBE_DAY, "end": MAYBE_DAY,
                           "status": {"enum": [s.value for s in Status]},
                           "progress": {"type": "integer", "minimum": 0, "maximum": 100}}}


def _indicator() -> dict[str, Any]:
    value = {"type": "object", "required": ["period", "gender", "district", "value"],
             "properties": {"period": TEXT, "gender": {"enum": ["gesamt", "weiblich", "männlich", "divers"]},
                            "district": MAYBE_TEXT, "value": {"type": "number"}}}
    keys = ["code", "name", "unit", "source", "periodicity", "updated", "url", "recommendations", "values"]
    return {"type": "object", "required": keys,
            "description": "A monitoring indicator with its values per period, gender and (where given) district.",
            "properties": {"code": TEXT, "name": TEXT, "unit": TEXT, "source": TEXT, "periodicity": TEXT,
                           "updated": STAMP, "url": {"type": "string", "format": "uri"},
                           "recommendations": {"type": "array", "items": TEXT},
                           "values": {"type": "array", "items": value}}}


def status_schema(base: str) -> dict[str, Any]:
    question = {"type": "object",
                "required": ["id", "question", "answer", "name", "published_at", "answered_at"],
                "properties": {"id": {"type": "integer"}, "question": {"type": "string"},
                               "answer": {"type": ["string", "null"]}, "name": {"type": ["string", "null"]},
                               "published_at": STAMP, "answered_at": MAYBE_STAMP}}
    state = {"status": STATUS, "progress": {"type": ["integer", "null"], "minimum": 0, "maximum": 100}}
    history = {"type": "object",
               "required": ["status", "progress", "text", "released_at"],
               "properties": {**state, "text": {"type": "string"}, "released_at": STAMP}}
    recommendation = {
        "type": "object",
        "required": ["code", "title", "owner", "unit", "body", "time_target", "overdue_as_of", "status", "progress",
                     "summary", "released_at", "history", "questions", "metrics", "measures", "indicators"],
        "properties": {"code": {"type": "string"}, "title": {"type": "string"}, "owner": {"type": ["string", "null"]},
                       "unit": MAYBE_TEXT, "body": MAYBE_TEXT,
                       "time_target": {"type": ["string", "null"], "format": "date"},
                       "overdue_as_of": {**MAYBE_DAY, "description": "Overdue according to the released status of "
                                         "this date (reported after the time target, not finished); null: not overdue "
                                         "as far as released."}, **state,
                       "metrics": {"type": "array", "items": {"$ref": "#/$defs/metric"}},
                       "measures": {"type": "array", "items": {"$ref": "#/$defs/measure"}},
                       "indicators": {"type": "array", "items": TEXT},
                       "summary": {"type": "string"}, "released_at": MAYBE_STAMP,
                       "history": {"type": "array", "items": {"$ref": "#/$defs/history"}},
                       "questions": {"type": "array", "items": {"$ref": "#/$defs/question"}}}}
    field = {"type": "object", "required": ["code", "title", "progress", "progress_basis", "counts", "recommendations"],
             "properties": {"code": {"type": "string"}, "title": {"type": "string"},
                            "progress": {"type": ["integer", "null"], "minimum": 0, "maximum": 100,
                                         "description": "Mean released progress of the recommendations that have one, "
                                                        "dropped ones not included."},
                            "progress_basis": {"type": "integer", "minimum": 0,
                                               "description": "How many recommendations the mean includes."},
                            "counts": {"$ref": "#/$defs/counts"},
                            "recommendations": {"type": "array", "items": {"$ref": "#/$defs/recommendation"}}}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": base + "api/status.schema.json",
        "title": "Sachstand: public implementation status",
        "description": "Released status of each recommendation of the integration concept, with the published "
                       "questions and answers.",
        "type": "object",
        "required": ["$schema", "version", "license", "concept", "updated", "counts", "progress", "progress_basis",
                     "fields", "indicators", "questions"],
        "properties": {
            "$schema": {"type": "string", "format": "uri"},
            "version": {"type": "string", "pattern": r"^1\.[0-9]+$"},
            "license": {"type": "string", "format": "uri"},
            "concept": {"type": "object", "required": ["title", "city"],
                        "properties": {"title": {"type": "string"}, "city": {"type": "string"}}},
            "updated": STAMP,
            "counts": {"$ref": "#/$defs/counts"},
            "progress": {"type": ["integer", "null"], "minimum": 0, "maximum": 100,
                         "description": "Mean released progress of all recommendations that have one, dropped ones "
                                        "not included (as on the overview)."},
            "progress_basis": {"type": "integer", "minimum": 0, "description": "How many recommendations it includes."},
            "fields": {"type": "array", "items": {"$ref": "#/$defs/field"}},
            "indicators": {"type": "array", "items": {"$ref": "#/$defs/indicator"}},
            "questions": {"type": "array", "items": {"$ref": "#/$defs/question"}},
        },
        "$defs": {"field": field, "recommendation": recommendation, "history": history, "question": question,
                  "counts": _counts(), "metric": _metric(), "measure": _measure(), "indicator": _indicator()},
    }
