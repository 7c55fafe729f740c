"""Indicators (issue #7): values imported from a sheet, shown with trend and breakdown."""
from __future__ import annotations

from pathlib import Path

import pytest

from storage.catalog_io import CatalogError, import_catalog
from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


async def test_import_values_and_show_the_trend(db_url: str, tmp_path: Path) -> None:
    sheet = tmp_path / "kennzahlen.csv"
    sheet.write_text("Kennziffer;Zeitraum;Geschlecht;Bezirk;Wert\n"
                     "K-BIL-01;2026;gesamt;;8,7\nK-BIL-01;2026;weiblich;;7,1\n"
                     "K-BIL-01;2026;männlich;;10,2\nK-BIL-01;2026;;Kalk;11,0\n", encoding="utf-8-sig")
    async with Bot(make_settings(db_url)) as bot:
        with bot.app.uow_factory() as uow:
            report = import_catalog(uow, sheet, progress=False)
            uow.commit()
        assert report.created == 4
        text = await bot.text("testmann", "kennzahl K-BIL-01")
        assert "2026: 8,7 %" in text and "Trend: ↓ -0,5 Prozentpunkte" in text
        assert "Nach Geschlecht (2026): weiblich 7,1 · männlich 10,2" in text and "Kalk 11" in text
        assert "Bekannt: K-" in await bot.text("testmann", "kennzahl K-XX-99")
        with bot.app.uow_factory() as uow:  # the same file again changes nothing
            assert import_catalog(uow, sheet, progress=False).created == 0


def test_bad_value_sheets_say_where(tmp_path: Path, uow_factory: object) -> None:
    sheet = tmp_path / "kennzahlen.csv"
    sheet.write_text("Kennziffer;Zeitraum;Geschlecht;Wert\nK-NOPE;2026;gesamt;1\nK-BIL-01;2026;weiblich;viel\n"
                     "K-BIL-01;;irgendwas;2\n", encoding="utf-8")
    with uow_factory() as uow:  # type: ignore[operator]
        with pytest.raises(CatalogError) as caught:
            import_catalog(uow, sheet, progress=False)
    text = "\n".join(caught.value.errors)
    assert "Zeile 2" in text and "unbekannte Kennziffer" in text
    assert "Zeile 3" in text and "keine Zahl" in text
    assert "Zeile 4" in text and "Zeitraum fehlt" in text and "unbekanntes Geschlecht" in text
