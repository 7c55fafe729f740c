"""Digests (issue #7): when a round closes, on the schedule (once), and on demand; in every
format, with a chart, user text never as markup."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
ROOM, OTHER = "#eg-arbeit-wirtschaft", "#eg-sprache-bildung"
BLOCKER = "<script>alert(1)</script> Räume *fehlen* & <!channel>"


async def test_a_closing_round_sends_a_digest_to_its_followers(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.text("testmann", "folgen EG2", room=ROOM)
        await bot.text("musterfrau", "folgen HF1", room=OTHER)  # another field: not concerned
        await bot.say("koordination", "runde starten EG2 frist 15.12.2026")
        for answer in ("4", "75", "Nichts.", "Räume suchen.", BLOCKER, "keine", "ja"):
            await bot.text("testmann", answer)
        closing = await bot.say("koordination", "runde schließen EG2")
        digests = [m for m in bot.transport.sent if m.channel and m.channel.id == ROOM and m.text().startswith("Digest")]
        assert len(digests) == 1, [d.text()[:200] for d in digests]
        assert not any(m.channel and m.channel.id == OTHER for m in closing)
        digest = digests[0]
        plain = digest.text("plain")
        assert "Digest: EG2 2026-Q4" in plain and "HF2 Ausbildung, Arbeit und Wirtschaft" in plain
        assert "HF2-04: Status: verzögert → blockiert" in plain and "Hindernisse" in plain
        assert "<script>" not in digest.text("matrix") and "&lt;script&gt;" in digest.text("matrix")
        assert "<!channel>" not in digest.text("slack") and "&lt;!channel&gt;" in digest.text("slack")
        assert len(digest.text("slack")) < 3000  # one Slack section block
        [chart] = digest.attachments
        assert chart.mimetype == "image/png" and chart.data[:8] == b"\x89PNG\r\n\x1a\n"


async def test_the_monthly_digest_is_sent_once(db_url: str) -> None:
    settings = make_settings(db_url)
    monday = datetime(2026, 12, 7, 7, 30, tzinfo=timezone.utc)  # first Monday of December, 08:30 Berlin
    async with Bot(settings, now=datetime(2026, 12, 7, 6, 30, tzinfo=timezone.utc)) as bot:
        await bot.text("ersatz", "folgen alles en", room=ROOM)
        assert await bot.tick() == []  # 07:30 Berlin: not yet
        bot.clock.now = monday
        sent = await bot.tick()
        assert [m.channel.id for m in sent if m.channel] == [ROOM] and "By field" in sent[0].text()
        assert await bot.tick() == []
    async with Bot(settings, now=monday) as again:
        assert again.transport.sent == []  # a restart does not send it again


async def test_a_digest_on_demand(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        text = await bot.text("testmann", "digest HF2")
        assert "Digest: HF2" in text and "Nach Handlungsfeld" in text
        assert "weder ein Handlungsfeld" in await bot.text("testmann", "digest QQ7")
        assert "Digest: alles" in await bot.text("testmann", "digest")  # everything, by default
        assert "Hier folgt niemand" in await bot.text("testmann", "entfolgen")
