"""A corpus of hostile text (issue #15, point 2): what an attacker types into a form field, a
chat command or a catalog cell to run script on the public site, break out of an attribute,
an XML or iCalendar value, mention everybody in a chat room or reverse the reading direction.

Each payload that could run script sets `window.__pwned` (the browser test reads it), so a
payload that fires is found whatever the output. SHORT payloads fit a name (≤ 100 characters)
and a title; LONG is for free text only.
"""
from __future__ import annotations

import re

SHORT: tuple[str, ...] = (
    '<script>window.__pwned="script"</script>',
    '<img src=x onerror="window.__pwned=\'img\'">',
    '"><svg onload="window.__pwned=\'svg\'">',
    "'><body onload=window.__pwned='body'>",
    '<a href="javascript:window.__pwned=\'a\'">klick</a>',
    'javascript:window.__pwned="url"',
    '<svg><script>window.__pwned="svg-script"</script></svg>',
    '<style>*{background:url("javascript:window.__pwned=1")}</style>',
    '<div style="width:expression(window.__pwned=1)" onmouseover="window.__pwned=2">css</div>',
    '</textarea></title></style><script>window.__pwned="breakout"</script>',
    '<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe>',
    '<math><mtext><table><mglyph><style><img src=x onerror=window.__pwned=1>',
    ']]><!-- --><![CDATA[<script>window.__pwned="cdata"</script>',
    '<x:script xmlns:x="http://www.w3.org/1999/xhtml">window.__pwned="xmlns"</x:script>',
    '*fett* _kursiv_ ~weg~ `code` <!channel> <!here> <@U0123ABC> <https://evil.example|klick>',
    '<a href="https://matrix.to/#/@room:evil.example">@room</a> @room',
    "\u202egnp.exe\u202c \u2066RTL\u2069 \u200fمرحبا שלום",
    "{{ 7*7 }} {% raw %} ${7*7} %(name)s {name} %s &amp; &lt;b&gt;",
    "Ort\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:eingeschleust",
)
LONG = ("Sehr langer Text mit <b>Markup</b> & Sonderzeichen ünd Umlauten. " * 28).strip()  # ~1900 characters
ALL: tuple[str, ...] = (*SHORT, LONG)
INJECTED_EVENT = "eingeschleust"  # the SUMMARY the iCalendar payload tries to smuggle in


def shown(text: str) -> str:
    """A text as the site shows it: bidi embeddings/overrides/isolates and control characters are
    dropped at every way in (chat, catalog, form: sec2 F2, F11); whitespace runs as one space as in
    a browser's innerText; bidi marks (U+200E/F) kept."""
    text = re.sub("[\u202a-\u202e\u2066-\u2069\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", "", text)
    return re.sub(r"\s+", " ", text).strip()


def pick(i: int, short: bool = True) -> str:
    """The i-th payload, round robin: each way in gets a different one."""
    corpus = SHORT if short else ALL
    return corpus[i % len(corpus)]
