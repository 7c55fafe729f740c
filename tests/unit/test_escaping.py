"""One escaping rule per output format (issue #15, point 1).

A value inserted into a translated phrase is escaped for the format it goes to; the phrase is
never marked safe with its values already in it. Free text reaches the handlers as written.
"""
from __future__ import annotations

from datetime import date

import pytest

from bot.conversations.engine import ConversationEngine
from bot.core.commands import CommandRegistry
from bot.core.i18n import Translations
from bot.rendering import Renderer, escape_for
from handlers import register_all

XSS = '<img src=x onerror="window.__pwned=1"> & <script>alert(1)</script>'
PHRASE = "{% trans name=value %}from {{ name }}{% endtrans %} · {{ _('Invitation: %(title)s', title=value) }}"


def _render(fmt: str, value: object) -> str:
    r = Renderer(Translations("de"))
    template = r.env.from_string("{% autoescape format in ('matrix', 'public', 'reports') %}" + PHRASE
                                 + "{% endautoescape %}")
    return template.render(**r._context(fmt, "de", None), value=value)  # noqa: SLF001 - the render context


@pytest.mark.parametrize("fmt", ["public", "reports", "matrix"])
def test_html_formats_escape_values_inside_translated_phrases(fmt: str) -> None:
    out = _render(fmt, XSS)
    assert "<img" not in out and "<script" not in out
    assert out.count("&lt;img src=x onerror=&#34;window.__pwned=1&#34;&gt; &amp; &lt;script&gt;") == 2


def test_slack_escapes_control_characters_and_neutralises_mentions() -> None:
    out = _render("slack", "<!channel> <@U0123ABC> <https://evil.example|click> & x")
    assert "<" not in out and ">" not in out.replace("&gt;", "")
    assert out.count("&lt;!channel&gt; &lt;@U0123ABC&gt; &lt;https://evil.example|click&gt; &amp; x") == 2


def test_plain_text_is_as_written() -> None:
    assert _render("plain", XSS) == f"von {XSS} · Einladung: {XSS}"


def test_a_format_without_a_rule_is_refused() -> None:
    with pytest.raises(ValueError):
        escape_for("html5")


def test_each_format_escapes_once_not_twice() -> None:
    assert str(escape_for("public")(escape_for("public")("<&>"))) == "&lt;&amp;&gt;"
    assert str(escape_for("slack")(escape_for("slack")("<&>"))) == "&lt;&amp;&gt;"


@pytest.fixture
def registry() -> CommandRegistry:
    reg = CommandRegistry()
    register_all(reg, ConversationEngine())
    return reg


@pytest.mark.parametrize(("typed", "kept"), [
    ('frage antworten 3 Er sagte "ja, gern"  und  ging.', 'Er sagte "ja, gern"  und  ging.'),
    ("frage antworten 3 „Zitat“ –  mit\\Backslash", "„Zitat“ –  mit\\Backslash"),
    ('frage antworten 3 "Ein Satz in Anführungszeichen"', "Ein Satz in Anführungszeichen"),
    ("frage antworten 3 <b>x</b> 'a'", "<b>x</b> 'a'"),
])
def test_free_text_keeps_quotes_and_spacing(registry: CommandRegistry, typed: str, kept: str) -> None:
    inv = registry.parse(typed, date(2026, 11, 23))
    assert inv is not None and inv.args["text"] == kept
