"""Charts drawn as SVG for the HTML reports (pygal).

Why not matplotlib, which draws the chat images (`charts.py`): a report inlines one chart per
indicator, and matplotlib lays out and draws every text of a figure before it writes SVG —
50–80 ms a chart, most of the Integrationsbericht's time (bench/report.py). pygal writes SVG
elements directly, about 10 ms a chart, with text that stays text (selectable, printable).
The reports are self-contained files without scripts: they must work offline and printed.
"""
from __future__ import annotations

import re
from collections.abc import Sequence

from xml.sax.saxutils import escape as xml_escape

import pygal
from babel.numbers import format_decimal
from pygal.style import Style

BLUE = "#00457d"  # the reports' and chat images' blue

GENDER_COLOURS = {"gesamt": "#1a1a1a", "weiblich": "#a10000", "männlich": BLUE, "divers": "#6b4e00"}
OTHER = "#595959"
MAX_PERIOD_LABELS = 6  # readable on a printed page


def _style(colours: Sequence[str]) -> Style:
    return Style(background="white", plot_background="white", foreground="#1a1a1a", foreground_strong="#1a1a1a",
                 foreground_subtle="#767676", colors=tuple(colours) or (BLUE,), font_family="sans-serif",
                 label_font_size=12, major_label_font_size=12, legend_font_size=12, title_font_size=14,
                 value_font_size=12, value_colors=("white",), opacity="1", opacity_hover="1")


_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_CHART_ID = re.compile(r"chart-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_SERIES_ID = re.compile(r'id="activate-serie-(\d+)"')
_NAME = re.compile(r"[^A-Za-z0-9_-]+")
_TITLE = re.compile(r"</defs>(?:<title>[^<]*</title>)?")


def _render(chart: pygal.graph.graph.Graph, name: str, alt: str) -> str:
    """The <svg> element alone, to inline in the report's HTML, the same bytes for the same data.

    pygal always writes its configuration as a <script> for the tooltips; a report is a
    document to read and print, without scripts, so it is dropped (its text is XML-escaped by
    pygal, so it holds no literal end tag). Its random chart id (a UUID, also in its CSS), its
    legend ids (the same in every chart: `activate-serie-0`) and its comment with the day it
    drew are replaced by ids from `name`, unique in the report, and nothing. Its title (the
    chart's accessible name, in the PDF the figure's alternative text) becomes `alt`: the data
    in words, for those who cannot see the bars.
    """
    ident = chart_id(name)
    text = chart.render(is_unicode=True)
    text = _COMMENT.sub("", _SCRIPT.sub("", text[text.index("<svg"):]))
    text = _CHART_ID.sub(ident, text)
    text = _TITLE.sub(lambda m: f"</defs><title>{xml_escape(alt)}</title>", text, count=1)
    text = _STYLE.sub(lambda m: m[1] + _static_rules(m[2]) + m[3], text, count=1)
    return _SERIES_ID.sub(lambda m: f'id="{ident}-serie-{m[1]}"', text)


_STYLE = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.S)
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
# rules for pointer and script states (hover, tooltips, an active series): inert in a document
# without scripts, and each costs the PDF's style cascade time
_INERT = (":hover", ".tooltip", ".active", ".map-element", ".gauge-background", ".bg-lines", ".max-value",
          ".bound", ".shown")


def _static_rules(css: str) -> str:
    return "".join(f"{sel.strip()}{{{body.strip()}}}" for sel, body in _RULE.findall(css)
                   if not any(token in sel for token in _INERT))


def chart_id(name: str) -> str:
    """The chart's element id in the report: also how the DOCX finds its picture."""
    return "chart-" + _NAME.sub("-", name).strip("-").lower()


def _config() -> dict[str, object]:
    # js=[]: pygal would otherwise reference its tooltip script on a CDN
    return {"js": [], "disable_xml_declaration": True, "explicit_size": True, "width": 700,
            "show_x_guides": False, "truncate_label": -1}


def progress_by_field(labels: Sequence[str], values: Sequence[float | None], title: str, name: str) -> str:
    """Horizontal bars 0–100 %, one per field or recommendation; no value shows as '–'.
    `name`: unique in the report (the chart's element id)."""
    chart = pygal.HorizontalBar(**_config(), height=int(50 * len(labels) + 120), title=title, range=(0, 100),
                                show_legend=False, print_values=True, style=_style([BLUE]),
                                value_formatter=lambda v: "–" if v is None else f"{v:.0f} %")
    chart.x_labels = list(labels)
    chart.add(title, [{"value": v or 0, "formatter": (lambda _v, raw=v: "–" if raw is None else f"{raw:.0f} %")}
                      for v in values])
    shown = "; ".join(f"{label} {'–' if v is None else f'{v:.0f} %'}" for label, v in zip(labels, values))
    return _render(chart, name, f"{title}: {shown}")


def series_by_gender(unit: str, series: dict[str, list[tuple[str, float]]], name: str, alt_title: str = "") -> str:
    """One line per gender (gesamt first) over the periods; the page's heading names it."""
    periods = sorted({p for points in series.values() for p, _ in points})
    order = sorted(series, key=lambda g: (g != "gesamt", g))
    chart = pygal.Line(**_config(), height=320, y_title=unit, show_dots=len(periods) <= 12, dots_size=3,
                       show_minor_x_labels=False, x_label_rotation=0, legend_at_bottom=True,
                       legend_at_bottom_columns=4, value_formatter=lambda v: format_decimal(v, locale="de_DE"),
                       style=_style([GENDER_COLOURS.get(g, OTHER) for g in order]))
    chart.x_labels = periods
    step = max(1, -(-len(periods) // MAX_PERIOD_LABELS))
    chart.x_labels_major = periods[::step]
    words = []
    for gender in order:
        values = dict(series[gender])
        chart.add(gender, [values.get(p) for p in periods],
                  stroke_style={"width": 3.5 if gender == "gesamt" else 2})
        points = series[gender]
        words.append(f"{gender} {points[0][0]} {_num(points[0][1])} {unit} bis {points[-1][0]} "
                     f"{_num(points[-1][1])} {unit}" if points else gender)
    return _render(chart, name, f"{alt_title or unit} nach Geschlecht: {'; '.join(words)}")


def _num(value: float) -> str:
    return format_decimal(value, locale="de_DE")
