"""The `sachstand` command as an office runs it: real processes, real stdin/stdout."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _sachstand(args: list[str], tmp_path: Path, stdin: str = "", env: dict[str, str] | None = None,
               timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True,
                          text=True, cwd=ROOT, env=_env(tmp_path, env), timeout=timeout)


def _env(tmp_path: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SACHSTAND_")}
    env.update({"SACHSTAND_DATABASE__URL": f"sqlite:///{tmp_path / 'cli.db'}", "SACHSTAND_WEB__PORT": "0"})
    env.update(extra or {})
    return env


def test_run_answers_help_in_german_and_exits_cleanly_at_end_of_input(tmp_path: Path) -> None:
    result = _sachstand(["run"], tmp_path, "hilfe\n")
    assert result.returncode == 0, result.stderr
    assert "Sachstand – Befehle" in result.stdout and "empfehlung <Code>" in result.stdout
    assert "Traceback" not in result.stderr


def test_run_answers_an_english_speaking_person_in_english(tmp_path: Path) -> None:
    result = _sachstand(["run"], tmp_path, "@ersatz\nhelp\n")
    assert result.returncode == 0, result.stderr
    assert "Sachstand – commands" in result.stdout


def test_unknown_config_key_exits_2_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "sachstand.toml"
    config.write_text('[general]\nlocale = "de"\ncolour = "blau"\n', encoding="utf-8")
    result = _sachstand(["--config", str(config), "run"], tmp_path)
    assert result.returncode == 2
    assert "general.colour" in result.stderr and str(config) in result.stderr
    assert "locale" in result.stderr  # what is allowed
    assert "Traceback" not in result.stderr


def test_bad_value_from_environment_exits_2(tmp_path: Path) -> None:
    result = _sachstand(["run"], tmp_path, env={"SACHSTAND_GENERAL__LOCALE": "fr"})
    assert result.returncode == 2 and "general.locale" in result.stderr and "de" in result.stderr


def test_conversation_continues_in_a_new_process(tmp_path: Path) -> None:
    first = _sachstand(["run"], tmp_path, "@testmann\neinstellungen\n2\n")
    assert first.returncode == 0 and "(2/4)" in first.stdout
    second = _sachstand(["run"], tmp_path, "@testmann\nEurope/Paris\n")
    assert second.returncode == 0 and "(3/4)" in second.stdout


def test_import_twice_and_export(tmp_path: Path) -> None:
    catalog = ROOT / "examples" / "oberhausen.yaml"
    env = {"SACHSTAND_GENERAL__EXAMPLE_CATALOG": ""}
    first = _sachstand(["import", str(catalog)], tmp_path, env=env)
    second = _sachstand(["import", str(catalog)], tmp_path, env=env)
    assert first.returncode == 0 and second.returncode == 0, first.stderr + second.stderr
    out = tmp_path / "liste.csv"
    exported = _sachstand(["export", str(out)], tmp_path, env=env)
    assert exported.returncode == 0, exported.stderr
    text = out.read_text(encoding="utf-8-sig")
    assert "LZ1-01" in text and ";" in text


def test_import_error_names_file_and_place_and_changes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("Code;Titel;Handlungsfeld;Zeitziel\nHF1-99;Test;HF1;31.02.2027\n", encoding="utf-8")
    result = _sachstand(["import", str(bad)], tmp_path)
    assert result.returncode == 1
    assert "bad.csv" in result.stderr and "Zeitziel" in result.stderr and "Traceback" not in result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_healthz_reports_database_and_transports(tmp_path: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bot", "run"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, text=True,
                            env=_env(tmp_path, {"SACHSTAND_WEB__PORT": str(port)}))
    try:
        body = _poll(f"http://127.0.0.1:{port}/healthz")
        assert body["status"] == "ok" and body["database"] is True
        assert body["transports"] == {"console": True}
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=30)
    assert proc.returncode == 0


def _poll(url: str) -> dict[str, object]:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return json.loads(response.read())
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(f"{url} did not answer")
            time.sleep(0.2)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_f10a_a_signal_ends_run_though_stdin_stays_open(tmp_path: Path, sig: signal.Signals) -> None:
    """Finding F10a: `(cat demo.txt; cat) | sachstand run` — stdin an open pipe — did not exit on
    SIGTERM or SIGINT: the console's read of stdin blocked the shutdown."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "bot", "run"], stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT,
                            env=_env(tmp_path, {"SACHSTAND_WEB__PORT": str(port)}))
    try:
        _poll(f"http://127.0.0.1:{port}/healthz")
        assert proc.stdin is not None
        proc.stdin.write(b"hilfe\n")  # a line read and answered; the next read waits on the open pipe
        proc.stdin.flush()
        time.sleep(1)
        proc.send_signal(sig)
        try:
            status = proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running 10 s after {sig.name} with stdin open")
        assert status == 0, proc.stderr.read().decode() if proc.stderr else ""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        if proc.stdin:
            proc.stdin.close()
