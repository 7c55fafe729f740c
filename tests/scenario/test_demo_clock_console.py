"""The demo clock at the console (findings F23, F24 of the rounds walk): every try to move it gets
an answer with the reason, in the speaker's language; a restart cannot run it backwards."""
from __future__ import annotations

import asyncio
import io
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app import App
from bot.cli import _wire_console
from bot.core.clock import DemoClock
from tests.helpers.harness import make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
BERLIN = ZoneInfo("Europe/Berlin")


async def console(db_url: str, at: datetime, script: str) -> dict[str, str]:
    """Run the bot on the console with the demo clock; what was printed after each line."""
    out = io.StringIO()
    app = App(make_settings(db_url), stdin=io.StringIO(script), stdout=out, clock=DemoClock(at))
    _wire_console(app, app.services.clock)  # type: ignore[arg-type]
    await app.run()
    after: dict[str, str] = {}
    line = ""
    for printed in out.getvalue().splitlines():
        if " > " in printed and printed.startswith("@"):
            line = printed.split(" > ", 1)[1]
            after[line] = ""
        elif line:
            after[line] += printed + "\n"
    return after


async def test_the_clock_says_why_it_does_not_move(db_url: str) -> None:
    at = datetime(2027, 3, 17, 10, 0, tzinfo=BERLIN)
    said = await console(db_url, at, "zeit -3d\nzeit gestern\nzeit 31.03.2027 23:58:30\nzeit +30s\n"
                                     "zeit morgen\n")
    # a step back was "I do not know the command “zeit”"
    assert "· Die Zeit läuft nur vorwärts; es ist schon 17.03.2027, 10:00." in said["zeit -3d"]
    assert "nur vorwärts" in said["zeit gestern"] and "kenne den Befehl" not in said["zeit gestern"]
    # seconds were refused with the usage line only
    assert "in ganzen Minuten, ohne Sekunden: „zeit 31.03.2027 23:58“" in said["zeit 31.03.2027 23:58:30"]
    assert "ohne Sekunden: „zeit +1min“" in said["zeit +30s"]
    assert "· Es ist jetzt 18.03.2027, 10:00." in said["zeit morgen"]


async def test_the_clock_answers_in_the_speakers_language(db_url: str) -> None:
    at = datetime(2027, 3, 17, 10, 0, tzinfo=BERLIN)
    said = await console(db_url, at, "@ersatz\ntime +1h\ntime -3d\ntime\n@koordination\nzeit +1h\n")
    assert "· It is now 17 Mar 2027, 11:00." in said["time +1h"]  # was "Es ist jetzt 17.03.2027, 11:00."
    assert "· Time only moves forward; it is already 17 Mar 2027, 11:00." in said["time -3d"]
    assert "“time +3d”" in said["time"] and "„zeit" not in said["time"]
    assert "· Es ist jetzt 17.03.2027, 12:00." in said["zeit +1h"]


def test_a_restart_before_the_stored_state_is_refused(db_url: str, tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    april = datetime(2027, 4, 1, 10, 0, tzinfo=BERLIN)
    asyncio.run(console(db_url, april, "runde starten EG2 frist 15.04.2027\n"))  # the database now holds 01.04.2027
    config = tmp_path / "config.toml"
    config.write_text(f'[general]\nexample_catalog = "{Path(__file__).parents[2] / "examples" / "koeln.yaml"}"\n'
                      f'example_history = false\ndata_dir = "{tmp_path}"\n[database]\nurl = "{db_url}"\n'
                      '[web]\nenabled = false\n', encoding="utf-8")
    # months back: it started silently and said "Keine Runde ist offen."
    assert main(["--config", str(config), "run", "--at", "2027-02-01T09:00"]) == 2
    err = capsys.readouterr().err
    assert "Nicht gestartet: Die Datenbank hält schon Einträge bis 01.04.2027, 10:0" in err
    assert "die Zeit läuft nur vorwärts" in err and "„--at 2027-04-01T10:0" in err


async def test_a_restart_after_the_stored_state_goes_on(db_url: str) -> None:
    april = datetime(2027, 4, 1, 10, 0, tzinfo=BERLIN)
    await console(db_url, april, "runde starten EG2 frist 15.04.2027\n")
    from bot.cli import _clock_after_stored_state

    later = DemoClock(april + timedelta(hours=1))
    assert _clock_after_stored_state(make_settings(db_url), later)


async def test_the_console_names_a_dm_one_way(db_url: str) -> None:
    at = datetime(2027, 1, 11, 9, 0, tzinfo=BERLIN)
    said = await console(db_url, at, "folgen\nrunde starten EG3 frist 15.02.2027\nrunde schließen EG3\n")
    closed = said["runde schließen EG3"]
    # the digest to the office's DM was headed "[dm:koordination]", its other answers "[DM @koordination]"
    assert "[DM @koordination] Sachstand:\n  Digest: EG3 2027-Q1" in closed and "[dm:" not in closed
