"""`sachstand run` as a child process, as an operator runs it: the fault, load, takeover and
Matrix tests start, kill and stop it through this one base (each subclass writes its config)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class BotProcessBase:
    """Subclasses set `dir` and `config` (and `name`, the log files' prefix) before `launch`."""

    dir: Path
    config: Path
    name = "bot"
    log_tail = 6000  # characters of each log file shown when a test fails

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def write_config(self, db_url: str, port: int, rest: str, data_dir: Path | None = None,
                     catalog: Path | None = None) -> None:
        """The Köln example without its history, no console, rounds opened by hand; `rest` adds
        the transport's and logging's sections."""
        self.config.write_text(f"""
[general]
example_catalog = "{catalog or ROOT / 'examples' / 'koeln.yaml'}"
example_history = false
data_dir = "{data_dir or self.dir}"
[rounds]
auto_open = false
[database]
url = "{db_url}"
[web]
port = {port}
[console]
enabled = false
{rest.strip()}
""", encoding="utf-8")

    def launch(self) -> None:
        """Start the process; each start logs to its own file (`bot-1.log`, `bot-2.log` …)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("SACHSTAND_")}
        self.starts += 1
        log = open(self.dir / f"{self.name}-{self.starts}.log", "wb")  # noqa: SIM115 - lives with the process
        self.proc = subprocess.Popen([sys.executable, "-m", "bot", "--config", str(self.config), "run"],
                                     cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                     stderr=subprocess.STDOUT)

    def log_text(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.dir.glob(f"{self.name}-*.log")))

    def log(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-self.log_tail:]
                         for p in sorted(self.dir.glob(f"{self.name}-*.log")))

    def kill(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> int:
        """SIGTERM, as systemd stops it; the exit status (SIGKILL after a minute)."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            return self.proc.wait(timeout=30)
