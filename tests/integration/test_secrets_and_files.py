"""Secrets and data files (issue #15, point 4): the password in `database.url` is never printed
(`check-config`, configuration errors, logs); the SQLite file and the data directories are
created readable by the bot's user only."""
from __future__ import annotations

import io
import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot.logging_setup import JsonFormatter, TextFormatter, configure

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Tr0ub4dor-geheim"


def _sachstand(args: list[str], tmp_path: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SACHSTAND_")}
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**base, "SACHSTAND_WEB__PORT": "0", **env}, timeout=120)


def test_check_config_masks_the_database_password(tmp_path: Path) -> None:
    url = f"postgresql://sachstand:{PASSWORD}@db.example:5432/sachstand?sslpassword={PASSWORD}x"
    result = _sachstand(["check-config"], tmp_path, {"SACHSTAND_DATABASE__URL": url,
                                                      "SACHSTAND_MATRIX__PASSWORD": PASSWORD + "m"})
    assert result.returncode == 0, result.stderr
    assert PASSWORD not in result.stdout + result.stderr
    assert "postgresql://sachstand:***@db.example:5432/sachstand" in result.stdout


@pytest.mark.parametrize("secret", ["Ab+c/dEf==", "pa/ss3", "pa ss5", "p@ssW0rd1"])
def test_check_config_masks_passwords_with_slashes_spaces_and_at_signs(tmp_path: Path, secret: str) -> None:
    """Second outside attack, F5: a base64 password ("/") or one with a space was shown in clear."""
    url = f"postgresql+psycopg://u:{secret}@127.0.0.1:1/db"
    result = _sachstand(["check-config"], tmp_path, {"SACHSTAND_DATABASE__URL": url})
    assert result.returncode == 0, result.stderr
    assert secret not in result.stdout + result.stderr and "u:***@127.0.0.1:1/db" in result.stdout


def test_a_configuration_error_does_not_show_the_password(tmp_path: Path) -> None:
    url = f"postgresql://sachstand:{PASSWORD}@db.example:notaport/sachstand"
    result = _sachstand(["check-config"], tmp_path, {"SACHSTAND_DATABASE__URL": url,
                                                      "SACHSTAND_WEB__PORT": "not-a-port"})
    assert result.returncode != 0
    assert PASSWORD not in result.stdout + result.stderr


def test_log_lines_never_carry_a_url_password() -> None:
    for formatter in (TextFormatter(), JsonFormatter()):
        stream = io.StringIO()
        handler = configure("INFO", "json" if isinstance(formatter, JsonFormatter) else "text", stream)
        try:
            log = logging.getLogger("sachstand.test")
            log.warning("cannot reach %s", f"postgresql://u:{PASSWORD}@db/x")
            try:
                raise ConnectionError(f"connect to https://bot:{PASSWORD}@matrix.example failed")
            except ConnectionError:
                log.exception("failed")
        finally:
            logging.getLogger().removeHandler(handler)
        assert "u:***@db" in stream.getvalue() and PASSWORD not in stream.getvalue()


def test_the_sqlite_file_and_its_directory_are_private(tmp_path: Path) -> None:
    data = tmp_path / "neu" / "daten"
    result = _sachstand(["db", "upgrade"], tmp_path, {"SACHSTAND_DATABASE__URL": f"sqlite:///{data / 's.db'}"})
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE((data / "s.db").stat().st_mode) == 0o600
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "neu").stat().st_mode) == 0o700
    for side in data.glob("s.db-*"):  # WAL and shared memory, if SQLite left them
        assert stat.S_IMODE(side.stat().st_mode) & 0o077 == 0, side
