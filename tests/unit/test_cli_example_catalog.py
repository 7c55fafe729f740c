"""`sachstand run` with a copied example config outside the checkout (findings-rounds F1): the
relative example_catalog is not found. One line naming the setting, exit status 2 like other
configuration errors – not a traceback."""
from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.cli import main


def test_a_missing_example_catalog_is_one_line_naming_the_setting(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[general]\nexample_catalog = "examples/koeln.yaml"\ndata_dir = "{tmp_path}"\n'
                      f'[database]\nurl = "sqlite:///{tmp_path}/s.db"\n[web]\nenabled = false\n'
                      '[console]\nenabled = false\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # a working directory without examples/
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        code = main(["--config", str(config), "run", "--at", "2027-01-11T09:00"])
    finally:  # the command line set up logging
        root.handlers[:] = handlers
        root.setLevel(level)
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert "Traceback" not in err and len(err.splitlines()) == 1
    assert "[general] example_catalog" in err and "examples/koeln.yaml" in err and "nicht gefunden" in err
