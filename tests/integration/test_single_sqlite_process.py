"""Two `sachstand run` processes on one SQLite file would both lead and send every reply twice
(issue #20: 95 of 300 replies went out twice). The second refuses to start, saying why; once
the first is gone — even killed with SIGKILL — a new one starts."""
from __future__ import annotations

import subprocess
import time
import urllib.request
from pathlib import Path

from tests.helpers.botprocess import BotProcessBase
from tests.helpers.synapse import free_port


class Bot(BotProcessBase):
    def __init__(self, directory: Path, db_url: str, name: str) -> None:
        super().__init__()
        self.dir, self.name = directory, name
        self.config = directory / f"{name}.toml"
        self.port = free_port()
        self.write_config(db_url, self.port, "")

    def healthy(self, timeout: float = 60) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2):
                    return True
            except OSError:
                time.sleep(0.2)
        return False


def test_a_second_process_on_the_same_sqlite_file_refuses_to_start(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'one.db'}"
    first, second = Bot(tmp_path, db_url, "first"), Bot(tmp_path, db_url, "second")
    first.launch()
    try:
        assert first.healthy(), first.log()
        second.launch()
        assert second.proc is not None
        try:
            status = second.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            second.stop()
            raise AssertionError("the second process ran on the same SQLite file:\n" + second.log()) from None
        assert status == 1
        text = second.log_text()
        assert "schon von einem anderen Sachstand-Prozess benutzt" in text and "PostgreSQL" in text
        assert "Traceback" not in text
        assert first.proc is not None and first.proc.poll() is None  # the first one goes on

        first.kill()  # the kernel releases the lock with the process
        third = Bot(tmp_path, db_url, "third")
        third.launch()
        try:
            assert third.healthy(), third.log()
        finally:
            assert third.stop() == 0
    finally:
        first.stop()
