"""Digests and trends as people read them (issue #17, deliver 5 and 10): `digest` in a body's room is
about that body; a change of a percentage is told in percentage points, not in "%"."""
from __future__ import annotations

import pytest

from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
EG2_ROOM, OFFICE_ROOM = "#eg-arbeit-wirtschaft", "#geschaeftsfuehrung"


async def test_digest_in_a_bodys_room_is_about_that_body(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.app.scheduler.shutdown()
        in_room = await bot.text("testmann", "digest", room=EG2_ROOM)
        everything = await bot.text("testmann", "digest", room=EG2_ROOM.replace("arbeit-wirtschaft", "x"))
        asked = await bot.text("testmann", "digest alles", room=EG2_ROOM)
        office = await bot.text("koordination", "digest", room=OFFICE_ROOM)
    assert in_room.startswith("Digest: EG2") and "HF2 " in in_room
    assert "HF1 " not in in_room and "HF3 " not in in_room  # only EG2's fields
    assert "Digest: alles" in asked and "HF1 " in asked  # named: what was named
    assert "Digest: alles" in office  # the office's room steers everything
    assert "Digest: alles" in everything


async def test_percentages_change_by_percentage_points(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.app.scheduler.shutdown()
        await bot.text("koordination", "fortschritt HF2-06 25")
        await bot.text("koordination", "fortschritt HF2-05 1")
        digest = (await bot.text("testmann", "digest", room=EG2_ROOM)).replace("\xa0", " ")
        indicator = (await bot.text("testmann", "kennzahl K-BIL-01")).replace("\xa0", " ")
        await bot.text("ersatz", "sprache en")
        english = (await bot.text("ersatz", "digest", room=EG2_ROOM)).replace("\xa0", " ")
    assert "HF2-06: Fortschritt: 20 % → 25 % (+5 Prozentpunkte)" in digest
    assert "HF2-05: Fortschritt: 0 % → 1 % (+1 Prozentpunkt)" in digest
    assert "HF2-06: Progress: 20% → 25% (+5 percentage points)" in english
    trend = next(line for line in indicator.splitlines() if line.startswith("Trend"))
    assert "Prozentpunkt" in trend and not trend.rstrip().endswith("%"), trend


async def test_the_integration_report_tells_percentage_points(db_url: str) -> None:
    from bot.reports.documents import render

    async with Bot(make_settings(db_url)) as bot:
        with bot.app.uow_factory() as uow:
            html = render(bot.app.services, uow, "integrationsbericht", "2025-2026")
    k_bil = html[html.index("K-BIL-01"):][:3000]
    change = k_bil[k_bil.index("Veränderung zum Vorzeitraum"):].split(".", 1)[0]
    assert change.endswith("Prozentpunkte") and "%" not in change, change
