"""`make screenshots`: the public site of the example (with its history) in headless Chromium, as
PNGs in docs/screenshots/ — the overview, a recommendation and an indicator at 390 and 1280 px —
so that a reader of the docs sees the product. Uses the same bot and browser as the browser tests."""
from __future__ import annotations

import asyncio
import sys
import tempfile
from pathlib import Path

from tests.browser.test_public_page import CHROMIUM, LAUNCH_ARGS
from tests.helpers.harness import Bot, make_settings

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PAGES = (("uebersicht", "index.html"), ("empfehlung-HF2-04", "empfehlungen/HF2-04.html"),
         ("kennzahl-K-BIL-01", "kennzahlen/K-BIL-01.html"))
WIDTHS = (390, 1280)


async def main(out: Path = OUT) -> list[Path]:
    from playwright.async_api import async_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = make_settings(f"sqlite:///{tmp}/sachstand.db", web__enabled="true", web__port="0",
                                 general__example_history="true", site__contact_email="integration@stadt.example")
        async with Bot(settings) as bot, async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            try:
                for width in WIDTHS:
                    page = await browser.new_page(viewport={"width": width, "height": 900 if width > 600 else 844})
                    for name, path in PAGES:
                        await page.goto(f"http://127.0.0.1:{bot.app.web_port}/{path}")
                        target = out / f"{name}-{width}.png"
                        await page.screenshot(path=str(target), full_page=True)
                        written.append(target)
            finally:
                await browser.close()
    return written


if __name__ == "__main__":
    for path in asyncio.run(main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)):
        print(path)
