"""Regression tests for the second public-site walk of issue #18 (/work/notes/findings-site2.md),
each driven through the router as the office and the owners would, then read as a citizen reads it."""
from __future__ import annotations

import json
from typing import Any

import pytest

from bot.public.site import Site
from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _page(bot: Bot, path: str) -> str:
    with bot.app.uow_factory() as uow:
        page = Site(bot.app.services).page(uow, path)
        assert page is not None, path
        return page.body.decode()


def _rec(status_json: str, code: str) -> dict[str, Any]:
    return next(r for f in json.loads(status_json)["fields"] for r in f["recommendations"] if r["code"] == code)


def _metric(status_json: str, code: str) -> dict[str, Any]:
    metric: dict[str, Any] = _rec(status_json, code)["metrics"][0]
    return metric


async def test_f1_an_unreleased_metric_value_keeps_the_released_value_and_its_date(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        before_page, before_json = _page(bot, "empfehlungen/HF2-04.html"), _page(bot, "api/status.json")
        assert "<dd>58 (30.09.2026)</dd>" in before_page
        await bot.say("koordination", "runde starten EG2 frist 25.01.2027")
        saved = await bot.answers("testmann", "2", "149", "a", "b", "keine", "keine", "ja")
        assert "HF2-04" in saved, saved
        with bot.app.uow_factory() as uow:
            assert uow.catalog.recommendation("HF2-04").metrics[0].current == 149
        after_page = _page(bot, "empfehlungen/HF2-04.html")
        assert "<dd>149" not in after_page
        assert "<dd>58 (30.09.2026)</dd>" in after_page, after_page[after_page.find("Letzter frei"):][:200]
        metric, before = _metric(_page(bot, "api/status.json"), "HF2-04"), _metric(before_json, "HF2-04")
        assert metric == before and metric["value_date"] == "2026-09-30", metric


async def test_f9_indicator_pages_state_the_trend_round_ticks_kept_decimals_and_named_recommendations(
        db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        overview = _page(bot, "kennzahlen.html").replace("\xa0", " ")
        assert ">Trend<" in overview and "-0,3 Prozentpunkte" in overview, overview  # K-BIL-01 as `kennzahl` says
        tei = _page(bot, "kennzahlen/K-TEI-01.html").replace("\xa0", " ")
        assert "4.473,7" not in tei and "8.947,4" not in tei and ">5.000<" in tei, tei  # round ticks of a count
        assert "8.134 Anzahl" not in tei and "8.134 (2025)" in tei
        assert "Trend" in tei
        bil = _page(bot, "kennzahlen/K-BIL-01.html").replace("\xa0", " ")
        assert '<td class="n">11,0</td>' in bil and '<td class="n">11</td>' not in bil  # one decimal throughout
        assert "6,7 %" not in bil and "13,4 %" not in bil
        with bot.app.uow_factory() as uow:
            title = uow.catalog.recommendation("HF1-04").title
        assert f'HF1-04</a> {title}' in bil
        assert "<dt>Letzte Aktualisierung</dt>" not in bil and "<dt>Zuletzt hier eingetragen</dt>" in bil  # not the statistic's date


async def test_f10_an_older_report_released_after_a_newer_one_neither_turns_back_nor_goes_unflagged(
        db_url: str) -> None:
    import re
    from datetime import timedelta

    async with Bot(make_settings(db_url)) as bot:
        await bot.say("koordination", "fortschritt HF2-03 60")
        bot.clock.now += timedelta(days=2)
        await bot.say("koordination", "fortschritt HF2-03 95")
        pending = (await bot.text("koordination", "freigabe")).replace("\xa0", " ")
        older, newer = re.findall(r"\[(\d+)\] HF2-03", pending)
        bot.clock.now += timedelta(days=1)
        await bot.say("koordination", f"freigeben {newer}")
        bot.clock.now += timedelta(hours=1)
        stale = (await bot.text("koordination", "freigabe")).replace("\xa0", " ")
        assert "Älter als der öffentliche Stand" in stale, stale
        assert "nach Freigabe: in Umsetzung, 95 %" in stale, stale  # releasing it changes nothing
        await bot.say("koordination", f"freigeben {older}")
        page = _page(bot, "empfehlungen/HF2-03.html").replace("\xa0", " ")
        assert _rec(_page(bot, "api/status.json"), "HF2-03")["progress"] == 95
        history = page[page.find('id="verlauf"'):]
        assert history.find("95 %") < history.find("60 %"), history[:800]  # the newer report on top
