"""A newcomer at the console: `sachstand run --at …` as a child process, a script on stdin, the
transcript from stdout split into what each line said and what came back after it."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_SAID = re.compile(r"^@([a-z0-9_.-]+) (?:\(DM\)|in (#\S+)) > (.*)$")


@dataclass
class Turn:
    speaker: str
    place: str  # "dm" or "#room"
    line: str
    output: str  # everything printed after the line, before the next one

    def to(self, handle: str) -> list[str]:
        """The messages of this turn sent to one person's DM (text without the header line)."""
        return _messages(self.output, f"[DM @{handle}] Sachstand:")

    def room(self, room: str) -> list[str]:
        return _messages(self.output, f"[{room}] Sachstand:")


def _messages(output: str, header: str) -> list[str]:
    found, current = [], None
    for line in output.splitlines():
        if line.startswith("[") and line.endswith("Sachstand:"):
            if current is not None:
                found.append("\n".join(current))
            current = [] if line == header else None
        elif line.startswith("· "):
            if current is not None:
                found.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line.removeprefix("  "))
    if current is not None:
        found.append("\n".join(current))
    return found


def write_config(tmp: Path, **sections: str) -> Path:
    config = tmp / "config.toml"
    config.write_text(f"""
[general]
example_catalog = "{ROOT / 'examples' / 'koeln.yaml'}"
example_history = false
data_dir = "{tmp}"
[database]
url = "sqlite:///{tmp / 'sachstand.db'}"
[web]
enabled = false
[logging]
level = "WARNING"
{"".join(sections.values())}
""", encoding="utf-8")
    return config


def run(config: Path, at: str, script: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SACHSTAND_")}
    return subprocess.run([sys.executable, "-m", "bot", "--config", str(config), "run", "--at", at],
                          cwd=ROOT, env=env, input=script, capture_output=True, text=True, timeout=timeout)


def turns(stdout: str) -> list[Turn]:
    result: list[Turn] = []
    for line in stdout.splitlines():
        said = _SAID.match(line)
        if said:
            result.append(Turn(said[1], said[2] or "dm", said[3], ""))
        elif result:
            result[-1].output += line + "\n"
    return result


class Walk:
    """The transcript of one run, looked up by what was said."""

    def __init__(self, stdout: str) -> None:
        self.stdout = stdout
        self.turns = turns(stdout)

    def after(self, speaker: str, line: str, nth: int = 0) -> Turn:
        matches = [t for t in self.turns if t.speaker == speaker and t.line == line]
        assert len(matches) > nth, f"@{speaker} never said {line!r}:\n{self.stdout[-3000:]}"
        return matches[nth]
