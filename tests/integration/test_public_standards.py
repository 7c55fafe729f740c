"""The public site and the reports against independent validators (issue #15):

- every public page (served and exported) and every report kind: 0 errors in the Nu Html
  Checker, run once over all files; reports byte-identical for the same data, with unique ids,
  a viewport and a caption on every table;
- /feed.atom valid against RFC 4287's RELAX NG grammar and its Schematron rules;
- /api/status.json valid against the JSON Schema it names, published at /api/status.schema.json;
- CORS only on the open data (feed, JSON, OParl, calendars), never on HTML pages and forms;
- a favicon (no 404 in every browser console) and a meta description per page."""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import aiohttp
import jsonschema
import pytest

from bot.public.export import export
from bot.public.site import Site
from bot.reports.documents import render
from storage.models import PublicQuestion
from tests.helpers.harness import Bot, make_settings
from tests.helpers.validators import atom_errors, html_errors

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
PUBLIC = "Zwei Teilzeitkurse laufen."
EVIL = '<script>alert("x")</script> <b>fett</b> ]]> &amp; \u202e & "Co"'  # markup stays text
REPORTS = [("sachstand", "2026-Q4", "EG2"), ("stand", "2026-H2", None), ("halbjahr", "2026-H2", None),
           ("beirat", "2026", None), ("integrationsbericht", "2025-2026", None)]


async def _get(base: str, path: str, **headers: str) -> tuple[int, bytes, Any]:
    async with aiohttp.ClientSession() as http, http.get(base + path, headers=headers, allow_redirects=False) as r:
        return r.status, await r.read(), r.headers.copy()


async def _released(bot: Bot) -> None:
    """A released state (a feed entry without an author: a coordinator's release) and meetings."""
    await bot.say("koordination", "runde starten EG2 frist 15.12.2026")
    for answer in ("2", "75", "Kurse laufen.", "Weiter.", "keine", "Entwurf", "ja", "ja"):
        await bot.text("testmann", answer)
    number = (await bot.text("koordination", "freigabe")).split("[")[1].split("]")[0]
    await bot.text("koordination", f"freigabe text {number} {PUBLIC}")
    await bot.text("koordination", f"freigeben {number}")
    await bot.say("beispiel", 'sitzung anlegen EG2 14.01.2027 10:00 90min "Rathaus, Raum 12"')
    await bot.say("koordination", 'sitzung anlegen EG3 15.06.2027 10:00 2h "https://meet.example.org/x?pwd=1"')
    # published questions, one with a shown name (an entry author), one without, with markup as text
    now = bot.clock()
    with bot.app.uow_factory() as uow:
        rec = uow.catalog.recommendation("HF2-04")
        assert rec is not None
        uow.session.add_all([
            PublicQuestion(recommendation_id=rec.id, text=f"Wann? {EVIL}", name=f"Erika {EVIL}", show_name=True,
                           consent_at=now, state="published", published_at=now, answer=f"Im März. {EVIL}",
                           answered_at=now),
            PublicQuestion(text="Wie kann ich mitmachen?\n\nZweiter Absatz.", name="Versteckt", show_name=False,
                           consent_at=now, state="published", published_at=now)])
        uow.commit()


async def test_every_page_and_report_is_valid_html(db_url: str, tmp_path: Path) -> None:
    # with the legal texts and a contact, so that the imprint and privacy pages exist and are checked (issue #18)
    settings = make_settings(db_url, web__enabled="true", web__port="0", site__imprint_text="Stadt <Beispiel>\nRathaus",
                             site__privacy_text="Verantwortlich: die Stadt.", site__contact_email="integration@stadt.example",
                             site__contact_phone="0221 123 456", site__contact_address="Rathaus, 50667 Köln")
    async with Bot(settings) as bot:
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        await _released(bot)
        site = Site(bot.app.services)
        with bot.app.uow_factory() as uow:
            paths = [*site.paths(uow), *site.assets()]
            thanks = site.thanks(uow, "HF2-04").body
        pages = tmp_path / "served"
        served = {}
        for path in paths:
            status, body, headers = await _get(base, path)
            assert status == 200, path
            served[path] = (body, headers["Content-Type"])
            assert b"meet.example.org" not in body and b"pwd=" not in body, path  # the dial-in link is the members'
            if headers["Content-Type"].startswith("text/html") or path.endswith(".svg"):
                target = pages / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(body)
        (pages / "danke.html").write_bytes(thanks)
        meetings = (await _get(base, "oparl/v1.1/body/1/meeting"))[1]
        assert b"EG3" in meetings and b"meet.example.org" not in meetings
        assert await bot.app.run_sync(export, bot.app, tmp_path / "static") >= 35
        reports = tmp_path / "reports"
        reports.mkdir()
        rendered = {}
        for kind, period, body in REPORTS:
            with bot.app.uow_factory() as uow:
                rendered[kind] = (render(bot.app.services, uow, kind, period, body),
                                  render(bot.app.services, uow, kind, period, body))
            (reports / f"{kind}.html").write_text(rendered[kind][0])

        files = sorted(p for p in tmp_path.rglob("*") if p.suffix in (".html", ".svg"))
        assert len(files) >= 70  # 34 pages served and exported, the thanks page, 2 icons, 5 reports
        assert html_errors(files) == []  # one JVM for all files
        print(f"Nu Html Checker: {len(files)} files, 0 errors")

        for kind, (first, second) in rendered.items():
            assert first == second, kind  # the same data, the same bytes: no random ids, no dates of drawing
            ids = re.findall(r'\sid="([^"]+)"', first)
            assert len(ids) == len(set(ids)), kind
            assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in first
            assert first.count("<table") == first.count("<caption>"), kind

        descriptions = {}
        for path, (body, content_type) in served.items():
            if content_type.startswith("text/html"):
                found = re.findall(rb'<meta name="description" content="([^"]+)">', body)
                assert len(found) == 1 and len(found[0]) > 40, path
                descriptions[path] = found[0]
        # each kind of page says what it is about: the overview, the bodies, every recommendation
        assert len(set(descriptions.values())) == len(descriptions) >= 30


