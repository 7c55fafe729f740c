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
        "required": ["code", "title", "owner", "time_target", "status", "progress", "summary", "released_at",
                     "history", "questions"],
        "properties": {"code": {"type": "string"}, "title": {"type": "string"}, "owner": {"type": ["string", "null"]},
                       "time_target": {"type": ["string", "null"], "format": "date"}, **state,
                       "summary": {"type": "string"}, "released_at": MAYBE_STAMP,
                       "history": {"type": "array", "items": {"$ref": "#/$defs/history"}},
                       "questions": {"type": "array", "items": {"$ref": "#/$defs/question"}}}}
    field = {"type": "object", "required": ["code", "title", "progress", "recommendations"],
             "properties": {"code": {"type": "string"}, "title": {"type": "string"},
                            "progress": {"type": ["integer", "null"], "minimum": 0, "maximum": 100},
                            "recommendations": {"type": "array", "items": {"$ref": "#/$defs/recommendation"}}}}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": base + "api/status.schema.json",
        "title": "Sachstand: public implementation status",
        "description": "Released status of each recommendation of the integration concept, with the published "
                       "questions and answers.",
        "type": "object",
        "required": ["$schema", "version", "license", "concept", "updated", "fields", "questions"],
        "properties": {
            "$schema": {"type": "string", "format": "uri"},
            "version": {"type": "string", "pattern": r"^1\.[0-9]+$"},
            "license": {"type": "string", "format": "uri"},
            "concept": {"type": "object", "required": ["title", "city"],
                        "properties": {"title": {"type": "string"}, "city": {"type": "string"}}},
            "updated": STAMP,
            "fields": {"type": "array", "items": {"$ref": "#/$defs/field"}},
            "questions": {"type": "array", "items": {"$ref": "#/$defs/question"}},
        },
        "$defs": {"field": field, "recommendation": recommendation, "history": history, "question": question},
    }
