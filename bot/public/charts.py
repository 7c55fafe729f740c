"""Charts of the public site as inline SVG, without JavaScript.

Every chart is `role="img"` with an accessible name and a text equivalent (`<title>`, `<desc>`),
and the page puts a table of the same numbers next to it: the chart is for the eye, the numbers are
for everyone. Only SVG presentation attributes, no `style` attributes (the site's CSP)."""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from decimal import Decimal

from markupsafe import Markup, escape

# one colour per status, each with a contrast of at least 3:1 against white (WCAG 1.4.11)
STATUS_COLOURS = {"not_started": "#6b6b6b", "in_progress": "#00457d", "delayed": "#b35900",
                  "blocked": "#a10000", "done": "#1e7a34", "dropped": "#5c3d8f", "not_reported": "#949494"}
LINE_COLOURS = {"gesamt": "#00457d", "weiblich": "#a10000", "männlich": "#1e7a34", "divers": "#5c3d8f"}
DASHES = {"gesamt": "", "weiblich": "6 3", "männlich": "2 3", "divers": "8 3 2 3"}  # not by colour alone


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def text_on(fill: str) -> str:
    """White where it reaches 4.5:1 on the fill (WCAG AA), else near-black (site2 F7: the count on
    the grey "noch nicht gemeldet" segment was white at 3:1)."""
    return "#fff" if contrast("#ffffff", fill) >= 4.5 else "#1a1a1a"


def _svg(ident: str, title: str, desc: str, width: int, height: int, body: str) -> Markup:
    ident = str(escape(ident))  # from codes: validated at import, escaped here all the same (site F11)
    return Markup(
        f'<svg class="chart" id="{ident}" role="img" aria-labelledby="{ident}-t {ident}-d" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg" focusable="false"><title id="{ident}-t">{escape(title)}</title>'
        f'<desc id="{ident}-d">{escape(desc)}</desc>{body}</svg>')


def status_bar(ident: str, title: str, segments: Sequence[tuple[str, str, int]]) -> Markup:
    """One stacked bar: (status key, label, count) per segment; the text equivalent lists them all."""
    total = sum(count for _, _, count in segments) or 1
    width, x, parts = 600, 0.0, []
    for key, label, count in segments:
        if not count:
            continue
        w = width * count / total
        parts.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="28" fill="{STATUS_COLOURS[key]}" '
                     f'stroke="#fff" stroke-width="1"><title>{escape(label)}: {count}</title></rect>')
        if w >= 24:
            parts.append(f'<text x="{x + w / 2:.1f}" y="19" text-anchor="middle" font-size="14" '
                         f'fill="{text_on(STATUS_COLOURS[key])}">{count}</text>')
        x += w
    desc = "; ".join(f"{label}: {count}" for _, label, count in segments if count)
    return _svg(ident, title, desc, width, 28, "".join(parts))


def progress_bar(value: int | None, label: str) -> Markup:
    """A small bar for 0–100 %; decorative (the number is written next to it)."""
    filled = max(0, min(100, value or 0))
    return Markup(f'<svg class="bar" viewBox="0 0 100 10" aria-hidden="true" focusable="false" '
                  f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="none"><rect width="100" height="10" '
                  f'fill="#e6e6e6" stroke="#595959" stroke-width="1"/><rect width="{filled}" height="10" '
                  f'fill="#00457d"/></svg>')


def _num(value: Decimal | float) -> str:
    return f"{float(value):.1f}".rstrip("0").rstrip(".")


def _nice(raw: float) -> float:
    """The round step at or above `raw`: 1, 2, 2.5 or 5 times a power of ten."""
    if raw <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(f * power for f in (1, 2, 2.5, 5, 10) if f * power >= raw * (1 - 1e-9))


def lines(ident: str, title: str, desc: str, periods: Sequence[str],
          series: Sequence[tuple[str, str, dict[str, Decimal]]], unit: str,
          number: Callable[[Decimal | float], str] = _num) -> Markup:
    """Values over time: (key, label, period → value) per series; y from 0 (no exaggerated trends)."""
    width, height, left, right, top, bottom = 600, 320, 76, 130, 18, 40
    values = [float(v) for _, _, data in series for v in data.values()]
    step_value = _nice(max(values, default=1.0) / 4)
    ticks = max(1, math.ceil(max(values, default=1.0) / step_value))
    top_value = step_value * ticks  # round ticks: 0 / 2.500 / 5.000 …, never 4.473,7 persons (site2 F9)
    plot_w, plot_h = width - left - right, height - top - bottom
    step = plot_w / max(1, len(periods) - 1)

    def xy(i: int, v: Decimal) -> tuple[float, float]:
        return left + (i * step if len(periods) > 1 else plot_w / 2), top + plot_h * (1 - float(v) / top_value)

    parts = [f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#595959"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="#595959"/>']
    for tick in range(ticks + 1):
        y = top + plot_h * (1 - tick / ticks)
        parts.append(f'<text x="{left - 6}" y="{y + 5:.1f}" text-anchor="end" font-size="18" fill="#1a1a1a">'
                     f'{escape(number(Decimal(str(round(step_value * tick, 6))).normalize()))}'
                     f'{escape(" " + unit if unit == "%" else "")}</text>')
    for i, period in enumerate(periods):
        x, _ = xy(i, Decimal(0))
        parts.append(f'<text x="{x:.1f}" y="{height - 12}" text-anchor="middle" font-size="18" fill="#1a1a1a">'
                     f'{escape(period)}</text>')
    for n, (key, label, data) in enumerate(series):
        points = [xy(i, data[p]) for i, p in enumerate(periods) if p in data]
        if not points:
            continue
        colour, dash = LINE_COLOURS.get(key, "#1a1a1a"), DASHES.get(key, "")
        dashed = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="3"{dashed} points="'
                     + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>' for x, y in points]
        ly = top + 16 + n * 28
        parts.append(f'<line x1="{width - right + 8}" y1="{ly - 6}" x2="{width - right + 32}" y2="{ly - 6}" '
                     f'stroke="{colour}" stroke-width="3"{dashed}/><text x="{width - right + 36}" y="{ly}" '
                     f'font-size="18" fill="#1a1a1a">{escape(label)}</text>')
    return _svg(ident, title, desc, width, height, "".join(parts))


def bars(ident: str, title: str, desc: str, rows: Sequence[tuple[str, Decimal]], unit: str,
         number: Callable[[Decimal | float], str] = _num) -> Markup:
    """Horizontal bars, one per row (e.g. district), labelled with their values."""
    width, label_w, row_h = 600, 170, 36
    top_value = max((float(v) for _, v in rows), default=1.0) or 1.0
    height = row_h * len(rows) + 4
    parts = []
    for i, (label, value) in enumerate(rows):
        y = i * row_h + 2
        w = (width - label_w - 100) * float(value) / top_value
        parts.append(f'<text x="{label_w - 8}" y="{y + 23}" text-anchor="end" font-size="18" fill="#1a1a1a">'
                     f'{escape(label)}</text><rect x="{label_w}" y="{y + 5}" width="{w:.1f}" height="24" fill="#00457d"/>'
                     f'<text x="{label_w + w + 6:.1f}" y="{y + 23}" font-size="18" fill="#1a1a1a">'
                     f'{escape(number(value))}{escape(" " + unit if unit else "")}</text>')
    return _svg(ident, title, desc, width, height, "".join(parts))
