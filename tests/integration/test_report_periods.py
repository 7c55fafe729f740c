"""A report says what was true in its period (issue #21, findings F2, F3, F4 of the reports' read)
and `bericht freigeben` in English (F10).

- F3: a status set after a period ended does not appear in that period's report; the report of
  the running period shows it; the data state of an ended period is at most its end;
- F2: a period that has not begun, or that lies before all data, is refused with the reason;
- F4: a half-year report is written for half-years; `--body` only for the Sachstand report —
  on the command line with a clear message and exit code 2, no traceback, no file."""
from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.reports.documents import ReportError, document
from tests.helpers.harness import ROOT, Bot, make_settings


def _report(bot: Bot, kind: str, period: str, body: str | None = None) -> str:
    with bot.app.uow_factory() as uow:
        return document(bot.app.services, uow, kind, period, body).html


async def test_f3_a_past_period_is_reported_as_it_stood_at_its_end(tmp_path: Path) -> None:
    async with Bot(make_settings(f"sqlite:///{tmp_path / 'r.db'}")) as bot:
        await bot.say("koordination", "status HF2-04 verzögert")
        bot.clock.now = datetime(2027, 1, 11, 10, tzinfo=timezone.utc)  # after 2026 ended
        await bot.say("koordination", "status HF2-04 blockiert")
        past = _report(bot, "sachstand", "2026-Q4", "EG2")
        running = _report(bot, "sachstand", "2027-Q1", "EG2")
        block = past.split("<h2>HF2-04", 1)[1].split("<h2>", 1)[0]
        assert "Status: <strong>verzögert</strong>" in block, block
        assert "Status: <strong>blockiert</strong>" in running.split("<h2>HF2-04", 1)[1]
        assert "Stand zum Ende des Zeitraums" in past and "der Zeitraum läuft noch" in running
        assert "31.12.2026" in past.split("Datenstand", 1)[1].split("</dd>", 1)[0]
        half_past, half_now = _report(bot, "halbjahr", "2026-H2"), _report(bot, "halbjahr", "2027-H1")
        blocked = re.compile(r"<li>HF2-04 [^<]* ist blockiert")
        assert not blocked.search(half_past) and blocked.search(half_now)
        # F11: blocked and past its time target: one entry with both requests
        [entry] = re.findall(r"<li>HF2-04 .*?</li>", half_now)
        assert "ist blockiert" in entry and "das Zeitziel 30.09.2026 ist überschritten" in entry, entry


async def test_f2_f4_periods_that_cannot_be_reported_are_refused(tmp_path: Path) -> None:
    async with Bot(make_settings(f"sqlite:///{tmp_path / 'r.db'}")) as bot:
        await bot.say("koordination", "status HF2-04 verzögert")
        cases = [(("integrationsbericht", "2030-2031"), "beginnt erst am 01.01.2030"),
                 (("beirat", "1999"), "für 1999 gibt es keine Daten"),
                 (("halbjahr", "2026-Q4"), "erlaubt: 2026-H2"),
                 (("beirat", "2026-H2"), "erlaubt: 2026"),
                 (("halbjahr", "2026-H2", "EG2"), "--body gilt nur für den Sachstandsbericht")]
        for args, said in cases:
            with pytest.raises(ReportError, match=said):
                _report(bot, *args)
        assert "Halbjahresbericht" in _report(bot, "halbjahr", "2026-H2")


