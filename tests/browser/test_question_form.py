"""The question form in a real browser (issue #8): headless Chromium fills it in on a
recommendation's page by keyboard, the server refuses a missing consent with the problems
announced (role=alert, focus, aria-describedby) and the values kept, then accepts it; the
question arrives in the office's room, is answered and published from chat, and shows on the
page and in the feed. axe-core finds no WCAG 2.1 A/AA violation on the page with the form and
in its error state. The same form works with JavaScript switched off."""
from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import feedparser
import pytest

from tests.browser.test_public_page import CHROMIUM, LAUNCH_ARGS, _violations, pytestmark  # noqa: F401
from tests.helpers.harness import Bot, make_settings

TEXT = "Gibt es die Kurse auch <b>abends</b>? <script>alert(1)</script>"


@asynccontextmanager
async def _browser(db_url: str) -> AsyncIterator[tuple[Bot, str, Any]]:
    playwright_api = pytest.importorskip("playwright.async_api")
    settings = make_settings(db_url, web__enabled="true", web__port="0")
    async with Bot(settings) as bot, playwright_api.async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield bot, f"http://127.0.0.1:{bot.app.web_port}/", browser
        finally:
            await browser.close()


async def test_question_form_by_keyboard_with_errors_announced_then_published(db_url: str) -> None:
    async with _browser(db_url) as (bot, base, browser):
        page = await browser.new_page()
        await page.goto(base + "empfehlungen/HF2-04.html")
        problems = {"Formular": await _violations(page)}
        assert await page.get_by_role("heading", name="Eine Frage stellen oder eine Anmerkung schreiben").count() == 1
        assert "Was dann geschieht" in await page.inner_text("#fragen")

        # keyboard only: the labelled fields in order, the consent left out
        await page.get_by_label("Ihre Frage oder Anmerkung (Pflichtfeld)").focus()
        await page.keyboard.type(TEXT)
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.id") == "feld-name"
        await page.keyboard.type("Erika Beispiel")
        await page.keyboard.press("Tab")
        await page.keyboard.press("Space")  # show my name
        await page.keyboard.press("Tab")
        await page.keyboard.type("erika@example.org")
        await page.keyboard.press("Tab")  # the honeypot is out of the tab order: next is the consent
        assert await page.evaluate("document.activeElement.id") == "feld-consent"
        await page.keyboard.press("Tab")
        async with page.expect_navigation():
            await page.keyboard.press("Enter")  # on the send button

        alert = page.get_by_role("alert")
        assert "Ihre Frage wurde noch nicht gesendet." in await alert.inner_text()
        assert "Bitte stimmen Sie dem Datenschutzhinweis zu" in await alert.inner_text()
        assert await page.evaluate("document.activeElement.id") == "fehler"  # focus on the problems
        consent = page.locator("#feld-consent")
        assert await consent.get_attribute("aria-invalid") == "true"
        described = await consent.get_attribute("aria-describedby")
        assert "Datenschutzhinweis" in await page.inner_text(f"#{described}")
        assert await page.input_value("#feld-text") == TEXT  # the values are kept
        assert await page.input_value("#feld-name") == "Erika Beispiel"
        assert await page.is_checked("#feld-show_name")
        problems["Fehlerzustand"] = await _violations(page)
        assert not bot.to("#geschaeftsfuehrung")

        # the link in the summary leads to the field; tick it and send
        await alert.get_by_role("link").click()
        assert await page.evaluate("document.activeElement.id") == "feld-consent"
        await page.keyboard.press("Space")
        await page.get_by_role("button", name="Frage absenden").focus()
        async with page.expect_navigation():
            await page.keyboard.press("Enter")
        assert page.url.endswith("/fragen/danke.html?zu=HF2-04")
        assert "Ihre Frage ist bei der Geschäftsstelle angekommen." in await page.inner_text("main")
        problems["Danke"] = await _violations(page)

        await bot.app.settle()
        arrived = bot.to("#geschaeftsfuehrung")
        assert len(arrived) == 1 and TEXT in arrived[0] and "HF2-04" in arrived[0]
        number = int(arrived[0].split("Neue Frage ")[1].split()[0])
        await bot.text("koordination", f"frage antworten {number} Ja, ab März <i>abends</i>.")
        await bot.text("koordination", f"frage veröffentlichen {number}")

        await page.get_by_role("link", name="Zurück zu HF2-04").click()
        await page.wait_for_load_state()
        entry = page.locator(f"#frage-{number}")
        assert TEXT in await entry.inner_text()  # markup shown as text, nothing executed
        assert "Ja, ab März <i>abends</i>." in await entry.inner_text()
        assert "Erika Beispiel" in await entry.inner_text()
        assert await page.locator("#fragen script, #fragen b, #fragen i").count() == 0
        problems["Veröffentlicht"] = await _violations(page)
        feed = feedparser.parse(await (await page.request.get(base + "feed.atom")).body())
        assert any(TEXT in e.content[0].value and "Ja, ab März" in e.content[0].value for e in feed.entries)
    assert problems == {k: [] for k in problems}, "\n".join(
        f"{where}: {v}" for where, found in problems.items() for v in found)


async def test_question_form_without_javascript_on_the_overview(db_url: str) -> None:
    async with _browser(db_url) as (bot, base, browser):
        page = await browser.new_page(java_script_enabled=False)
        await page.goto(base)
        await page.select_option("#feld-empfehlung", "HF2-04")
        await page.fill("#feld-text", "Eine Frage ohne JavaScript")
        await page.check("#feld-consent")
        async with page.expect_navigation():
            await page.get_by_role("button", name="Frage absenden").click()
        assert page.url.endswith("/fragen/danke.html?zu=HF2-04")
        await bot.app.settle()
        assert any("Eine Frage ohne JavaScript" in t for t in bot.to("#geschaeftsfuehrung"))
