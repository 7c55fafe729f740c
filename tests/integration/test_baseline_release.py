"""The baseline release (issue #17, deliver 8): a new city's catalog brings statuses; `freigabe` tells
the office they were never released, `freigeben import` publishes them all, and the public page
shows them instead of "noch nicht gemeldet" everywhere. A status waiting in `freigabe` is left to it."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import aiohttp
import pytest

from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


async def _status(base: str) -> dict[str, str | None]:
    async with aiohttp.ClientSession() as http, http.get(base + "api/status.json") as resp:
        data = json.loads(await resp.read())
    return {r["code"]: r["status"] for f in data["fields"] for r in f["recommendations"]}


async def test_the_imported_statuses_are_released_as_the_baseline(db_url: str) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:
        await bot.app.scheduler.shutdown()
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        before = await _status(base)
        await bot.text("koordination", "status HF2-05 verzögert")  # waits in `freigabe` on its own
        listed = await bot.text("koordination", "freigabe")
        refused = await bot.text("testmann", "freigeben import")
        done = await bot.text("koordination", "freigeben import")
        after = await _status(base)
        again = await bot.text("koordination", "freigeben import")
        listed_after = await bot.text("koordination", "freigabe")
        await bot.text("koordination", "sprache en")
        english = await bot.text("koordination", "releases")

    assert set(before.values()) == {None}  # nothing released yet: "noch nicht gemeldet" everywhere
    count = len(before) - 1
    assert f"{count} Empfehlungen haben einen Status aus dem Import, der nie freigegeben wurde" in listed
    assert "„freigeben import“" in listed and "HF2-05: verzögert" in listed
    assert "Nicht erlaubt" in refused
    assert f"Importierte Status von {count} Empfehlungen freigegeben" in done
    assert after["HF2-04"] == "delayed" and after["HF2-06"] == "in_progress"
    assert after["HF2-05"] is None  # its own change waits for its own decision
    assert "nichts zu tun" in again and "Status aus dem Import" not in listed_after
    assert "HF2-05: verzögert" in listed_after
    assert "Status aus dem Import" not in english and "freigeben" not in english


async def test_the_baseline_keeps_the_catalogs_date_and_is_previewed(db_url: str) -> None:
    """Site finding F8: released weeks after the import, old statuses read "überfällig (laut Stand vom
    <release day>)" — and `freigabe` had not said that any would become overdue."""
    later = datetime(2027, 1, 12, 9, 0, tzinfo=timezone.utc)
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:  # imported on 23.11.2026
        await bot.app.scheduler.shutdown()
        bot.clock.now = later  # released weeks later
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        listed = (await bot.text("koordination", "freigabe")).replace("\xa0", " ")
        await bot.text("koordination", "freigeben import")
        async with aiohttp.ClientSession() as http, http.get(base + "filter/ueberfaellig.html") as resp:
            overdue = await resp.text()
    assert "Nach der Freigabe sieht die Öffentlichkeit:" in listed
    shown = set(re.findall(r'empfehlungen/(HF\d-\d\d)\.html', overdue))
    assert shown, "the example has overdue items"
    preview = listed.split("Danach als überfällig angezeigt")[1].split("\n")[0]
    assert set(re.findall(r"HF\d-\d\d", preview)) == shown  # the preview said exactly which
    assert "laut Stand vom 12.01.2027" not in overdue and "laut Stand vom" in overdue
