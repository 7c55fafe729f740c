"""Fixtures: one real Synapse per test session, the bot as `sachstand run` in a subprocess.

The bot runs exactly as in production (its own process, config file, SQLite database,
encryption store); the tests speak to it only through the homeserver, as members do.
"""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.botprocess import BotProcessBase
from tests.helpers.synapse import SERVER_NAME, Synapse, free_port

ROOT = Path(__file__).resolve().parents[3]
BOT = f"@sachstand:{SERVER_NAME}"
PEOPLE = ("koordination", "testmann", "ersatz", "musterfrau", "beispiel", "fremd")  # fremd: on the server, not in the catalog
PASSWORD = "pw-{}"


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    server = Synapse(tmp_path_factory.mktemp("synapse"))
    server.setup()
    server.start()
    server.register("sachstand", PASSWORD.format("sachstand"))
    for name in PEOPLE:
        server.register(name, PASSWORD.format(name))
    yield server
    server.stop()


class BotProcess(BotProcessBase):
    """`sachstand run --config …` as an office runs it; killed and started by PID."""

    def __init__(self, directory: Path, synapse: Synapse) -> None:
        self.dir = directory
        self.db_url = f"sqlite:///{directory / 'sachstand.db'}"
        self.web_port = free_port()
        self.config = directory / "config.toml"
        allowed = ", ".join(json.dumps(f"@{p}:{SERVER_NAME}") for p in PEOPLE if p != "fremd")
        self.write_config(self.db_url, self.web_port, f"""
[matrix]
enabled = true
homeserver = "{synapse.url}"
user_id = "{BOT}"
password = "{PASSWORD.format('sachstand')}"
store_path = "{directory / 'matrix-store'}"
allowed_inviters = [{allowed}]
[logging]
level = "INFO"
""")
        super().__init__()

    def start(self) -> None:
        self.launch()
        self.wait_healthy()

    def health(self) -> dict[str, object] | None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.web_port}/healthz", timeout=5) as resp:
                return json.load(resp)  # type: ignore[no-any-return]
        except urllib.error.HTTPError as exc:
            return json.load(exc)  # type: ignore[no-any-return]
        except (urllib.error.URLError, OSError, ValueError):
            return None

    def wait_healthy(self, healthy: bool = True, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None and self.proc.poll() is None, self.log()
            body = self.health()
            if body is not None and (body.get("status") == "ok") == healthy:
                return
            time.sleep(0.2)
        raise AssertionError(f"bot not {'healthy' if healthy else 'degraded'}: {self.log()}")

    def wait_for_log(self, text: str, count: int = 1, timeout: float = 90) -> None:
        """Until the bot has logged `text` (at least `count` times over all its runs)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.log_text().count(text) >= count:
                return
            time.sleep(0.2)
        raise AssertionError(f"bot never logged {text!r}: {self.log()}")

    def uow(self):  # type: ignore[no-untyped-def]
        """The bot's own database, for checking what a command changed (and what it did not)."""
        from storage.db import make_engine, make_session_factory
        from storage.uow import UnitOfWorkFactory

        return UnitOfWorkFactory(make_session_factory(make_engine(self.db_url)))()


@pytest.fixture(scope="session")
def bot(synapse: Synapse, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    process = BotProcess(tmp_path_factory.mktemp("bot"), synapse)
    process.start()
    yield process
    code = process.stop()
    assert code == 0, process.log()
    assert "Traceback" not in process.log(), process.log()


@pytest.fixture
def member_factory(synapse: Synapse, tmp_path: Path):  # type: ignore[no-untyped-def]
    from matrix_member import Member

    def make(name: str) -> Member:
        return Member(synapse.url, f"@{name}:{SERVER_NAME}", PASSWORD.format(name), tmp_path / name)

    return make
