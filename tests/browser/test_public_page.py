"""The public status page in a real browser (issue #7): headless Chromium renders it, its links
work, and axe-core finds no WCAG 2.1 A/AA violation on the overview, a recommendation page and
the bodies page.

Chromium is the system one (`/usr/bin/chromium`, or SACHSTAND_CHROMIUM); `make test` installs it
with apt-get where it can. Playwright drives it, axe-core comes bundled in axe-playwright-python.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.harness import Bot, make_settings

CHROMIUM = os.environ.get("SACHSTAND_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.parametrize("db_url", ["sqlite"], indirect=True),
    pytest.mark.skipif(not Path(CHROMIUM).exists(),
                       reason=f"no Chromium at {CHROMIUM}: install it (apt-get install chromium) "
                              "or point SACHSTAND_CHROMIUM at one"),
]


async def _violations(page: object) -> list[str]:
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG},
                                              "resultTypes": ["violations"]})
    assert results.response["passes"], "axe-core ran no WCAG rule at all"
    assert results.response["testEngine"]["name"] == "axe-core"
    return [f"{v['id']} ({v['impact']}): {v['help']} – " + "; ".join(n["html"][:120] for n in v["nodes"][:3])
            for v in results.response["violations"]]


@asynccontextmanager
async def _site(db_url: str, javascript: bool) -> AsyncIterator[tuple[str, Any]]:
    """The bot with its web server and the example history, and a Chromium page: (base URL, page)."""
    playwright_api = pytest.importorskip("playwright.async_api")
    settings = make_settings(db_url, web__enabled="true", web__port="0", general__example_history="true")
    async with Bot(settings) as bot, playwright_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield f"http://127.0.0.1:{bot.app.web_port}/", await browser.new_page(java_script_enabled=javascript)
        finally:
            await browser.close()


async def test_public_page_in_chromium(db_url: str) -> None:
    async with _site(db_url, javascript=True) as (base, page):
        response = await page.goto(base)
        assert response is not None and response.status == 200
        assert await page.get_attribute("html", "lang") == "de"
        assert "Stand der Umsetzung" in await page.inner_text("h1")
        released = await page.locator("span.status").count()
        assert released > 0, "the example history shows released states on the overview"
        problems = {"Übersicht": await _violations(page)}

        # overview → a recommendation with released history → back
        link = page.locator("main table a[href*='empfehlungen/']").first
        code = (await link.inner_text()).strip()
        await link.click()
        await page.wait_for_load_state()
        assert page.url == f"{base}empfehlungen/{code}.html"
        assert (await page.inner_text("h1")).startswith(code)
        assert await page.locator("main h2", has_text="Verlauf").count() == 1
        problems[f"Empfehlung {code}"] = await _violations(page)
        await page.go_back()
        assert page.url == base and "Stand der Umsetzung" in await page.inner_text("h1")

        # the bodies page through the navigation
        await page.get_by_role("link", name="Gremien und Sitzungen").click()
        await page.wait_for_load_state()
        assert page.url == f"{base}gremien.html"
        assert await page.locator("main section h2").count() > 1
        problems["Gremien"] = await _violations(page)

        # the machine-readable links in the navigation answer 200
        for name in ("Feed (Atom)", "Daten (JSON)"):
            href = await page.get_by_role("link", name=name).get_attribute("href")
            assert href
            answer = await page.request.get(base + href)
            assert answer.status == 200, href
            assert (await answer.body()).strip(), href
        # every link on the overview leads somewhere
        await page.goto(base)
        hrefs = await page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        for href in {h.split("#")[0] for h in hrefs if h.startswith(base)}:
            assert (await page.request.get(href)).status == 200, href
    assert problems == {k: [] for k in problems}, "\n".join(
        f"{where}: {v}" for where, found in problems.items() for v in found)


async def test_public_page_works_without_javascript(db_url: str) -> None:
    async with _site(db_url, javascript=False) as (base, page):
        await page.goto(base)
        await page.locator("main table a[href*='empfehlungen/']").first.click()
        await page.wait_for_load_state()
        assert "/empfehlungen/" in page.url
        assert await page.locator("main dl").count() >= 1  # the facts (status, progress, unit, body, …)