async def test_the_feed_is_valid_atom_and_the_json_follows_its_published_schema(db_url: str) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        await _released(bot)
        status, feed, headers = await _get(base, "feed.atom")
        assert status == 200 and PUBLIC.encode() in feed
        assert atom_errors(feed) == []  # RFC 4287 appendix B: grammar and rules (feed author)
        assert b"<name>Erika &lt;script&gt;" in feed and b"Versteckt" not in feed  # a name only when shown
        assert b"<rights>https://www.govdata.de/dl-de/zero-2-0</rights>" in feed

        raw = (await _get(base, "api/status.json"))[1]
        document = json.loads(raw)
        assert document["version"] == "1.3" and document["license"] == "https://www.govdata.de/dl-de/zero-2-0"
        assert document["$schema"] == "http://127.0.0.1:8080/api/status.schema.json"  # the configured public URL
        status, raw_schema, schema_headers = await _get(base, "api/status.schema.json")
        assert status == 200 and schema_headers["Content-Type"].startswith("application/schema+json")
        schema = json.loads(raw_schema)
        assert schema["$id"] == document["$schema"]
        jsonschema.Draft202012Validator.check_schema(schema)
        validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
        assert [e.message for e in validator.iter_errors(document)] == []
        released = [r for f in document["fields"] for r in f["recommendations"] if r["status"]]
        assert [r["code"] for r in released] == ["HF2-04"]
        # the schema holds readers to something: a wrong type or a missing key is refused; an added key is not
        broken = {**document, "version": 2, "extra": True}
        del broken["fields"][0]["recommendations"][0]["status"]
        assert {e.validator for e in validator.iter_errors(broken)} == {"type", "required"}


async def test_cors_only_on_open_data_and_a_favicon(db_url: str) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        for path in ("", "index.html", "gremien.html", "empfehlungen/HF2-04.html"):
            status, _, headers = await _get(base, path)
            assert status == 200 and "Access-Control-Allow-Origin" not in headers, path
        for path in ("feed.atom", "api/status.json", "api/status.schema.json", "oparl/v1.1/", "oparl/v1.1/body",
                     "calendar/all.ics", "calendar/EG2.ics"):
            status, _, headers = await _get(base, path)
            assert status == 200 and headers.get("Access-Control-Allow-Origin") == "*", path

        status, icon, headers = await _get(base, "favicon.ico")
        assert status == 200 and headers["Content-Type"] == "image/x-icon"
        assert icon[:4] == b"\x00\x00\x01\x00" and icon[22:30] == b"\x89PNG\r\n\x1a\n"  # an ICO holding a PNG
        status, svg, headers = await _get(base, "favicon.svg")
        assert status == 200 and headers["Content-Type"] == "image/svg+xml" and svg.startswith(b"<svg")
        page = (await _get(base, "empfehlungen/HF2-04.html"))[1]
        assert b'<link rel="icon" href="../favicon.svg" type="image/svg+xml">' in page


HOSTILE = 'Konzept "Zukunft" <script>alert(1)</script> & Co'


async def test_descriptions_in_english_and_with_a_hostile_title(db_url: str, tmp_path: Path) -> None:
    """The other language, and a concept title that would break out of the attribute."""
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0", general__locale="en")) as bot:
        with bot.app.uow_factory() as uow:
            concept = uow.catalog.concept()
            assert concept is not None
            concept.title = HOSTILE
            uow.commit()
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        expected = {"index.html": b"How far the recommendations of ", "gremien.html": b"The bodies of ",
                    "empfehlungen/HF2-04.html": b"HF2-04 "}
        for path, start in expected.items():
            body = (await _get(base, path))[1]
            [description] = re.findall(rb'<meta name="description" content="([^"]*)">', body)
            assert description.startswith(start), (path, description)
            assert b"<script" not in body and b"<script" not in description
            if path != "empfehlungen/HF2-04.html":
                assert b"&lt;script&gt;" in description and b"&#34;Zukunft&#34;" in description, description
            assert body.startswith(b'<!DOCTYPE html>\n<html lang="en">')
            (tmp_path / path.replace("/", "-")).write_bytes(body)
        assert html_errors(sorted(tmp_path.glob("*.html"))) == []
