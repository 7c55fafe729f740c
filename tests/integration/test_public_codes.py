"""Site finding F11 (second walk), the two lines behind the import's check of codes: a chart's
id is escaped like every other attribute, and the static export writes nothing outside its
folder, whatever path a page would have."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.app import App
from bot.public import export as export_module
from bot.public.charts import status_bar
from bot.public.page import Page
from bot.public.site import Site
from tests.helpers.harness import make_settings


def test_a_charts_id_is_escaped() -> None:
    drawn = str(status_bar('chart-HF1"><script>alert(9)</script>', "Stand", [("done", "umgesetzt", 3)]))
    assert "<script>" not in drawn and 'id="chart-HF1&#34;&gt;&lt;script&gt;' in drawn


def test_the_export_writes_nothing_outside_its_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = App(make_settings(f"sqlite:///{tmp_path / 'e.db'}"), transports=[],
              clock=lambda: datetime(2026, 11, 23, 9, tzinfo=timezone.utc))
    app.prepare()
    monkeypatch.setattr(Site, "paths", lambda self, uow: iter(["index.html", "../../outside.html", "filter/../../x.html"]))
    monkeypatch.setattr(Site, "assets", lambda self: iter([]))
    page = Page(b"<p>page</p>", "text/html")
    monkeypatch.setattr(Site, "page", lambda self, uow, path, *a, **k: page)
    out = tmp_path / "a" / "b" / "pub"
    written = export_module.export(app, out)
    app.engine.dispose()
    assert written == 1 and (out / "index.html").exists()
    assert not (tmp_path / "a" / "outside.html").exists() and not (tmp_path / "a" / "b" / "x.html").exists()
    assert sorted(p.name for p in tmp_path.rglob("*.html")) == ["index.html"]


def test_every_count_on_the_status_bar_is_readable() -> None:
    """Site finding F7 (second walk): each segment's count reaches 4.5:1 against its colour."""
    import re

    from bot.public.charts import STATUS_COLOURS, contrast
    drawn = str(status_bar("chart-all", "Stand", [(key, key, 5) for key in STATUS_COLOURS]))
    pairs = re.findall(r'fill="(#[0-9a-f]{6})" stroke[^>]*>.*?</rect><text [^>]*fill="(#[0-9a-f]{3,6})"', drawn)
    assert len(pairs) == len(STATUS_COLOURS)
    for fill, text in pairs:
        text = "#ffffff" if text == "#fff" else text
        assert contrast(fill, text) >= 4.5, (fill, text)
