"""`sachstand publish --out DIR`: the public site as static files (same bytes as served)."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .site import Site

if TYPE_CHECKING:
    from bot.core.runtime import Runtime


def export(app: Runtime, out: Path) -> int:
    site = Site(app.services, static=True)  # its form posts to the bot's server (README)
    count, root = 0, out.resolve()
    with app.uow_factory() as uow:
        for path in [*site.paths(uow), *site.assets()]:
            page = site.page(uow, path)
            target = (out / path).resolve()
            if page is None or not target.is_relative_to(root):  # nothing is written outside --out (site F11)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(page.body)
            count += 1
    return count
