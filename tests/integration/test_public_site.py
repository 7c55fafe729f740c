"""The public status page as a citizen, a councillor and a journalist read it (issue #18), over HTTP:
honest "überfällig" judged on released data only, totals and averages that say what they include,
filters and search without JavaScript, target metrics with their released values, measures, the
monitoring indicators against the example data, the English pages, the legal pages."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import aiohttp
from babel.numbers import format_decimal
import pytest
import yaml

from storage.models import Release, Status
from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "koeln.yaml"
TODAY = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)  # the harness's clock


async def _get(base: str, path: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http, http.get(base + path) as resp:
        return resp.status, (await resp.text())


def _row(page: str, code: str) -> str:
    """The overview's table row of one recommendation."""
    found = re.search(rf'<tr><td><a href="[^"]*empfehlungen/{code}\.html">.*?</tr>', page, re.S)
    assert found, code
    return found.group(0)


def _release(bot: Bot, code: str, status: Status, at: datetime) -> None:
    """A status the office released at `at` (as `freigabe` leaves it)."""
    with bot.app.uow_factory() as uow:
        rec = uow.catalog.recommendation(code)
        assert rec is not None
        uow.session.add(Release(kind="status", recommendation_id=rec.id, status=status, progress=50,
                                state="released", decided_at=at))
        uow.commit()


def _time_target(bot: Bot, code: str, days_ago: int) -> None:
    with bot.app.uow_factory() as uow:
        rec = uow.catalog.recommendation(code)
        assert rec is not None
        rec.time_target = (TODAY - timedelta(days=days_ago)).date()
        uow.commit()


async def _overdue_everywhere(base: str, code: str) -> list[str]:
    """Where the public site calls the item overdue: overview, its page, the filter, the JSON."""
    found = []
    if "überfällig" in _row((await _get(base, ""))[1], code):
        found.append("Übersicht")
    if "überfällig (laut" in (await _get(base, f"empfehlungen/{code}.html"))[1]:
        found.append("Empfehlungsseite")
    if f"empfehlungen/{code}.html" in (await _get(base, "filter/ueberfaellig.html"))[1]:
        found.append("Filter überfällig")
    document = json.loads((await _get(base, "api/status.json"))[1])
    item = next(r for f in document["fields"] for r in f["recommendations"] if r["code"] == code)
    if item["overdue_as_of"] is not None:
        found.append("JSON")
    return found


async def test_a_finished_but_unreleased_item_is_never_shown_overdue(db_url: str) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        # HF1-03 (the example's own case): done internally, its time target passed, nothing released —
        # the page used to show it in red as "überfällig"
        with bot.app.uow_factory() as uow:
            rec = uow.catalog.recommendation("HF1-03")
            assert rec is not None and rec.status is Status.DONE and rec.time_target < TODAY.date()
        assert await _overdue_everywhere(base, "HF1-03") == []
        assert "seither kein Stand gemeldet" in _row((await _get(base, ""))[1], "HF1-03")

        # HF1-02: released "in Umsetzung" before its time target, finished since, not yet released
        _time_target(bot, "HF1-02", 20)
        _release(bot, "HF1-02", Status.IN_PROGRESS, TODAY - timedelta(days=40))
        await bot.text("koordination", "status HF1-02 umgesetzt")
        assert await _overdue_everywhere(base, "HF1-02") == []
        row = _row((await _get(base, ""))[1], "HF1-02")
        assert "in Umsetzung" in row and "umgesetzt" not in row.replace("in Umsetzung", "")  # unreleased: unseen

        # the control: released "in Umsetzung" after the time target is overdue, and says as of when
        _time_target(bot, "HF1-05", 30)
        _release(bot, "HF1-05", Status.IN_PROGRESS, TODAY - timedelta(days=10))
        assert await _overdue_everywhere(base, "HF1-05") == ["Übersicht", "Empfehlungsseite", "Filter überfällig",
                                                             "JSON"]
        assert "überfällig (laut Stand vom 13.11.2026)" in _row((await _get(base, ""))[1], "HF1-05")

        # finished after it was overdue: the public still sees the released state, with its date …
        await bot.text("koordination", "status HF1-05 umgesetzt")
        assert "überfällig (laut Stand vom 13.11.2026)" in _row((await _get(base, ""))[1], "HF1-05")
        # … until the office releases "umgesetzt": never overdue again
        pending = await bot.text("koordination", "freigabe")
        number = re.search(r"\[(\d+)\] HF1-05", pending)
        assert number, pending
        await bot.text("koordination", f"freigeben {number[1]}")
        assert await _overdue_everywhere(base, "HF1-05") == []
        assert '<span class="status">umgesetzt</span>' in _row((await _get(base, ""))[1], "HF1-05")


