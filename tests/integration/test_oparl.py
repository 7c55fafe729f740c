"""OParl 1.1 (issue #7): every object validates against the official schemas, lists page with
links.next, the created/modified filters work, CORS is open, and people appear only with
their consent (a withdrawal is reported as deleted)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import aiohttp
import jsonschema
import pytest

from storage.models import AgendaItem, Body, BodyKind, Meeting
from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
IDS = "http://127.0.0.1:8080/oparl/v1.1/"  # ids use the configured public URL (web.public_base_url)
SCHEMAS = Path(__file__).resolve().parents[3] / "shared" / "reference" / "oparl-1.1" / "schema"
if not SCHEMAS.exists():  # a fresh clone next to ../shared, or the repository itself
    SCHEMAS = Path("/work/shared/reference/oparl-1.1/schema")


def _validate(obj: dict[str, Any]) -> None:
    kind = obj["type"].rsplit("/", 1)[1]
    schema = json.loads((SCHEMAS / f"{kind}.json").read_text())
    jsonschema.validate(obj, schema)
    assert "created" in obj and "modified" in obj  # mandatory in OParl 1.1
    for key in ("membership", "agendaItem"):
        for inner in obj.get(key, []):
            if isinstance(inner, dict):
                _validate(inner)


def _seed(bot: Bot) -> None:
    with bot.app.uow_factory() as uow:
        eg2 = uow.bodies.by_code("EG2")
        assert eg2 is not None
        start = datetime(2027, 3, 14, 9, tzinfo=timezone.utc)
        meeting = Meeting(body_id=eg2.id, title="1. Sitzung 2027", starts_at=start, ends_at=start + timedelta(hours=2),
                          place="Rathaus", uid="m1@test", state="invited")
        meeting.agenda = [AgendaItem(title="Sachstand der Empfehlungen", position=1, public=True, state="accepted"),
                          AgendaItem(title="Personalangelegenheit intern", position=2, public=False, state="accepted")]
        uow.session.add(meeting)
        for i in range(30):  # enough organizations for two pages
            uow.session.add(Body(code=f"AK{i:02d}", name=f"Arbeitskreis {i}", kind=BodyKind.WORKING_GROUP))
        uow.commit()


async def _get(base: str, path: str) -> tuple[int, Any, Any]:
    async with aiohttp.ClientSession() as http, http.get(base + path) as resp:
        return resp.status, await resp.json(), resp.headers.copy()


async def test_oparl_objects_lists_and_filters(db_url: str) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:
        _seed(bot)
        base = f"http://127.0.0.1:{bot.app.web_port}/oparl/v1.1/"
        status, system, headers = await _get(base, "")
        assert status == 200 and headers["Access-Control-Allow-Origin"] == "*"
        _validate(system)
        bodies = (await _get(base, "body"))[1]
        [body] = bodies["data"]
        _validate(body)

        first = (await _get(base, "body/1/organization"))[1]
        assert first["pagination"]["totalElements"] == 39 and len(first["data"]) == 20
        second = (await _get(base, first["links"]["next"].removeprefix(IDS)))[1]
        assert len(second["data"]) == 19 and "next" not in second["links"]
        ids = [o["id"] for o in first["data"] + second["data"]]
        assert len(set(ids)) == 39
        for org in first["data"] + second["data"]:
            _validate(org)

        meetings = (await _get(base, "body/1/meeting"))[1]["data"]
        assert [m["name"] for m in meetings] == ["1. Sitzung 2027"]
        _validate(meetings[0])
        assert [a["name"] for a in meetings[0]["agendaItem"]] == ["Sachstand der Empfehlungen"]
        assert "intern" not in json.dumps((await _get(base, "body/1/agendaItem"))[1])
        status, one, _ = await _get(base, meetings[0]["id"].removeprefix(IDS))
        assert status == 200 and one == meetings[0]

        people = (await _get(base, "body/1/person"))[1]["data"]
        with bot.app.uow_factory() as uow:
            consenting = {p.name for p in uow.people.all() if p.publication_consent}
        assert {p["name"] for p in people} == consenting and consenting
        for person in people:
            _validate(person)
        for membership in (await _get(base, "body/1/membership"))[1]["data"]:
            _validate(membership)

        future = (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()
        assert (await _get(base, f"body/1/organization?created_since={future}"))[1]["data"] == []
        assert (await _get(base, "body/1/organization?modified_until=2001-01-01T00:00:00Z"))[1]["data"] == []
        assert (await _get(base, "body/1/meeting?modified_since=gestern"))[0] == 400
        assert (await _get(base, "person/999999"))[0] == 404


async def test_a_withdrawn_consent_is_reported_as_deleted(db_url: str) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:
        base = f"http://127.0.0.1:{bot.app.web_port}/oparl/v1.1/"
        people = (await _get(base, "body/1/person"))[1]["data"]
        assert people
        with bot.app.uow_factory() as uow:
            person = next(p for p in uow.people.all() if p.publication_consent and p.identity("console"))
            handle, person_id = person.identity("console"), person.id
        for answer in ("einstellungen", "1", "unverändert", "nein", "ja"):
            await bot.text(str(handle), answer)
        listed = (await _get(base, "body/1/person"))[1]["data"]
        assert f"{IDS}person/{person_id}" not in [p["id"] for p in listed]
        changes = (await _get(base, "body/1/person?modified_since=2000-01-01T00:00:00Z"))[1]["data"]
        gone = [p for p in changes if p["id"] == f"{IDS}person/{person_id}"]
        assert gone == [{"id": f"{IDS}person/{person_id}", "type": "https://schema.oparl.org/1.1/Person",
                         "deleted": True, "created": gone[0]["created"], "modified": gone[0]["modified"]}]
        assert (await _get(base, f"person/{person_id}"))[0] == 404
