"""Tracking: status and progress set by coordinators, chairs and owners, with history."""
from __future__ import annotations

import pytest

from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _rec(bot: Bot, code: str) -> tuple[str, int, str | None]:
    with bot.app.uow_factory() as uow:
        rec = uow.catalog.recommendation(code)
        assert rec is not None
        return rec.status.value, rec.progress, rec.owner.handle if rec.owner else None


async def test_coordinator_sets_status_and_history_shows_who_and_what(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        text = await bot.text("koordination", "status HF1-05 verzögert")
        assert "HF1-05 aktualisiert" in text and _rec(bot, "HF1-05")[0] == "delayed"
        history = await bot.text("koordination", "verlauf HF1-05")
    assert "Verlauf von HF1-05" in history and "in Umsetzung → verzögert" in history
    assert "Interkulturelles Referat" in history


async def test_owner_may_update_own_item_but_not_others(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        status, _, owner = _rec(bot, "HF1-05")
        assert owner is not None
        ok = await bot.text(owner, "fortschritt HF1-05 ca. 65 Prozent")
        assert "aktualisiert" in ok and _rec(bot, "HF1-05")[1] == 65
        other = next(code for code in ("HF2-04", "HF3-02", "HF4-06") if _rec(bot, code)[2] != owner)
        before = _rec(bot, other)
        refused = await bot.text(owner, f"status {other} umgesetzt")
        assert "Nicht erlaubt" in refused and _rec(bot, other) == before


@pytest.mark.parametrize("answer", ["170 %", "-5", "siebzig", "", "70 %%"])
async def test_bad_progress_changes_nothing(db_url: str, answer: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        before = _rec(bot, "HF1-05")
        text = await bot.text("koordination", f"fortschritt HF1-05 {answer}")
        assert "Aufruf: fortschritt" in text and _rec(bot, "HF1-05") == before


async def test_unknown_status_word_is_explained(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        before = _rec(bot, "HF1-05")
        text = await bot.text("koordination", "status HF1-05 halbfertig")
        assert _rec(bot, "HF1-05") == before
    assert "kein Status" in text and "verzögert" in text


async def test_meine_lists_exactly_the_own_items(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        owner = _rec(bot, "HF1-05")[2]
        assert owner is not None
        text = await bot.text(owner, "meine")
        with bot.app.uow_factory() as uow:
            from storage.repositories import RecommendationFilter
            own = {r.code for r in uow.catalog.recommendations(RecommendationFilter(owner=owner))}
    assert own and all(code in text for code in own)
    assert text.count("•") == len(own)
