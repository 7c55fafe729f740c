"""One Jinja2 environment; templates per format (plain, matrix, slack) with escaping.

Templates live in templates/<format>/<name>.j2 with the same names in each folder.
Translations are passed per render (a person's locale), never installed globally.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import nh3
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.nodes import EvalContext
from jinja2.runtime import Context
from markupsafe import Markup, escape

from .core.commands import N_
from .core.i18n import Formats, Translations

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
FORMATS = ("plain", "matrix", "slack")
_AUTOESCAPED = ("matrix/", "public/", "reports/", "macros/matrix")

# What Matrix clients render (the spec's recommended subset); everything else is stripped.
MATRIX_TAGS = {"b", "strong", "i", "em", "u", "code", "pre", "p", "br", "ul", "ol", "li",
               "a", "h3", "h4", "h5", "blockquote", "table", "thead", "tbody", "tr", "th", "td",
               "del", "sup", "sub", "span"}


def mrkdwn_escape(value: object) -> str:
    """Slack mrkdwn control characters (https://api.slack.com/reference/surfaces/formatting)."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_BARE_AMP = re.compile(r"&(?!(?:amp|lt|gt);)")


def mrkdwn_escape_once(value: object) -> str:
    """Like mrkdwn_escape, but leaves existing &amp; &lt; &gt; alone: template values pass
    through nested macros and concatenation, and each level escapes; the text must not
    come out as &amp;lt;."""
    return _BARE_AMP.sub("&amp;", str(value)).replace("<", "&lt;").replace(">", "&gt;")


def sanitise_html(html: str) -> str:
    return nh3.clean(html, tags=MATRIX_TAGS, attributes={"a": {"href"}, "span": {"data-mx-pill"}},
                     url_schemes={"https", "http", "mailto", "matrix"}, link_rel=None)


HTML_FORMATS = ("matrix", "public", "reports")


def escape_for(fmt: str) -> Callable[[object], Markup | str]:
    """The one escaping rule per output format, for a value inserted into text of that format.

    HTML (Matrix, the public site, the reports): HTML-escaped. Slack mrkdwn: `&`, `<`, `>`
    escaped, which also makes `<!channel>`, `<@U…>` and `<url|label>` plain text. Plain
    text: as written. A value already marked as finished markup of the format passes."""
    if fmt == "slack":
        return lambda v: v if isinstance(v, Markup) else Markup(mrkdwn_escape_once(v))
    if fmt in HTML_FORMATS:
        return escape
    if fmt == "plain":
        return str
    raise ValueError(f"no escaping rule for the format {fmt!r}")


def _translated(text: str, values: Mapping[str, Any], fmt: str) -> str:
    """A translated phrase with its values: the phrase is escaped as a template of the format
    (translators write text, not markup), then each value is escaped and inserted. Nothing is
    marked safe before its values are escaped."""
    # Like Jinja's newstyle gettext, every string is %-formatted (so a literal % is written %%).
    if fmt == "plain":
        return text % values
    esc = escape_for(fmt)
    return Markup(esc(text) % {k: v if isinstance(v, (int, float)) else esc(v) for k, v in values.items()})


@pass_context
def _outside(ctx: Context, value: object) -> Markup | str:
    """A short text from outside (a citizen's name, an e-mail address) inside a phrase, shown as
    typed and kept from acting on what surrounds it: on Slack inline code (no *bold*, _italic_,
    ~strike~, no ``` that opens a block swallowing the rest of the message, finding F12a); in
    the public pages and reports isolated in <bdi> (a right-to-left override cannot reverse the
    text after it, F1a); elsewhere the format's own escaping applies as usual."""
    fmt = ctx.get("format")
    text = "" if value is None else str(value)
    if fmt == "slack":
        return Markup("`" + mrkdwn_escape_once(text.replace("`", "ˋ").replace("\n", " ")) + "`")
    if fmt in ("public", "reports"):
        return Markup("<bdi>%s</bdi>") % text
    return text


@pass_context
def _finalize(ctx: Context, value: object) -> object:
    # Slack has no autoescape in Jinja: escape every interpolated value unless marked safe.
    if ctx.get("format") == "slack" and not isinstance(value, Markup):
        return mrkdwn_escape_once("" if value is None else value)
    return "" if value is None else value


_BLOCK_END = re.compile(r"(</?(h\d|ul|ol|li|p|pre|table|tr|blockquote)>|<br>)$")


def _tidy(text: str) -> str:
    """Chat messages are compact: drop the blank lines that template logic leaves behind."""
    return "\n".join(line.rstrip() for line in text.strip().splitlines() if line.strip())


def _line_breaks(html: str) -> str:
    """Common templates are written line by line; in HTML each line that is not a block ends in <br>."""
    lines = html.splitlines()
    return "\n".join(line if not line or _BLOCK_END.search(line) or i == len(lines) - 1 else line + "<br>"
                     for i, line in enumerate(lines))


def _finished(macro: Callable[..., str]) -> Callable[..., Markup]:
    """Slack macros escape their arguments once; their output must not be escaped again."""
    return lambda *args, **kwargs: Markup(macro(*args, **kwargs))


class _EvalContext(EvalContext):
    """Jinja compiles `a ~ b` inside `{% autoescape <expression> %}` to
    `markup_join if context.eval_ctx.volatile else str_join`, and `volatile` is False when
    rendering: the concatenation of a macro's finished HTML with text came out as a plain
    string and was escaped a second time (`&lt;code&gt;` in Matrix). Here concatenation follows
    whether the block escapes."""

    @property
    def volatile(self) -> bool:
        return bool(self.autoescape)

    @volatile.setter
    def volatile(self, value: bool) -> None:
        pass


class _Context(Context):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.eval_ctx = _EvalContext(self.environment, self.name)


class Renderer:
    def __init__(self, translations: Translations, timezone: str = "Europe/Berlin",
                 template_dir: Path = TEMPLATES) -> None:
        self.translations = translations
        self.timezone = timezone
        self.env = Environment(
            loader=FileSystemLoader(str(template_dir)),
            autoescape=lambda name: name is not None and name.startswith(_AUTOESCAPED),
            extensions=["jinja2.ext.i18n"], undefined=StrictUndefined,
            trim_blocks=False, lstrip_blocks=True, keep_trailing_newline=False, finalize=_finalize)
        self.env.context_class = _Context
        # an attribute the i18n extension adds, which Environment's type does not declare
        self.env.newstyle_gettext = True  # type: ignore[attr-defined]
        self.env.filters.update(mrkdwn=lambda v: Markup(mrkdwn_escape(v)), sanitise=sanitise_html,
                                done=_finished, outside=_outside)

    def render(self, name: str, fmt: str, locale: str | None, tz: str | None = None,
               **values: Any) -> str:
        # A format-specific template wins; otherwise the common one with the format's macros.
        template = self.env.get_or_select_template([f"{fmt}/{name}.j2", f"common/{name}.j2"])
        text = _tidy(template.render(**self._context(fmt, locale, tz), **values))
        return sanitise_html(_line_breaks(text)) if fmt == "matrix" else text

    def render_all(self, name: str, formats: tuple[str, ...], locale: str | None,
                   tz: str | None = None, **values: Any) -> dict[str, str]:
        return {fmt: self.render(name, fmt, locale, tz, **values) for fmt in formats}

    def _context(self, fmt: str, locale: str | None, tz: str | None) -> dict[str, Any]:
        code = self.translations.normalise(locale)
        trans = self.translations.get(code)
        fmts = Formats(code)
        zone = tz or self.timezone

        def gettext(message: str, **values: Any) -> str:
            return _translated(trans.gettext(message), values, fmt)

        def ngettext(singular: str, plural: str, n: int, **values: Any) -> str:
            values.setdefault("num", n)
            return _translated(trans.ngettext(singular, plural, n), values, fmt)

        return {"gettext": gettext, "ngettext": ngettext, "_": gettext, "locale": code,
                "fmt": fmts, "tz": zone, "format": fmt,
                "agenda_title": lambda item: agenda_title(item, trans.gettext, fmts),
                "d": fmts.date, "dt": lambda v, f="medium": fmts.datetime(v, zone, f),
                "num": fmts.number, "pct": fmts.percent}


# The agenda items Sachstand adds itself (bot/meetings/agenda.py, minutes.py) are stored in the
# office's words; each reader sees them in their own, dates in their format (rounds2 F10).
STANDING_TITLE = N_("Status of the recommendations")
ACTIONS_TITLE = N_("Action items from earlier meetings")
APPROVAL_ONE = N_("Approval of the minutes of meeting {number} ({date})")
APPROVAL_MANY = N_("Approval of the minutes of meetings {numbers}")
_DAY = re.compile(r"\((\d{1,2})\.(\d{1,2})\.(\d{4})\)")


def agenda_title(item: Any, gettext: Callable[[str], str], fmts: Formats) -> str:
    kind, title = getattr(item, "kind", ""), str(item.title)
    if kind == "standing":
        return gettext(STANDING_TITLE)
    if kind == "actions":
        return gettext(ACTIONS_TITLE)
    if kind == "approval":
        day = _DAY.search(title)
        numbers = re.findall(r"\d+", title[:day.start()] if day else title)
        if day and len(numbers) == 1:
            when = date(int(day[3]), int(day[2]), int(day[1]))
            return gettext(APPROVAL_ONE).format(number=numbers[0], date=fmts.date(when))
        if not day and numbers:
            return gettext(APPROVAL_MANY).format(numbers=", ".join(numbers))
    return title
