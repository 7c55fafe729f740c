"""Every page of the public site in headless Chromium at 320, 390 and 1280 px (issue #18): no
horizontal scrolling, no axe-core WCAG 2.1 A/AA violation, every link and control reached with the
Tab key, and every page reached from the overview by following links — German and English, the
example with its history (overview, filters, search, recommendations, indicators, bodies, the
accessibility statement, the legal pages). axe and Tab run per page at one width in turn (FULL below)."""
from __future__ import annotations

import os
from typing import Any

import pytest

from bot.public.site import Site
from tests.browser.test_public_page import CHROMIUM, LAUNCH_ARGS, _violations, pytestmark  # noqa: F401
from tests.helpers.harness import Bot, make_settings

WIDTHS = (320, 390, 1280)
# Overflow is checked on every page at every width. axe-core and the Tab walk (the slow part, and
# the same markup at each width) run on every top-level page and on the first, middle and last
# page of each kind (the 31 recommendation pages of a language are one template over different
# data), each at one of the widths in turn: 126 pages took 166 s of `make test`'s ten minutes.
# SACHSTAND_SITE_CHECK=full runs them on every page at every width (about ten minutes).
FULL = os.environ.get("SACHSTAND_SITE_CHECK") == "full"


def _audited(pages: list[str]) -> set[str]:
    """The pages axe-core and the Tab walk check: all without a folder of their kind, and of each
    folder (recommendations, indicators, filters; per language) the first, middle and last."""
    kinds: dict[str, list[str]] = {}
    for path in pages:
        kinds.setdefault(path.rsplit("/", 1)[0] if path.count("/") > path.startswith("en/") else path, []).append(path)
    return {group[i] for group in kinds.values() for i in {0, len(group) // 2, len(group) - 1}}

MARK_FOCUSABLE = """() => {
  const all = [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex]')];
  const wanted = all.filter(e => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length > 0);
  wanted.forEach((e, i) => e.setAttribute('data-kb', String(i)));
  return wanted.map(e => e.outerHTML.slice(0, 100));
}"""
ACTIVE = "() => document.activeElement && document.activeElement.getAttribute('data-kb')"
OVERFLOW = """() => {
  const doc = document.documentElement;
  const wide = [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.right > doc.clientWidth + 1 && !e.closest('.scroll') && r.width > 0 && getComputedStyle(e).position !== 'absolute';
  }).map(e => e.tagName + '.' + e.className + ': ' + (e.textContent || '').trim().slice(0, 40));
  return {scroll: doc.scrollWidth, client: doc.clientWidth, wide: wide.slice(0, 5)};
}"""


def _settings(db_url: str) -> Any:
    # the legal pages exist only with texts: configure them, so that they are checked, too
    return make_settings(db_url, web__enabled="true", web__port="0", general__example_history="true",
                         site__imprint_text="Stadt Beispiel\nDer Oberbürgermeister", site__privacy_text="Verantwortlich …",
                         site__contact_email="integration@stadt.example", site__contact_phone="0221 123 456")


async def _tab_through(page: Any) -> list[str]:
    """The links and controls that the Tab key never reaches (from the top of the page)."""
    wanted = await page.evaluate(MARK_FOCUSABLE)
    reached: set[str] = set()
    await page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    for _ in range(len(wanted) + 3):
        await page.keyboard.press("Tab")
        current = await page.evaluate(ACTIVE)
        if current is None or current in reached:
            break
        reached.add(current)
    return [html for i, html in enumerate(wanted) if str(i) not in reached]


async def test_every_page_at_every_width(db_url: str) -> None:
    """Each page is loaded once and laid out at each width in turn (the viewport resized: media
    queries apply as on a phone turned or a window narrowed), which keeps the checks of all three
    widths within one page load each."""
    playwright_api = pytest.importorskip("playwright.async_api")
    async with Bot(_settings(db_url)) as bot, playwright_api.async_playwright() as pw:
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        with bot.app.uow_factory() as uow:
            pages = sorted(p for p in Site(bot.app.services).paths(uow) if p.endswith(".html"))
        assert len(pages) > 100 and "kennzahlen/K-BIL-01.html" in pages and "en/filter/ueberfaellig.html" in pages
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = await browser.new_page(viewport={"width": WIDTHS[0], "height": 800}, java_script_enabled=True)
            problems: dict[str, list[str]] = {}
            linked: set[str] = set()
            audited = set(pages) if FULL else _audited(pages)
            for n, path in enumerate(pages):
                await page.set_viewport_size({"width": WIDTHS[0], "height": 800})
                response = await page.goto(base + path)
                assert response is not None and response.status == 200, path
                found = []
                for width in WIDTHS:
                    await page.set_viewport_size({"width": width, "height": 800})
                    layout = await page.evaluate(OVERFLOW)
                    if layout["scroll"] > layout["client"]:
                        found.append(f"{width} px: horizontal scrolling: {layout['scroll']} > {layout['client']} px "
                                     f"{layout['wide']}")
                    if path in audited and (FULL or WIDTHS[n % len(WIDTHS)] == width):
                        found += [f"{width} px: {v}" for v in await _violations(page)]
                        found += [f"{width} px: not reached by Tab: {html}" for html in await _tab_through(page)]
                hrefs = await page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
                linked |= {h.split("#")[0].removeprefix(base) or "index.html" for h in hrefs if h.startswith(base)}
                if found:
                    problems[path] = found
        finally:
            await browser.close()
    assert problems == {}, "\n".join(f"{path}: {p}" for path, found in problems.items() for p in found)
    # every page is reached by following links (and so by keyboard) from the others
    assert [p for p in pages if p not in linked] == []
