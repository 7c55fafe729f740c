"""Report documents (issue #7): self-contained printable HTML with charts; the Integrationsbericht
with resources and gender breakdown; delivery along the reporting lines, once."""
from __future__ import annotations

import re
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.reports.documents import render
from tests.helpers.harness import ROOT, Bot, make_settings

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _self_contained(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html
    external = re.findall(r'(?:src|href)\s*=\s*"([^"#][^"]*)"', html)
    assert [u for u in external if not u.startswith("data:")] == []  # nothing to load from elsewhere
    assert "<script" not in html


@SQLITE
async def test_the_integrationsbericht_of_the_example(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        with bot.app.uow_factory() as uow:
            html = render(bot.app.services, uow, "integrationsbericht", "2025-2026")
    _self_contained(html)
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<svg.*?</svg>", "", html, flags=re.S))
    assert "Integrationsbericht 2025-2026" in text and "HF2 Ausbildung, Arbeit und Wirtschaft" in text
    assert "Budget geplant" in text and "Gesamt" in text and "Personal" in text
    assert re.search(r"gesamt 9,2 % · männlich 10,7 % · weiblich 7,6 %", text)  # K-BIL-01, 2025
    assert html.count("<svg") >= 1 + 6  # progress by field, and one chart per indicator
    assert "@media print" in html


@SQLITE
async def test_a_quarterly_sachstand_holds_the_answers_and_is_delivered_once(db_url: str) -> None:
    settings = make_settings(db_url)
    async with Bot(settings) as bot:
        await bot.say("koordination", "runde starten EG2 frist 15.12.2026")
        for answer in ("2", "75", "Zwei Kurse gestartet.", "Dritter Kurs.", "Räume fehlen", "keine", "ja"):
            await bot.text("testmann", answer)
        with bot.app.uow_factory() as uow:
            html = render(bot.app.services, uow, "sachstand", "2026-Q4", "EG2")
        _self_contained(html)
        assert "Zwei Kurse gestartet." in html and "Räume fehlen" in html and "HF2-06" in html
        bot.clock.now = datetime(2027, 1, 1, 8, tzinfo=timezone.utc)  # Q4 has ended
        delivered = await bot.tick()
        office = [m for m in delivered if m.channel and m.channel.id == "#geschaeftsfuehrung" and m.attachments]
        names = sorted(a.filename for m in office for a in m.attachments)
        assert "sachstandsbericht-eg2-2026-Q4.pdf" in names and len(names) == 5  # EG1–EG5 → office, as PDF
        assert any("Steuerungsgruppe" in m.text() or "SG" in m.text() for m in delivered if m.attachments)
        assert [m for m in await bot.tick() if m.attachments] == []  # once


def test_the_report_command(tmp_path: Path) -> None:
    env = {"SACHSTAND_DATABASE__URL": f"sqlite:///{tmp_path / 'r.db'}", "SACHSTAND_WEB__ENABLED": "false",
           "PATH": "/usr/bin:/bin"}
    exe = str(ROOT / ".venv" / "bin" / "sachstand")
    out = tmp_path / "bericht.html"
    done = subprocess.run([exe, "report", "halbjahr", "2026-H2", "--out", str(out)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and out.read_text().startswith("<!DOCTYPE html>")
    bad = subprocess.run([exe, "report", "quartal", "2026", "--out", str(out)], env=env, capture_output=True,
                         text=True, timeout=120)
    assert bad.returncode == 2 and "keine Berichtsart; erlaubt: sachstand" in bad.stderr
    no_body = subprocess.run([exe, "report", "sachstand", "2026-Q4", "--out", str(out)], env=env,
                             capture_output=True, text=True, timeout=120)
    assert no_body.returncode == 2 and "--body EG2" in no_body.stderr
    odd = subprocess.run([exe, "report", "halbjahr", "2026-H2", "--out", str(tmp_path / "bericht.odt")], env=env,
                         capture_output=True, text=True, timeout=120)
    assert odd.returncode == 2 and "erlaubt sind .pdf, .docx und .html" in odd.stderr
