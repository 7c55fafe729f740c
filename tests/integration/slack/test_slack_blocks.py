"""Slack text within Slack's limits, escaped, with people mentioned as <@U…> (pure functions)."""
from __future__ import annotations

from bot.core.events import Choice
from bot.core.i18n import Translations
from bot.rendering import Renderer
from bot.transports.slack import blocks


def test_long_text_is_split_at_line_ends_within_every_limit() -> None:
    lines = [f"• HF{i // 10}-{i:02d} Eine Empfehlung mit einem recht langen Titel & Zusatz <b>" for i in range(3000)]
    text = "\n".join(lines)
    parts = blocks.message_parts(text, [Choice("ja", "Ja", "1")])
    sections = [b for p in parts for b in p.blocks if b["type"] == "section"]
    assert all(len(b["text"]["text"]) <= blocks.SECTION_LIMIT for b in sections)
    assert all(len(p.blocks) <= blocks.BLOCKS_PER_MESSAGE for p in parts)
    assert all(len(p.text) <= blocks.TEXT_LIMIT for p in parts)
    assert len(parts) > 1
    # nothing lost, nothing cut inside a line, same order
    assert "\n".join(b["text"]["text"] for b in sections).split("\n") == lines
    assert parts[-1].blocks[-1]["type"] == "actions"  # the buttons come with the last part


def test_an_over_long_line_is_cut_at_spaces_and_never_inside_an_entity() -> None:
    line = ("wort &amp; " * 800).strip()
    chunks = blocks.split_text(line)
    assert all(len(c) <= blocks.SECTION_LIMIT for c in chunks)
    assert " ".join(chunks) == line
    no_spaces = "x" * 2998 + "&amp;" + "y" * 10
    first, second = blocks.split_text(no_spaces)
    assert first == "x" * 2998 and second.startswith("&amp;")


def test_buttons_carry_the_choice_value_and_stay_within_limits() -> None:
    choices = [Choice(f"v{i}", "Sehr lange Beschriftung " * 10, str(i)) for i in range(30)]
    actions = blocks.choice_blocks(choices)
    assert [len(a["elements"]) for a in actions] == [25, 5]
    first = actions[0]["elements"][0]
    assert first["value"] == "v0" and first["action_id"] == "sachstand_choice_0"
    assert len(first["text"]["text"]) <= blocks.BUTTON_TEXT
    assert len({e["action_id"] for a in actions for e in a["elements"]}) == 30


def test_mrkdwn_escapes_control_characters_once_and_mentions_people() -> None:
    r = Renderer(Translations("de"))
    text = r.render("notice", "slack", "de", text="Tom & Jerry <!channel> a>b")
    assert text == "Tom &amp; Jerry &lt;!channel&gt; a&gt;b"
    assert blocks.mention("U0TSTMN10") == "<@U0TSTMN10>"
    template = r.env.from_string('{% import "macros/slack.j2" as m with context %}'
                                 '{{ m.li(m.b("R&D") ~ " <x>") }} {{ m.mention(name, ref) }}')
    rendered = template.render(format="slack", name="Theo <T>", ref="U0TSTMN10")
    assert rendered == "• *R&amp;D* &lt;x&gt; <@U0TSTMN10>"  # nested macros escape once; mentions stay