def test_f2_the_command_line_refuses_without_a_traceback(tmp_path: Path) -> None:
    out = tmp_path / "b.html"
    run = subprocess.run([sys.executable, "-m", "bot", "report", "beirat", "2031", "--out", str(out)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={"SACHSTAND_DATABASE__URL": f"sqlite:///{tmp_path / 'c.db'}", "PATH": "/usr/bin:/bin",
                              "SACHSTAND_GENERAL__DATA_DIR": str(tmp_path)})
    assert run.returncode == 2 and "beginnt erst am 01.01.2031" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr and not out.exists()


def test_rep2_the_command_line_writes_a_demo_periods_report_with_at(tmp_path: Path) -> None:
    """The demo's data lies in 2027; `report --at` writes its reports at the demo's time."""
    out = tmp_path / "q1.html"
    env = {"SACHSTAND_DATABASE__URL": f"sqlite:///{tmp_path / 'c.db'}", "PATH": "/usr/bin:/bin",
           "SACHSTAND_GENERAL__DATA_DIR": str(tmp_path), "SACHSTAND_GENERAL__EXAMPLE_HISTORY": "true"}
    run = subprocess.run([sys.executable, "-m", "bot", "report", "sachstand", "2027-Q1", "--body", "EG2", "--out",
                          str(out), "--at", "2027-04-01T09:00"], cwd=ROOT, capture_output=True, text=True,
                         timeout=120, env=env)
    assert run.returncode == 0 and out.exists(), run.stderr
    assert "Erstellt am</dt><dd>01.04.2027" in out.read_text()


async def test_f10_english_release_asks_and_answers_in_english(tmp_path: Path) -> None:
    async with Bot(make_settings(f"sqlite:///{tmp_path / 'r.db'}")) as bot:
        bot.clock.now = datetime(2027, 1, 1, 8, tzinfo=timezone.utc)  # the half-year has ended
        await bot.tick()  # the reports go along the reporting lines
        await bot.say("koordination", "sprache en")
        listing = await bot.text("koordination", "reports")
        number = int(listing.split("[", 1)[1].split("]", 1)[0])
        warned = await bot.text("koordination", f"release report {number}")
        assert "word for word" in warned and f"“release report {number} yes”" in warned, warned
        assert "freigeben" not in warned and "„" not in warned  # no German word to type
        assert f"Report {number} stays internal." in await bot.text("koordination", f"release report {number} no")
        assert f"Report {number} released" in await bot.text("koordination", f"release report {number} yes")


async def test_rep2_f2_the_blockers_table_shows_the_status_at_the_periods_end(tmp_path: Path) -> None:
    """The half-year report's "Hindernisse" table paired the 2026 blocker with the 2027 status."""
    settings = make_settings(f"sqlite:///{tmp_path / 'r.db'}", general__example_history="true")
    async with Bot(settings, now=datetime(2027, 1, 11, 10, tzinfo=timezone.utc)) as bot:
        before = _report(bot, "halbjahr", "2026-H2")
        row = re.search(r"<tr><td>HF2-04 [^<]*</td><td>EG2</td><td>([^<]*)</td>", before)
        assert row, "the example's history has a blocker for HF2-04 in 2026-H2"
        await bot.say("koordination", "status HF2-04 umgesetzt")  # after the period
        assert "Status: <strong>umgesetzt</strong>" in _report(bot, "sachstand", "2027-Q1", "EG2").split("<h2>HF2-04", 1)[1]
        after = _report(bot, "halbjahr", "2026-H2")
        assert re.search(r"<tr><td>HF2-04 [^<]*</td><td>EG2</td><td>([^<]*)</td>", after)[1] == row[1] != "umgesetzt"


async def test_rep2_f4_the_release_names_what_the_office_withheld(tmp_path: Path) -> None:
    async with Bot(make_settings(f"sqlite:///{tmp_path / 'r.db'}")) as bot:
        await bot.say("koordination", "freigeben import")
        await bot.say("koordination", "status HF2-03 blockiert")
        pending = await bot.text("koordination", "freigabe")
        number = re.search(r"\[(\d+)\] HF2-03", pending)
        assert number, pending
        assert "nichts veröffentlicht" in await bot.text("koordination", f"zurückhalten {number[1]}")
        bot.clock.now = datetime(2027, 1, 1, 8, tzinfo=timezone.utc)
        await bot.tick()
        listing = await bot.text("koordination", "berichte")
        half = re.search(r"\[(\d+)\] Halbjahresbericht der Steuerungsgruppe 2026-H2", listing)
        assert half, listing
        warned = await bot.text("koordination", f"bericht freigeben {half[1]}")
        assert "zurückgehalten hat: HF2-03." in warned, warned


async def test_rep2_f6_f7_who_asks_and_what_is_counted(tmp_path: Path) -> None:
    async with Bot(make_settings(f"sqlite:///{tmp_path / 'r.db'}")) as bot:
        stand, half = _report(bot, "stand", "2026-H2"), _report(bot, "halbjahr", "2026-H2")
        assert "Der Bericht bittet die politischen Gremien" in stand and "Steuerungsgruppe bittet" not in stand
        assert "Die Steuerungsgruppe bittet die politischen Gremien" in half
        assert "Im Änderungsprotokoll der Empfehlungen" in half and "Änderungen an Empfehlungen festgehalten" not in half


def test_rep2_f10_an_unwritable_path_is_a_sentence_not_a_traceback(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("x")  # a file where a folder should be
    run = subprocess.run([sys.executable, "-m", "bot", "report", "beirat", "2026", "--out", str(blocked / "b.html")],
                         cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={"SACHSTAND_DATABASE__URL": f"sqlite:///{tmp_path / 'c.db'}", "PATH": "/usr/bin:/bin",
                              "SACHSTAND_GENERAL__DATA_DIR": str(tmp_path), "SACHSTAND_GENERAL__EXAMPLE_HISTORY": "true"})
    assert run.returncode == 1 and "Bericht nicht geschrieben" in run.stderr and "Traceback" not in run.stderr, run.stderr
