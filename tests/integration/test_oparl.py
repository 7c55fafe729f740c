"""OParl 1.1 (issue #7, #15): every object validates against the official schemas and carries the
open-data licence and real created/modified times, lists page with links.next, the
created/modified filters work, CORS is open, responses have ETag/Last-Modified and answer
conditional GETs with 304, /oparl/v1.1 redirects to the entry point, and people appear only with
their consent (a withdrawal is reported as deleted)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
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


PLACEHOLDER = "2000-01-01"
LICENCE = "https://www.govdata.de/dl-de/zero-2-0"  # the default: dl-de/zero-2-0 (web.open_data_license)


def _validate(obj: dict[str, Any], licence: str = LICENCE) -> None:
    kind = obj["type"].rsplit("/", 1)[1]
    schema = json.loads((SCHEMAS / f"{kind}.json").read_text())
    jsonschema.validate(obj, schema)
    assert "created" in obj and "modified" in obj  # mandatory in OParl 1.1
    assert not obj["created"].startswith(PLACEHOLDER) and not obj["modified"].startswith(PLACEHOLDER), obj["id"]
    assert obj["created"] <= obj["modified"], obj["id"]
    assert obj["license"] == licence, obj["id"]
    for key in ("membership", "agendaItem"):
        for inner in obj.get(key, []):
            if isinstance(inner, dict):
                _validate(inner, licence)


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
        for i in range(44):  # and meetings with agenda items for three pages of each
            day = start + timedelta(days=7 * (i + 1))
            more = Meeting(body_id=eg2.id, title=f"Sitzung {i + 2}", starts_at=day, ends_at=day + timedelta(hours=1),
                           place="Rathaus", uid=f"m{i + 2}@test", state="planned")
            more.agenda = [AgendaItem(title=f"Punkt {i + 2}", position=1, public=True, state="accepted")]
            uow.session.add(more)
        uow.commit()


async def _get(base: str, path: str) -> tuple[int, Any, Any]:
    async with aiohttp.ClientSession() as http, http.get(base + path) as resp:
        return resp.status, await resp.json(), resp.headers.copy()


async def _all_pages(base: str, path: str, total: int) -> list[dict[str, Any]]:
    """Follows links.next from the first page to the last; every page says the same totals."""
    found: list[dict[str, Any]] = []
    page = (await _get(base, path))[1]
    pages = -(-total // 20)
    while True:
        assert page["pagination"] == {"totalElements": total, "elementsPerPage": 20,
                                      "currentPage": len(found) // 20 + 1, "totalPages": pages}
        found += page["data"]
        if "next" not in page["links"]:
            break
        page = (await _get(base, page["links"]["next"].removeprefix(IDS)))[1]
    assert len(found) == total and page["pagination"]["currentPage"] == pages
    return found


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

        meetings = await _all_pages(base, "body/1/meeting", 45)
        assert [m["name"] for m in meetings][:2] == ["1. Sitzung 2027", "Sitzung 2"]
        for meeting in meetings:
            _validate(meeting)
        items = await _all_pages(base, "body/1/agendaItem", 45)
        assert len({a["id"] for a in items}) == 45
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


async def test_oparl_is_cacheable_licensed_and_found_without_the_slash(db_url: str) -> None:
    licence = "https://creativecommons.org/publicdomain/zero/1.0/"
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0", web__open_data_license=licence)) as bot:
        _seed(bot)
        root = f"http://127.0.0.1:{bot.app.web_port}"
        async with aiohttp.ClientSession() as http:
            async with http.get(root + "/oparl/v1.1", allow_redirects=False) as resp:
                assert resp.status == 301 and resp.headers["Location"] == "v1.1/"  # relative: holds behind a proxy
            async with http.get(root + "/oparl/v1.1?page=2", allow_redirects=False) as resp:
                assert resp.headers["Location"] == "v1.1/?page=2"
            async with http.get(root + "/oparl/v1.1") as resp:  # a client following it lands on the System
                system = await resp.json()
                assert resp.status == 200 and system["type"] == "https://schema.oparl.org/1.1/System"
        _validate(system, licence)
        base = root + "/oparl/v1.1/"
        with bot.app.uow_factory() as uow:
            concept = uow.catalog.concept()
            assert concept is not None
            set_up = concept.created_at.replace(tzinfo=timezone.utc).isoformat(timespec="seconds")
        assert system["created"] <= set_up  # when the concept and its bodies were set up, not a placeholder
        for path in ("", "body", "body/1", "body/1/organization", "body/1/meeting", "organization/EG2"):
            status, document, headers = await _get(base, path)
            assert status == 200 and headers["ETag"] and headers["Last-Modified"], path
            for obj in document.get("data", [document]):
                _validate(obj, licence)
            async with aiohttp.ClientSession() as http:
                async with http.get(base + path, headers={"If-None-Match": headers["ETag"]}) as resp:
                    assert resp.status == 304 and await resp.read() == b"", path
                strong = headers["ETag"].removeprefix("W/")  # a compressed answer carries the weak form already
                weak = f'"other", W/{strong}'  # a list, and the weak form a compressing proxy sends
                async with http.get(base + path, headers={"If-None-Match": weak}) as resp:
                    assert resp.status == 304, path
                async with http.get(base + path, headers={"If-Modified-Since": headers["Last-Modified"]}) as resp:
                    assert resp.status == 304, path
                stale = format_datetime(datetime(2001, 1, 1, tzinfo=timezone.utc), usegmt=True)
                async with http.get(base + path, headers={"If-Modified-Since": stale}) as resp:
                    assert resp.status == 200, path
        # a change shows in the ETag: a reader's cached copy is not kept
        headers = (await _get(base, "body/1/organization"))[2]
        with bot.app.uow_factory() as uow:
            uow.session.add(Body(code="NEU", name="Neuer Arbeitskreis", kind=BodyKind.WORKING_GROUP))
            uow.commit()
        async with aiohttp.ClientSession() as http:
            async with http.get(base + "body/1/organization", headers={"If-None-Match": headers["ETag"]}) as resp:
                assert resp.status == 200 and (await resp.json())["pagination"]["totalElements"] == 40
