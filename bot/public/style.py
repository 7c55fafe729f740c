"""The public site's stylesheet (templates/public/style.css), served as /style.css and written
by the static export. The progress bars' widths are classes (.w0 … .w100), not inline styles:
the Content-Security-Policy allows styles only from the site itself (bot/web_security.py)."""
from __future__ import annotations

from pathlib import Path

from .page import Page

SOURCE = Path(__file__).resolve().parents[2] / "templates" / "public" / "style.css"
WIDTHS = "".join(f".w{n}{{width:{n}%}}" for n in range(101))
STYLE = Page((SOURCE.read_text("utf-8") + WIDTHS + "\n").encode(), "text/css; charset=utf-8")