async def test_totals_averages_and_explanations_say_what_they_include(db_url: str) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0", general__example_history="true")) as bot:
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        document = json.loads((await _get(base, "api/status.json"))[1])
        items = [r for f in document["fields"] for r in f["recommendations"]]
        counts = document["counts"]
        assert sum(counts.values()) == len(items)
        assert counts["not_reported"] == sum(1 for r in items if r["status"] is None) > 0
        assert counts["delayed"] == sum(1 for r in items if r["status"] == "delayed") >= 1
        for f in document["fields"]:
            assert f["progress_basis"] == sum(1 for r in f["recommendations"]
                                              if r["progress"] is not None and r["status"] != "dropped")

        _, page = await _get(base, "")
        reported = sum(1 for r in items if r["progress"] is not None and r["status"] != "dropped")
        assert document["progress_basis"] == reported  # the overall average is in the JSON too (F14)
        assert f"Durchschnittlicher Fortschritt: {document['progress']}" in (await _get(base, ""))[1]
        assert (f"über die {reported} von {len(items)} Empfehlungen mit freigegebenem Fortschritt; "
                "noch nicht gemeldete und entfallene sind nicht eingerechnet") in page
        # the chart: an image with a name and a text equivalent, and the same numbers as a table
        chart = re.search(r'<svg class="chart" id="chart-gesamt" role="img" aria-labelledby="([^"]+)".*?</svg>', page, re.S)
        assert chart, "no overall chart"
        assert f"in Umsetzung: {counts['in_progress']}" in chart.group(0)
        assert f"noch nicht gemeldet: {counts['not_reported']}" in chart.group(0)
        assert "<script" not in page and ' style="' not in page  # no JavaScript, no inline style (CSP)
        # the total stands next to the status, in view on a phone; the fields scroll (site2 F6)
        assert re.search(r'<thead><tr><th scope="col">Status</th><th scope="col" class="n">Gesamt</th>', page)
        # every status and "noch nicht gemeldet" is explained, and linked from where it is shown
        for label in ("nicht begonnen", "in Umsetzung", "verzögert", "blockiert", "umgesetzt", "entfallen",
                      "noch nicht gemeldet", "überfällig"):
            assert re.search(rf'<dt id="erlaeuterung-[a-z_]+">{label}</dt><dd>\w', page), label
        assert 'href="index.html#erlaeuterung-not_reported">noch nicht gemeldet</a>' in page


