"""Hostile input over every public output, in a real browser (issue #15, point 2).

The corpus of tests/helpers/hostile.py goes in through every way text enters: the question
form (text, and the name with "may be shown"), chat commands (descriptions, bodies, places,
agenda items, answers to questions) and a round conversation (the public summary), the YAML
catalog, a recommendation list as CSV and as XLSX, and indicator values. Then every public
output is loaded in headless Chromium with JavaScript on: the served pages (with their
Content-Security-Policy), the static export and the reports (files, without one), the feed,
the JSON and OParl documents. No payload may run (each sets `window.__pwned` or opens a
dialog), no CSP violation may occur (it would mean markup got in), and the text must be shown
as the person typed it. The calendars are not rendered by browsers: they are parsed, and the
iCalendar payload must not smuggle in an event.
"""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from icalendar import Calendar

from bot.public.export import export
from bot.reports.documents import KINDS
from bot.reports.documents import render as render_report
from storage.catalog_io import import_catalog
from tests.browser.test_public_page import CHROMIUM, LAUNCH_ARGS
from tests.helpers.harness import Bot, make_settings
from tests.helpers.hostile import ALL, INJECTED_EVENT, LONG, SHORT, shown

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]
ROOM = "#eg-arbeit-wirtschaft"
# installed before any script of the page: what a payload or the CSP would leave behind
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation',
  e => window.__violations.push(e.violatedDirective + ' ' + (e.blockedURI || '') + ' ' + (e.sample || '')));
