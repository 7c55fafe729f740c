"""Every error of the command line names the actual problem (issue #17, deliver 4)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from tests.acceptance.console import ROOT, write_config


def _cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SACHSTAND_")}
    return subprocess.run([sys.executable, "-m", "bot", "--config", str(config), *args], cwd=ROOT, env=env,
                          input="", capture_output=True, text=True, timeout=180)


def test_an_unknown_body_in_a_report_is_named(tmp_path: Path) -> None:
    done = _cli(write_config(tmp_path), "report", "sachstand", "2026-Q4", "--body", "EG9",
                "--out", str(tmp_path / "r.html"))
    assert done.returncode == 2 and "ein Gremium „EG9“ gibt es nicht; vorhanden: BEIRAT, EG1" in done.stderr
    assert "braucht ein Gremium" not in done.stderr and not (tmp_path / "r.html").exists()


def test_a_busy_web_port_names_the_setting(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = write_config(tmp_path)
        config.write_text(config.read_text(encoding="utf-8").replace(
            "[web]\nenabled = false", f"[web]\nenabled = true\nport = {port}"), encoding="utf-8")
        done = _cli(config, "run")
    assert done.returncode == 1 and f"Port {port} auf 127.0.0.1 ist schon belegt" in done.stderr
    assert "web.port" in done.stderr and "SACHSTAND_WEB__PORT" in done.stderr


def test_a_moment_that_is_none_is_refused_before_anything_starts(tmp_path: Path) -> None:
    done = _cli(write_config(tmp_path), "run", "--at", "gestern")
    assert done.returncode == 2 and "--at 'gestern' ist kein Zeitpunkt; erwartet z. B. 2027-01-13T17:30" in done.stderr
    assert not (tmp_path / "sachstand.db").exists()
