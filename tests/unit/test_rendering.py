"""Rendering: every template in every format, escaping, translations complete."""
from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po
from markupsafe import Markup

from bot.core.i18n import LOCALE_DIR, Translations
from bot.rendering import Renderer, mrkdwn_escape, sanitise_html

ROOT = Path(__file__).resolve().parents[2]


def _renderer() -> Renderer:
    return Renderer(Translations("de"))


def test_notice_escapes_user_text_per_format() -> None:
    r = _renderer()
    evil = "<b>x</b> & <@U123> <script>alert(1)</script>"
    assert r.render("notice", "plain", "de", text=evil) == evil
    html = r.render("notice", "matrix", "de", text=evil)
    assert "<script>" not in html and "&lt;b&gt;" in html
    assert r.render("notice", "slack", "de", text=evil) == mrkdwn_escape(evil)


def test_translated_placeholders_are_escaped_too() -> None:
    r = _renderer()
    html = r.render("unknown_command", "matrix", "de", word="<img src=x>", suggestion="")
    assert "<img" not in html and "„&lt;img src=x&gt;“" in html
    slack = r.render("unknown_command", "slack", "en", word="<!channel>", suggestion="")
    assert "<!channel>" not in slack and "&lt;!channel&gt;" in slack


def test_markup_from_templates_survives_and_is_sanitised() -> None:
    assert sanitise_html('<b>ok</b><script>x</script><a href="javascript:x">l</a>') == "<b>ok</b><a>l</a>"
    r = _renderer()
    assert "<h4>" in r.render("audit_log", "matrix", "de", entries=[])
    assert r.render("audit_log", "slack", "de", entries=[]).startswith("*Änderungsprotokoll*")
    assert isinstance(Markup("x"), str)


def test_german_catalog_translates_every_message() -> None:
    pot = read_po(open(LOCALE_DIR / "sachstand.pot", "rb"))
    de = read_po(open(LOCALE_DIR / "de" / "LC_MESSAGES" / "sachstand.po", "rb"))
    missing = [m.id for m in pot if m.id and not _translated(de.get(m.id if isinstance(m.id, str) else m.id[0]))]
    assert missing == []


def _translated(message: object) -> bool:
    if message is None:
        return False
    string = message.string  # type: ignore[attr-defined]
    return all(string) if isinstance(string, tuple) else bool(string)


def test_catalog_template_is_current() -> None:
    """Every message id in code and templates is in the .pot (run `make extract` if not)."""
    from babel.messages.extract import extract_from_dir

    pot = read_po(open(LOCALE_DIR / "sachstand.pot", "rb"))
    known = {m.id if isinstance(m.id, str) else m.id[0] for m in pot if m.id}
    options = {"extensions": "jinja2.ext.i18n"}
    found = set()
    for sub, method in (("bot", "python"), ("handlers", "python"), ("templates", "jinja2")):
        for _f, _l, message, _c, _x in extract_from_dir(
                ROOT / sub, method_map=[("**.py", "python")] if method == "python" else [("**.j2", "jinja2")],
                options_map={"**.j2": options}, keywords={"_": None, "gettext": None, "ngettext": (1, 2),
                                                          "N_": None, "t": None, "notice": None}):
            found.add(message if isinstance(message, str) else message[0])
    assert found - known == set()


def test_no_message_hides_from_the_extractor() -> None:
    """`translations.gettext(locale, "…")` puts the text second, where `make extract` does not look:
    it then drops the text from the catalogs and the German console says “It is …”. Such texts
    are marked `N_("…")`."""
    import re
    hidden = [f"{path.relative_to(ROOT)}:{n}" for sub in ("bot", "handlers") for path in (ROOT / sub).rglob("*.py")
              for n, line in enumerate(path.read_text().splitlines(), 1)
              if re.search(r"\bgettext\(\s*[\w.]+\s*,\s*[\"']", line)]
    assert hidden == []