"""


def _catalog_files(tmp: Path) -> list[Path]:
    """The corpus in a YAML catalog, a CSV and an XLSX recommendation list and indicator values."""
    from openpyxl import Workbook

    doc = {
        "concept": {"code": "koeln-integration", "title": "Integrationskonzept " + SHORT[2]},
        "people": [{"handle": "feindlich", "name": SHORT[16], "publication_consent": True, "email": "f@example.org"}],
        "bodies": [{"code": "AK9", "name": SHORT[3], "kind": "working_group", "description": SHORT[4]}],
        "indicators": [{"code": "K-HOST-01", "name": SHORT[5], "unit": "Pers.", "source": SHORT[7],
                        "values": [{"period": "2025", "value": 5, "district": SHORT[8][:80]},
                                   {"period": "2026", "value": 6}]}],
        "fields": [{"code": "HF9", "title": SHORT[9], "description": SHORT[10], "recommendations": [
            {"code": "HF9-01", "title": SHORT[11], "description": LONG, "owner": "feindlich",
             "owner_unit": SHORT[12], "indicators": ["K-HOST-01"],
             "metrics": [{"name": SHORT[13], "unit": "Anzahl", "target": 10}],
             "measures": [{"code": "HF9-01-M1", "title": SHORT[14]}]}]}],
    }
    catalog = tmp / "feindlich.yaml"
    catalog.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), "utf-8")
    table = tmp / "liste.csv"
    with table.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["Code", "Titel", "Beschreibung", "Handlungsfeld"])
        writer.writerow(["HF9-02", SHORT[15], SHORT[17], "HF9"])
    book = Workbook()
    sheet = book.active
    sheet.append(["Code", "Titel", "Beschreibung", "Handlungsfeld"])
    sheet.append(["HF9-03", SHORT[0], SHORT[1], "HF9"])
    xlsx = tmp / "liste.xlsx"
    book.save(xlsx)
    values = tmp / "kennzahlen.csv"
    with values.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter=";")
        writer.writerow(["Kennziffer", "Zeitraum", "Geschlecht", "Bezirk", "Wert"])
        writer.writerow(["K-HOST-01", "2024", "weiblich", SHORT[6][:80], "7"])
    return [catalog, table, xlsx, values]


async def _post_question(http: aiohttp.ClientSession, base: str, name: str, text: str) -> None:
    async with http.get(base + "empfehlungen/HF2-04.html") as resp:
        token = re.search(r'name="token" value="([^"]*)"', await resp.text())[1]  # type: ignore[index]
    fields = {"token": token, "empfehlung": "HF2-04", "text": text, "name": name, "show_name": "1",
              "email": "angreifer@example.org", "consent": "1", "website": ""}
    async with http.post(base + "fragen", data=fields, allow_redirects=False) as resp:
        assert resp.status == 303, (resp.status, name, text[:40])


async def _feed_everything(bot: Bot, base: str, tmp: Path) -> dict[str, list[str]]:
    """Every way in; returns what must be shown where (output → texts)."""
    for path in _catalog_files(tmp):
        with bot.app.uow_factory() as uow:
            import_catalog(uow, path)
            uow.commit()
    expect: dict[str, list[str]] = {
        "index.html": ["Integrationskonzept " + SHORT[2], SHORT[9], SHORT[11], SHORT[15], SHORT[0]],
        "empfehlungen/HF9-01.html": [SHORT[11], LONG, SHORT[16]],
        "empfehlungen/HF9-02.html": [SHORT[15], SHORT[17]],
        "empfehlungen/HF9-03.html": [SHORT[0], SHORT[1]],
        "gremien.html": [SHORT[3]],
        "empfehlungen/HF2-04.html": [],
    }
    # chat commands and a conversation
    said = [("koordination", f"empfehlung ändern HF2-04 beschreibung {SHORT[5]}", None),
            ("koordination", f"gremium anlegen AK8 arbeitskreis {SHORT[7]}", None),
            # AK9 (from the YAML catalog) has no other meeting ahead: the commands need not name one
            ("koordination", f'sitzung anlegen AK9 14.01.2027 10:00 90min "{SHORT[18]}"', None),
            ("koordination", f"top vorschlagen AK9 {SHORT[10]}", None),
            ("koordination", "top annehmen AK9 2 öffentlich", None)]  # 1 is the standing item
    for user, text, room in said:
        answer = "\n".join(m.text("plain") for m in await bot.say(user, text, room))
        refused = ("Aufruf:", "schiefgegangen", "Welche ist gemeint?", "Which one")
        assert not any(w in answer for w in refused), (text, answer)
    expect["empfehlungen/HF2-04.html"] += [SHORT[5]]
    expect["gremien.html"] += [SHORT[7], SHORT[10]]
    await bot.say("koordination", "runde starten EG2 frist 15.12.2026")
    for answer in ("2", "75", SHORT[12], SHORT[13], "keine", SHORT[14], "ja", "ja"):
        await bot.say("testmann", answer)
    await bot.say("koordination", "freigeben alle")
    expect["empfehlungen/HF2-04.html"] += [SHORT[14]]
    # the question form, every payload as text and (when it fits) as the name shown with it
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        for i, payload in enumerate(ALL):
            await _post_question(http, base, SHORT[i % len(SHORT)], payload)
    with bot.app.uow_factory() as uow:
        from storage.models import PublicQuestion

        numbers = [q.id for q in uow.session.query(PublicQuestion).order_by(PublicQuestion.id)]
    assert len(numbers) == len(ALL)
    for number, payload in zip(numbers, reversed(ALL)):
        await bot.say("koordination", f"frage antworten {number} {payload}")
        await bot.say("koordination", f"frage veröffentlichen {number}")
    expect["empfehlungen/HF2-04.html"] += [*ALL, *SHORT]
    return expect


async def _check_page(page: Any, url: str) -> tuple[str, str]:
    """Load one output; the text the browser shows. Fails if a payload ran or the CSP fired."""
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    response = await page.goto(url, wait_until="load")
    assert response is None or response.ok, (url, response.status if response else None)
    await page.wait_for_timeout(0)  # let onload handlers (if any got in) run before reading
    pwned = await page.evaluate("() => window.__pwned")
    violations = await page.evaluate("() => window.__violations")
    text = await page.evaluate("() => document.body ? document.body.innerText : document.documentElement.textContent")
    assert pwned is None, (url, pwned)
    assert not dialogs, (url, dialogs)
    assert violations == [], (url, violations)
    return url, shown(text)


async def test_no_hostile_input_runs_or_breaks_any_public_output(db_url: str, tmp_path: Path) -> None:
    playwright_api = pytest.importorskip("playwright.async_api")
    settings = make_settings(db_url, web__enabled="true", web__port="0", general__example_history="true",
                             questions__rate_limit="1000")
    async with Bot(settings) as bot, playwright_api.async_playwright() as pw:
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        expect = await _feed_everything(bot, base, tmp_path)
        static = tmp_path / "static"
        await bot.app.run_sync(export, bot.app, static)
        reports = tmp_path / "berichte"
        reports.mkdir()
        with bot.app.uow_factory() as uow:
            for kind in KINDS:
                period = {"halbjahr": "2026-H2", "beirat": "2026", "sachstand": "2026"}.get(kind, "2025-2026")
                html = render_report(bot.app.services, uow, kind, period, "EG2" if kind == "sachstand" else None)
                (reports / f"{kind}.html").write_text(html, "utf-8")
        served = ["index.html", "gremien.html", "fragen/danke.html", "feed.atom", "api/status.json",
                  "api/status.schema.json", *sorted({p for p in expect} | {f"empfehlungen/HF{n}.html" for n in
                                                                            ("2-01", "2-04", "9-01")}),
                  "oparl/v1.1/", "oparl/v1.1/body/1", "oparl/v1.1/body/1/organization", "oparl/v1.1/body/1/meeting",
                  "oparl/v1.1/body/1/agendaItem", "oparl/v1.1/body/1/person", "oparl/v1.1/body/1/paper"]
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            context = await browser.new_context(java_script_enabled=True)
            await context.add_init_script(WATCH)
            page = await context.new_page()
            texts: dict[str, str] = {}
            for path in served:
                _, texts[path] = await _check_page(page, base + path)
            for file in sorted(static.rglob("*.html")) + sorted(reports.glob("*.html")):
                _, texts[str(file.relative_to(tmp_path))] = await _check_page(page, file.as_uri())
            for file in sorted(static.rglob("*.atom")) + sorted(static.rglob("*.json")):
                await _check_page(page, file.as_uri())
        finally:
            await browser.close()

        # shown as text, as typed: on the served page and in its static copy
        missing = [(path, text[:60]) for path, wanted in expect.items() for text in wanted
                   for where in (path, f"static/{path}") if shown(text) not in texts[where]]
        assert missing == [], missing[:8]
        assert shown(SHORT[5]) in texts["berichte/integrationsbericht.html"]  # the indicator's name
        # the feed and the JSON carry the text as text too
        async with aiohttp.ClientSession() as http:
            async with http.get(base + "api/status.json") as resp:
                status = await resp.json()
            async with http.get(base + "calendar/all.ics") as resp:
                calendar = Calendar.from_ical(await resp.read())
            async with http.get(base + "calendar/AK9.ics") as resp:
                ak9 = Calendar.from_ical(await resp.read())
        dumped = json.dumps(status, ensure_ascii=False)
        assert all(json.dumps(p, ensure_ascii=False)[1:-1] in dumped for p in (SHORT[0], SHORT[11], LONG))
        for cal in (calendar, ak9):
            summaries = [str(e.get("summary")) for e in cal.walk("VEVENT")]
            assert INJECTED_EVENT not in summaries and not any(s.startswith(INJECTED_EVENT) for s in summaries)
        [meeting] = [e for e in ak9.walk("VEVENT") if "END:VEVENT" in str(e.get("location", ""))]
        assert shown(str(meeting.get("location"))) == shown(SHORT[18])  # the place, one value, no new lines
