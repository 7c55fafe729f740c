"""A status round on Slack (issue #5): the office opens it with the slash command, an owner
answers in the direct message the bot opened – the status with a button, the rest typed – and
the office sees the answers in `runde status`. Over HTTP and over Socket Mode.
"""
from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from storage.models import Status, StatusUpdate
from tests.helpers.slack_app import KOORDINATION, TESTMANN, SlackBot

DM = "D0TSTMN10"  # the fake's DM channel with testmann


def _buttons(message: dict[str, Any]) -> list[str]:
    return [e["text"]["text"] for b in message.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


class Dm:
    """What testmann reads in the direct message, message by message."""

    def __init__(self, bot: SlackBot) -> None:
        self.bot, self.read = bot, 0

    async def next(self, contains: str) -> dict[str, Any]:
        """The first message after those already read that contains `contains` (waits for it)."""
        def found(_: object) -> dict[str, Any] | None:
            msgs = [{**c.params, "ts": c.response.get("ts")} for c in self.bot.fake.calls
                    if c.method == "chat.postMessage" and c.response.get("ok") and c.params.get("channel") == DM]
            hit = next((i for i, m in enumerate(msgs[self.read:], self.read) if contains in m["text"]), None)
            if hit is None:
                return None
            self.read = hit + 1
            return msgs[hit]
        return await self.bot.fake.wait_for(found, timeout=30)  # type: ignore[no-any-return]

    async def answer(self, text: str, then: str) -> dict[str, Any]:
        await self.bot.say(TESTMANN, text)
        return await self.next(then)


async def _command_answer(bot: SlackBot, text: str, contains: str) -> str:
    """Run a slash command as the coordinator; what Slack shows them in the channel."""
    before = len(bot.fake.calls)
    status, _ = await bot.command(KOORDINATION, text)
    assert status == 200

    def found(calls: list[Any]) -> str | None:
        texts = [c.params.get("text", "") for c in calls[before:]
                 if c.method in ("chat.postMessage", "chat.postEphemeral") and c.response.get("ok")
                 and c.params.get("channel") == "C0EGARBEIT"]
        return next((t for t in texts if contains in t), None)
    return await bot.fake.wait_for(found, timeout=30)  # type: ignore[no-any-return]


async def test_a_round_answered_with_a_button_and_typed_answers(slack_any: SlackBot) -> None:
    bot = slack_any
    due = date.today() + timedelta(days=21)
    with bot.app.uow_factory() as uow:  # in the last 14 days of a quarter the cadence opens EG2's round itself
        assert not [r for r in uow.rounds.open_rounds() if r.reporting_line.from_body.code == "EG2"], \
            "EG2's round is open already (cadence, lead_days 14): this test needs a date outside that window"
    opened = await _command_answer(bot, f"runde starten EG2 frist {due:%d.%m.%Y}", "Runde")
    assert f"von EG2, Frist {due:%d.%m.%Y}" in opened and "5 Empfehlungen, 3 Personen" in opened
    assert "0 von 5 Punkten beantwortet" in await _command_answer(bot, "runde status EG2", "beantwortet")

    dm = Dm(bot)
    prompt = await dm.next("Sachstandsrunde")  # in the DM the bot opened itself
    assert "2 Empfehlungen" in prompt["text"] and f"bis {due:%d.%m.%Y}" in prompt["text"]
    assert TESTMANN in [c.params["users"] for c in bot.fake.called("conversations.open")]
    question = await dm.next("HF2-04")
    assert "(1/2)" in question["text"] and "Wie ist der Status?" in question["text"]
    buttons = _buttons(question)
    assert buttons[:6] == ["nicht begonnen", "in Umsetzung", "verzögert", "blockiert", "umgesetzt",
                           "entfallen"], buttons

    await bot.click(TESTMANN, question, "in Umsetzung")
    [update] = await bot.fake.wait_calls("chat.update")
    assert update.params["channel"] == DM and update.params["ts"] == question["ts"]
    assert "✅ *in Umsetzung*" in json.dumps(update.params["blocks"], ensure_ascii=False)  # the chosen answer
    assert not any(b["type"] == "actions" for b in update.params["blocks"])  # no second click possible
    # HF2-04's progress comes from its measures: no progress question, on to the target metric
    metric = await dm.next("Teilnehmerinnen")
    assert "(1/2)" in metric["text"] and "Wie ist der aktuelle Wert?" in metric["text"]

    refused = await dm.answer("viele", "ist keine Zahl")  # a typed answer that does not fit: asked again
    assert "„viele“" in refused["text"]
    await dm.answer("75", "Was ist seit der letzten Meldung geschehen?")
    await dm.answer("Zwei Kurse gestartet.", "nächsten Schritte")
    await dm.answer("Dritter Kurs im Januar.", "Steht etwas im Weg")
    await dm.answer("keine", "Zusammenfassung")
    check = await dm.answer("keine", "Bitte prüfen")  # no summary: no question about publishing it
    assert "Status: in Umsetzung" in check["text"] and "75" in check["text"]
    assert "Zwei Kurse gestartet." in check["text"]
    with bot.app.uow_factory() as uow:  # nothing saved before the confirmation
        assert uow.catalog.recommendation("HF2-04").metrics[0].current != Decimal(75)

    saved = await dm.answer("ja", "Gespeichert: HF2-04")
    second = saved if "HF2-06" in saved["text"] else await dm.next("HF2-06")
    assert "(2/2)" in second["text"] and "in Umsetzung" in _buttons(second)
    with bot.app.uow_factory() as uow:
        rec = uow.catalog.recommendation("HF2-04")
        assert rec.status == Status.IN_PROGRESS and [m.current for m in rec.metrics] == [Decimal(75)]
    assert "1 von 5 Punkten beantwortet" in await _command_answer(bot, "runde status EG2", "beantwortet")

    # the second item entirely typed; its summary may be published (a button again)
    await dm.answer("verzögert", "Wie weit ist die Umsetzung, in Prozent?")
    await dm.answer("ca. 55 Prozent", "Wie ist der aktuelle Wert?")
    doubt = await dm.answer("1.234,5", "Stimmt das?")  # a jump by more than the plausibility factor
    assert "auf 1.234,5" in doubt["text"], doubt["text"]
    await dm.answer("ja", "Was ist seit der letzten Meldung geschehen?")
    await dm.answer("Beratung läuft.", "nächsten Schritte")
    await dm.answer("Zweite Welle.", "Steht etwas im Weg")
    await dm.answer("Räume fehlen", "Zusammenfassung")
    publish = await dm.answer("Die Beratung läuft.", "veröffentlicht werden")
    assert _buttons(publish)[:2] == ["ja", "nein"]
    await bot.click(TESTMANN, publish, "nein")
    check = await dm.next("Bitte prüfen")
    assert "Die Beratung läuft. (nicht veröffentlichen)" in check["text"], check["text"]
    assert "Vielen Dank für Ihre Meldung" in (await dm.answer("ja", "Vielen Dank"))["text"]

    status = await _command_answer(bot, "runde status EG2", "beantwortet")
    assert "2 von 5 Punkten beantwortet" in status and "Paul Testmann: 2/2 ✓" in status, status
    with bot.app.uow_factory() as uow:
        rows = {u.recommendation.code: u for u in uow.session.scalars(select(StatusUpdate)) if u.round_id}
        mine = {code: u for code, u in rows.items() if u.author and u.author.handle == "testmann"}
        assert set(mine) == {"HF2-04", "HF2-06"} and {u.state for u in mine.values()} == {"submitted"}
        assert mine["HF2-04"].status == Status.IN_PROGRESS and mine["HF2-06"].status == Status.DELAYED
        assert mine["HF2-06"].blockers == "Räume fehlen" and mine["HF2-06"].publish_ok is False
        hf206 = uow.catalog.recommendation("HF2-06")
        assert hf206.status == Status.DELAYED and hf206.progress == 55
        assert [m.current for m in hf206.metrics] == [Decimal("1234.5")]