async def test_filters_and_search_work_without_javascript(db_url: str, tmp_path: Path) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0", general__example_history="true")) as bot:
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        _, page = await _get(base, "")
        links = set(re.findall(r'href="(filter/[^"]+\.html)"', page))
        assert {"filter/feld-HF2.html", "filter/status-delayed.html", "filter/gremium-EG2.html",
                "filter/ueberfaellig.html", "filter/status-not_reported.html"} <= links
        for link in links:
            assert (await _get(base, link))[0] == 200, link
        _, delayed = await _get(base, "filter/status-delayed.html")
        assert "empfehlungen/HF2-04.html" in delayed and "empfehlungen/HF1-01.html" not in delayed
        _, field = await _get(base, "filter/feld-HF3.html")
        assert set(re.findall(r"empfehlungen/(HF\d-\d\d)\.html", field)) == {
            f"HF3-0{i}" for i in range(1, 7)}

        status, found = await _get(base, "suche.html?q=sprachbildung")
        assert status == 200
        codes = set(re.findall(r"empfehlungen/(HF\d-\d\d)\.html", found.split('id="treffer"')[1]))
        assert {"HF1-01", "HF1-02"} <= codes and "HF2-04" not in codes
        _, by_code = await _get(base, "suche.html?q=hf2-04")
        assert set(re.findall(r"empfehlungen/(HF\d-\d\d)\.html", by_code.split('id="treffer"')[1])) == {"HF2-04"}
        _, indicator = await _get(base, "suche.html?q=K-BIL-01")
        assert 'href="kennzahlen/K-BIL-01.html"' in indicator
        _, nothing = await _get(base, "suche.html?q=%3Cscript%3Ealert(1)%3C/script%3E")
        assert "Nichts gefunden" in nothing and "<script>alert" not in nothing  # the words are escaped

        from bot.public.export import export

        await bot.app.run_sync(export, bot.app, tmp_path)
        static = (tmp_path / "suche.html").read_text()
        assert 'action="http://127.0.0.1:8080/suche.html"' in static  # a static page asks the bot's server
        assert len(set(re.findall(r"empfehlungen/(HF\d-\d\d)\.html", static))) == 31  # and lists everything
        assert (tmp_path / "filter" / "status-delayed.html").exists() and (tmp_path / "en" / "index.html").exists()


async def test_recommendation_page_shows_metrics_measures_unit_body(db_url: str) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        _, page = await _get(base, "empfehlungen/HF2-04.html")
        assert "58 von 150 Teilnehmerinnen" in page  # the imported value
        assert "Ausgangswert</dt><dd>0 (01.01.2025)" in page
        assert "Ziel</dt><dd>150 (bis 30.09.2026)" in page
        assert "HF2-04-M1 Kursbegleitende Kinderbetreuung" in page
        assert "Amt für Soziales, Arbeit und Senioren" in page
        assert "Gremium</dt><dd><a" in page

        # a round reports 75 participants: not public before the office releases it
        await bot.say("koordination", "runde starten EG2 frist 15.12.2026")
        for answer in ("2", "75", "Kurse laufen.", "Weiter.", "keine", "Zwei Kurse laufen.", "ja", "ja"):
            await bot.text("testmann", answer)
        _, page = await _get(base, "empfehlungen/HF2-04.html")
        assert "58 von 150 Teilnehmerinnen" in page and "75 von 150" not in page
        pending = await bot.text("koordination", "freigabe")
        number = re.search(r"\[(\d+)\]", pending)
        assert number, pending
        await bot.text("koordination", f"freigeben {number[1]}")
        _, page = await _get(base, "empfehlungen/HF2-04.html")
        assert "75 von 150 Teilnehmerinnen" in page and "Letzter freigegebener Wert</dt><dd>75 (23.11.2026)" in page
        assert re.search(r"\(50\s%\sdes Wegs vom Ausgangswert zum Ziel\)", page)


