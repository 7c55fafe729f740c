"""A question from the public page on Slack (issue #8): it arrives in the office's channel as
escaped mrkdwn (markup and mentions stay text) with buttons; the office answers with the slash
command and publishes with a click; the page shows question and answer as text."""
from __future__ import annotations

import re

import aiohttp

from storage.models import PublicQuestion
from tests.helpers.slack_app import KOORDINATION, SlackBot

OFFICE = "C0GESCHFG"  # a channel the office binds to its body GF here
EVIL = "Wann? <script>alert(1)</script> *fett* <!channel> <@U0KOORD01> & Co"


async def test_a_question_arrives_in_the_office_channel_and_is_published_by_button(slack: SlackBot) -> None:
    bot = slack
    await bot.command(KOORDINATION, "gremium raum GF", channel=OFFICE)
    await bot.posted(1)
    base = f"http://127.0.0.1:{bot.app.web_port}/"
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.get(base + "empfehlungen/HF1-01.html") as resp:
            token = re.search(r'name="token" value="([^"]*)"', await resp.text())[1]  # type: ignore[index]
        form = {"token": token, "empfehlung": "HF1-01", "text": EVIL, "consent": "1", "website": ""}
        async with http.post(base + "fragen", data=form, allow_redirects=False) as resp:
            assert resp.status == 303

        arrived = next(m for m in await bot.posted(2, OFFICE) if "Neue Frage" in m["text"])
        with bot.app.uow_factory() as uow:
            number = uow.session.query(PublicQuestion).one().id
        shown = "\n".join(b["text"]["text"] for b in arrived["blocks"] if b["type"] == "section")
        assert "```Wann? &lt;script&gt;alert(1)&lt;/script&gt; *fett* &lt;!channel&gt; &lt;@U0KOORD01&gt; &amp; Co```" in shown
        assert "<!channel>" not in shown and "<@U0KOORD01>" not in shown and "<script>" not in arrived["text"]
        buttons = [(e["text"]["text"], e["value"]) for b in arrived["blocks"] if b["type"] == "actions"
                   for e in b["elements"]]
        assert buttons == [("Veröffentlichen", f"frage veröffentlichen {number}"),
                           ("An Verantwortliche weiterleiten", f"frage weiterleiten {number}"),
                           ("Ablehnen", f"frage ablehnen {number}")]

        await bot.command(KOORDINATION, f"frage antworten {number} Ab März – siehe <https://evil.example|hier>",
                          channel=OFFICE)
        await bot.fake.wait_for(lambda calls: any("bereit zur Veröffentlichung" in c.params.get("text", "")
                                                  for c in calls))
        async with http.get(base + "empfehlungen/HF1-01.html") as resp:
            assert "Ab März" not in await resp.text()  # nothing public before the click
        await bot.click(KOORDINATION, arrived, "Veröffentlichen")
        await bot.fake.wait_for(lambda calls: any("mit ihrer Antwort veröffentlicht" in c.params.get("text", "")
                                                  for c in calls))
        async with http.get(base + "empfehlungen/HF1-01.html") as resp:
            page = await resp.text()
    assert "Wann? &lt;script&gt;alert(1)&lt;/script&gt; *fett* &lt;!channel&gt;" in page
    # Slack's <url|label> is what the person wrote: the label and the link, shown as text (sec2 F1)
    assert "Ab März – siehe hier https://evil.example" in page and "<script>" not in page
