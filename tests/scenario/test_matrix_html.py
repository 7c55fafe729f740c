"""Matrix HTML of the messages people get (issue #14, points 3 and 4; issue #15, point 1).

A session of commands and conversations that touches most message kinds is driven through the
real router; every Matrix rendering must be well-formed HTML, escaped exactly once (markup from
the templates stays markup, text from people stays text), with list items inside a list and
choices neither numbered twice nor written as "✅) Ja".
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
ROOM = "#eg-arbeit-wirtschaft"
VOID = {"br"}
HOSTILE = '<b>fett</b> & <img src=x onerror=alert(1)> "zitiert"  zwei Leerzeichen'


class Checker(HTMLParser):
    """Well-formedness as a Matrix client needs it: tags close in order, <li> only in a list."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "li" and (not self.stack or self.stack[-1] not in ("ul", "ol")):
            self.problems.append(f"<li> inside {self.stack[-1:] or 'nothing'}")
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text += data


def check(html: str) -> list[str]:
    parser = Checker()
    parser.feed(html)
    parser.close()
    problems = parser.problems + [f"unclosed {t}" for t in parser.stack]
    # markup of the templates shown as text: escaped a second time
    if re.search(r"<(code|b|i|li|ul|ol|h4|a|br)\b", parser.text.replace(HOSTILE, "")):
        problems.append("template markup shown as text")
    if "&amp;lt;" in html or "&amp;amp;" in html or "&amp;gt;" in html:
        problems.append("escaped twice")
    if re.search(r"^\s*•", parser.text, re.M):
        problems.append("a bullet written into a list item")
    if re.search(r"\S\)\s", parser.text) and re.search(r"(✅|❌|❔|❓)\)", parser.text):
        problems.append("an emoji key written as '✅)'")
    return problems


async def test_every_matrix_message_of_a_session_is_well_formed_and_escaped_once(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        script = [
            ("koordination", "hilfe", None), ("koordination", "hilfe status", None), ("testmann", "hilfe", None),
            ("koordination", "wer bin ich", None), ("koordination", "felder", None),
            ("koordination", "feld HF2", None), ("koordination", "empfehlung HF2-04", None),
            ("koordination", "liste feld:HF2", None), ("koordination", "gremien", None),
            ("koordination", "gremium EG2", None), ("koordination", "digest HF2", None),
            ("beispiel", "sitzung anlegen EG2 14.01.2027 10:00 90min \"Rathaus, Raum 12\"", None),
            ("beispiel", f"top vorschlagen EG2 \"{HOSTILE}\"", ROOM),
            ("beispiel", "tagesordnung EG2", ROOM), ("beispiel", "sitzung EG2", ROOM),
            ("beispiel", "sitzung planen EG2", None),
            ("koordination", "runde starten EG2 frist 15.12.2026", None),
            ("koordination", "runde status EG2", None), ("koordination", "einstellungen", None),
            ("koordination", "abbrechen", None), ("koordination", "gibtsnicht <b>x</b>", None),
        ]
        for user, text, room in script:
            await bot.say(user, text, room)
        messages = bot.transport.sent
        htmls = [(m.text("plain").splitlines()[0] if m.text("plain") else "", m.texts.get("matrix", ""))
                 for m in messages]
        assert len(htmls) > 25
        problems = {first: p for first, html in htmls if (p := check(html))}
        assert problems == {}
        joined = "\n".join(html for _, html in htmls)
        assert "<ol>" in joined and "<ul>" in joined  # numbered choices and lists both occur
        assert "<code>hilfe [&lt;Befehl…&gt;]</code>" in joined
        # text from a person: shown as typed, escaped once, its quotes and spacing kept
        assert "&lt;b&gt;fett&lt;/b&gt; &amp; &lt;img src=x onerror=alert(1)&gt; &quot;zitiert&quot;  zwei" in joined \
            or "&lt;b&gt;fett&lt;/b&gt; &amp; &lt;img src=x onerror=alert(1)&gt; \"zitiert\"  zwei" in joined
        plain = "\n".join(m.text("plain") for m in messages)
        assert HOSTILE in plain
