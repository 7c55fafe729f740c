"""The layers hold (issue #19, deliver 1): the import contract in pyproject.toml's
[tool.importlinter] — transports and web above handlers, handlers above the services, the
services above the engine and the core, storage at the bottom; only the transports import Slack
or Matrix libraries; no import cycles between the modules of a package — checked with
import-linter, as `lint-imports` would on the command line."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_the_import_contract_is_kept() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(lint), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout
