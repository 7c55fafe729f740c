"""The types are kept (issue #19, deliver 5): mypy with the project's own configuration
(pyproject.toml's [tool.mypy]: bot, handlers and storage, unused `type: ignore` comments count as
errors) finds nothing — as `.venv/bin/mypy` would on the command line. Its incremental cache
(.mypy_cache/) keeps a second run to a second or two."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from mypy import api

ROOT = Path(__file__).parents[2]


def test_mypy_finds_no_errors_with_the_project_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # where mypy finds pyproject.toml and the `files` it names
    out, err, status = api.run([])
    assert status == 0, f"mypy found type errors (status {status}):\n{out[-8000:]}{err[-2000:]}"
    checked = re.search(r"Success: no issues found in (\d+) source files", out)
    # the configuration's `files` were found: a configuration that checks nothing is no check
    assert checked is not None and int(checked[1]) > 100, out + err