async def test_indicator_pages_match_the_example_data(db_url: str) -> None:
    expected = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))["indicators"]
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        _, listing = await _get(base, "kennzahlen.html")
        assert set(re.findall(r'href="kennzahlen/([^"]+)\.html"', listing)) == {i["code"] for i in expected}
        document = json.loads((await _get(base, "api/status.json"))[1])
        published = {i["code"]: i for i in document["indicators"]}
        for ind in expected:
            status, page = await _get(base, f"kennzahlen/{ind['code']}.html")
            assert status == 200 and ind["name"] in page and ind["source"] in page
            # every value with the indicator's decimals: "11,0" next to "10,9" (site2 F9)
            places = max(max(0, -Decimal(str(v["value"])).normalize().as_tuple().exponent) for v in ind["values"])
            pattern = "#,##0" + ("." + "0" * places if places else "")
            for v in ind["values"]:
                shown = format_decimal(Decimal(str(v["value"])), format=pattern, locale="de")  # 3.900 and 9,4: German
                if v.get("district"):
                    assert re.search(rf"<th scope=\"row\">{v['district']}</th><td class=\"n\">{shown}[ <]", page), v
                else:
                    row = re.search(rf'<tr><th scope="row">{v["period"]}</th>(.*?)</tr>', page)
                    assert row and f'<td class="n">{shown}</td>' in row.group(1), v
            assert '<svg class="chart" id="chart-verlauf" role="img"' in page
            assert len(published[ind["code"]]["values"]) == len(ind["values"])
            assert {(v["period"], v["gender"], v.get("district") or None, v["value"]) for v in ind["values"]} == {
                (v["period"], v["gender"], v["district"], v["value"]) for v in published[ind["code"]]["values"]}
        _, k1 = await _get(base, "kennzahlen/K-BIL-01.html")
        assert "Letzter Wert</dt><dd>9,2 % (2025)" in k1
        assert "<th scope=\"col\" class=\"n\">weiblich</th>" in k1 and "Nach Bezirk, 2025" in k1
        assert "K-BIL-01" in (await _get(base, "empfehlungen/HF1-04.html"))[1]  # linked from its recommendation


async def test_english_pages_and_legal_links(db_url: str) -> None:
    settings = make_settings(db_url, web__enabled="true", web__port="0", site__imprint_url="https://www.stadt.example/impressum",
                             site__privacy_text="Verantwortlich ist die Stadt.", site__contact_email="integration@stadt.example",
                             site__accessibility_contact="barrierefrei@stadt.example")
    async with Bot(settings) as bot:
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        _, page = await _get(base, "")
        assert 'href="https://www.stadt.example/impressum">Impressum</a>' in page
        assert 'href="datenschutz.html">Datenschutzerklärung</a>' in page
        assert 'href="barrierefreiheit.html">Erklärung zur Barrierefreiheit</a>' in page
        assert 'href="mailto:integration@stadt.example"' in page
        assert 'href="en/index.html" hreflang="en" lang="en">English</a>' in page
        assert "Verantwortlich ist die Stadt." in (await _get(base, "datenschutz.html"))[1]
        assert (await _get(base, "impressum.html"))[0] == 404  # an external link instead
        _, statement = await _get(base, "barrierefreiheit.html")
        assert 'href="mailto:barrierefrei@stadt.example"' in statement and "BITV 2.0" in statement
        assert "Durchsetzungsverfahren" in statement

        status, english = await _get(base, "en/index.html")
        assert status == 200 and '<html lang="en">' in english and "Implementation status" in english
        assert 'href="../site.css"' in english and 'href="../index.html" hreflang="de" lang="de">Deutsch</a>' in english
        assert 'href="empfehlungen/HF2-04.html"' in english
        _, rec = await _get(base, "en/empfehlungen/HF2-04.html")
        assert "Target metrics" in rec and "58 of 150" in rec and 'href="../../site.css"' in rec
        _, ind = await _get(base, "en/kennzahlen/K-BIL-01.html")
        assert "Values over time, by gender" in ind and ">female</th>" in ind and "9.2 % (2025)" in ind


async def test_a_dropped_recommendation_does_not_raise_the_averages(db_url: str) -> None:
    """Site finding F7: `entfallen` released with 100 % raised HF1's average from 43 % to 58 %."""
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0", general__example_history="true")) as bot:
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        before = json.loads((await _get(base, "api/status.json"))[1])
        with bot.app.uow_factory() as uow:
            rec = uow.catalog.recommendation("HF1-03")
            assert rec is not None
            uow.session.add(Release(kind="status", recommendation_id=rec.id, status=Status.DROPPED, progress=100,
                                    state="released", decided_at=TODAY))
            uow.commit()
        after = json.loads((await _get(base, "api/status.json"))[1])
        field = {f["code"]: f for f in after["fields"]}["HF1"]
        assert field["progress"] == {f["code"]: f for f in before["fields"]}["HF1"]["progress"]
        assert (after["progress"], after["progress_basis"]) == (before["progress"], before["progress_basis"])
        _, page = await _get(base, "")
        assert "entfallene sind nicht eingerechnet" in page


async def test_the_static_english_pages_search_in_english(db_url: str) -> None:
    """Site finding F16: the exported /en/ pages' search form posted to the German suche.html."""
    from bot.public.site import Site

    async with Bot(make_settings(db_url)) as bot:
        with bot.app.uow_factory() as uow:
            site = Site(bot.app.services, static=True)
            english = site.page(uow, "en/index.html").body.decode()  # type: ignore[union-attr]
            german = site.page(uow, "index.html").body.decode()  # type: ignore[union-attr]
    assert re.search(r'action="[^"]*/en/suche\.html"', english), "English search goes to /en/suche.html"
    assert re.search(r'action="[^"]*/suche\.html"', german) and "/en/suche" not in german


async def test_a_falling_target_is_not_read_as_exceeded_and_english_headers_are_english(db_url: str) -> None:
    """Site findings F11 ("16 von 12 Wochen" for a waiting time that should fall to 12 weeks) and F6
    (the German "Maßnahme" header on the English page)."""
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        _, german = await _get(base, "empfehlungen/HF2-01.html")
        _, english = await _get(base, "en/empfehlungen/HF2-01.html")
    assert "16 Wochen, Ziel 12 Wochen (niedriger ist besser)" in german and "16 von 12" not in german
    assert "16 Wochen, target 12 Wochen (lower is better)" in english and "16 of 12" not in english
    assert '<th scope="col">Measure</th>' in english and "Maßnahme</th>" not in english
    assert '<th scope="col">Maßnahme</th>' in german


async def test_a_missing_page_is_a_page_of_the_site_in_its_language(db_url: str) -> None:
    """Site finding F17: an outdated link answered with plain-text "404: Not Found"."""
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        async with aiohttp.ClientSession() as http:
            for path, lang, words, home in (("empfehlungen/HF9-99.html", "de", "Seite nicht gefunden", "../index.html"),
                                            ("filter/status-bogus.html", "de", "Zur Übersicht", "../index.html"),
                                            ("impressum.html", "de", "Seite nicht gefunden", "index.html"),
                                            ("nope.html", "de", "Seite nicht gefunden", "index.html"),  # site2 F2
                                            ("empfehlungen/", "de", "Seite nicht gefunden", "../index.html"),
                                            ("en/empfehlungen/HF9-99.html", "en", "Page not found", "../index.html")):
                async with http.get(base + path) as resp:
                    page = await resp.text()
                    assert resp.status == 404 and resp.content_type == "text/html", path
                assert f'<html lang="{lang}"' in page and words in page, path
                assert f'href="{home}"' in page and "suche.html" in page, path


async def test_the_accessibility_statement_claims_nothing_the_city_did_not_do(db_url: str) -> None:
    """Site finding F10: "am 2026-11-30", "Derzeit sind keine Barrieren bekannt", and testing by the
    product's CI declared as the city's."""
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0", site__statement_date="2026-11-30")) as bot:
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        _, german = await _get(base, "barrierefreiheit.html")
        _, english = await _get(base, "en/barrierefreiheit.html")
    assert "am 30.11.2026 durch eine Selbstbewertung" in german and "2026-11-30" not in german
    assert "keine Barrieren bekannt" not in german and "Bekannte Einschränkungen" in german
    assert "axe-core" not in german and "Known limitations" in english
    # site2 F13: the statement declares a compliance status, as BITV 2.0 § 7 asks
    assert "mit der BITV 2.0 nur teilweise vereinbar" in german and "partially compliant with BITV 2.0" in english
    assert "Die Stadt Köln ist bemüht" in german
