"""Second outside attack, F2: a right-to-left override typed in chat (a title, a person's name)
was kept and reversed *other* text on the public page — the unit after a name, a title's file
extension. Bidi controls are dropped from every chat line and every catalog text, as from the
question form."""
from __future__ import annotations

from pathlib import Path

import pytest

from storage.models import Person, Recommendation
from tests.helpers.harness import ROOT, Bot, make_settings

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
RLO = "\u202e"


@SQLITE
async def test_sec2_f2_bidi_controls_never_reach_what_is_stored(db_url: str, tmp_path: Path) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("koordination", f"empfehlung ändern HF2-04 titel Kinderbetreuung {RLO}gnp.exe")
        await bot.say("koordination", f'person anlegen @boese "Eve {RLO}Evil" eve@example.org')
        with bot.app.uow_factory() as uow:
            title = uow.session.query(Recommendation).filter_by(code="HF2-04").one().title
            name = uow.session.query(Person).filter_by(handle="boese").one().name
        assert title == "Kinderbetreuung gnp.exe" and name == "Eve Evil"
        catalog = tmp_path / "c.yaml"
        catalog.write_text((ROOT / "examples" / "koeln.yaml").read_text(encoding="utf-8").replace(
            'title: "Konzept zur Stärkung', f'title: "{RLO}Konzept zur Stärkung', 1), encoding="utf-8")
        from storage.catalog_io import import_catalog
        with bot.app.uow_factory() as uow:
            import_catalog(uow, catalog, progress=False)
            assert RLO not in uow.catalog.concept().title


@SQLITE
async def test_sec2_f11_control_characters_never_reach_what_is_stored(db_url: str) -> None:
    """Second outside attack, F11: ESC, BEL or a C1 character in a title, once released, made
    /feed.atom a 500 and `publish` fail."""
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("koordination", "empfehlung ändern HF2-04 titel Kinder\x1b[31mbetreuung\x07\x85 neu")
        with bot.app.uow_factory() as uow:
            title = uow.session.query(Recommendation).filter_by(code="HF2-04").one().title
        assert title == "Kinder[31mbetreuung neu"
