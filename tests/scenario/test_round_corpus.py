"""Every malformed or odd answer in tests/corpus/round_answers.yaml gets a clear answer
that says what is expected, and no stored data changes (issue #5)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from storage.models import (Absence, Change, ConversationState, MetricValue, Recommendation, Release,
                            StatusUpdate, TargetMetric)
from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
CORPUS = yaml.safe_load((Path(__file__).parents[1] / "corpus" / "round_answers.yaml").read_text("utf-8"))
FILL = {"{big}": "Sachstand " * 2_000, "{long}": "x" * 2_100}


def _snapshot(bot: Bot) -> dict[str, Any]:
    """Everything an answer could change."""
    with bot.app.uow_factory() as uow:
        s = uow.session
        return {
            "recs": s.execute(select(Recommendation.code, Recommendation.status, Recommendation.progress,
                                     Recommendation.owner_id).order_by(Recommendation.id)).all(),
            "metrics": s.execute(select(TargetMetric.id, TargetMetric.current).order_by(TargetMetric.id)).all(),
            "updates": s.execute(select(StatusUpdate.id, StatusUpdate.state, StatusUpdate.asked_id,
                                        StatusUpdate.snoozed_until, StatusUpdate.happened)
                                 .order_by(StatusUpdate.id)).all(),
            "conversations": [(c.id, c.status, c.step, _answers(c.data), c.version) for c in s.scalars(
                select(ConversationState).order_by(ConversationState.id))],
            "counts": [s.scalar(select(func.count()).select_from(model))
                       for model in (Absence, Change, MetricValue, Release)],
        }


def _answers(data: dict[str, Any]) -> dict[str, Any]:
    """A conversation's answers, without the engine's note of the last rejected message (an
    edit of it may still answer the step on Matrix): that note is bookkeeping, not data."""
    from bot.conversations.engine import OPEN_ANSWER

    return {k: v for k, v in data.items() if k != OPEN_ANSWER}


async def _try_group(bot: Bot, group: str) -> int:
    entry = CORPUS[group]
    expected = entry["expect"] if isinstance(entry["expect"], list) else [entry["expect"]]
    for raw in entry["inputs"]:
        text = FILL.get(raw, raw)
        before = _snapshot(bot)
        reply = await bot.text("testmann", text)
        assert reply, f"{group}: no answer to {raw!r}"
        assert any(e in reply for e in expected), f"{group}: {raw!r} got {reply[:300]!r}"
        assert "Entschuldigung" not in reply  # no exception reached the person
        assert _snapshot(bot) == before, f"{group}: {raw!r} changed stored data"
    return len(entry["inputs"])


async def test_the_corpus_of_bad_answers(db_url: str) -> None:
    assert sum(len(e["inputs"]) for e in CORPUS.values()) >= 100
    tried = 0
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("koordination", "runde starten EG2 frist 15.12.2026")
        tried += await _try_group(bot, "status")  # HF2-04 (progress from its measures)
        await bot.text("testmann", "2")
        tried += await _try_group(bot, "metric")
        await bot.text("testmann", "75")
        for group in ("text", "absence", "handover", "correct"):  # at the "what happened" step
            tried += await _try_group(bot, group)
        for answer in ("Kurse laufen.", "Weiter so.", "keine", "Zwei Kurse laufen."):
            await bot.text("testmann", answer)
        tried += await _try_group(bot, "publish")
        await bot.text("testmann", "ja")
        tried += await _try_group(bot, "confirm")
        assert "HF2-06" in await bot.text("testmann", "ja")
        await bot.text("testmann", "2")
        tried += await _try_group(bot, "progress")
        assert "aktuelle Wert" in await bot.text("testmann", "70")  # the conversation still works
        assert "Stimmt das?" in await bot.text("testmann", "999")  # 14,1 → 999: asked about (issue #17)
        tried += await _try_group(bot, "doubt")
        assert "geschehen" in await bot.text("testmann", "1")
    assert tried >= 100


async def test_markup_in_answers_is_shown_as_text(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("koordination", "runde starten EG2 frist 15.12.2026")
        for answer in ("2", "75", "<script>alert(1)</script> & <b>fett</b>", "*nicht fett* <!channel>"):
            await bot.text("testmann", answer)
        for answer in ("keine", "keine"):
            messages = await bot.say("testmann", answer)
        summary = messages[-1]
        assert "&lt;script&gt;" in summary.text("matrix") and "<script>" not in summary.text("matrix")
        assert "&lt;!channel&gt;" in summary.text("slack") and "<!channel>" not in summary.text("slack")
        assert "<script>alert(1)</script>" in summary.text("plain")
