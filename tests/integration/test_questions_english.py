"""The question form on the English pages answers in English (site finding F3): the consent text a
reader agrees to, every refusal (on the English page, `lang="en"`), the thanks page and its way back."""
from __future__ import annotations

import re

import pytest

from tests.helpers.harness import Bot, make_settings
from tests.integration.test_questions import Visitor

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
EN_PAGE = "en/empfehlungen/HF2-04.html"


async def test_the_english_form_consents_refuses_and_thanks_in_english(db_url: str) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:
        visitor = Visitor(f"http://127.0.0.1:{bot.app.web_port}/")
        try:
            _, page, _ = await visitor.get(EN_PAGE)
            consent = re.search(r'<label for="feld-consent">([^<]*)</label>', page)
            assert consent and consent[1].startswith("I agree that the city processes my question"), consent
            status, refused, _ = await visitor.post({"text": "", "email": "not-an-email", "sprache": "en"},
                                                    path=EN_PAGE)
            assert status == 400 and '<html lang="en"' in refused
            assert "Please write your question or comment." in refused
            assert "This is not an e-mail address." in refused and "Please agree to the data-protection" in refused
            assert "Bitte" not in refused and 'href="../en/index.html"' not in refused  # links stay under /en/
            assert re.search(r'href="en/index.html"', refused), "the overview link of the English page"
            status, _, location = await visitor.post({"text": "Why is HF2-04 done?", "consent": "1",
                                                      "sprache": "en", "empfehlung": "HF2-04"}, path=EN_PAGE)
            assert status == 303 and "sprache=en" in location, location
            _, thanks, _ = await visitor.get("fragen/" + location.split("fragen/")[1])
            assert '<html lang="en"' in thanks and "Thank you for your question" in thanks
            assert 'href="../en/empfehlungen/HF2-04.html">Back to HF2-04' in thanks
            # the German form is German, as before
            _, page, _ = await visitor.get("empfehlungen/HF2-04.html")
            assert 'name="sprache" value="de"' in page and "Ich willige ein" in page
        finally:
            await visitor.http.close()
