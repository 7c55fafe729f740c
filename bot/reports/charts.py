"""Charts as images for chat (matplotlib, headless PNG); the reports draw SVG in `svgcharts.py`."""
from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no display: a server process

from matplotlib.axes import Axes  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from .svgcharts import BLUE  # noqa: E402 (one blue for both)


def progress_by_field(labels: Sequence[str], values: Sequence[float | None], title: str) -> Figure:
    """Horizontal bars, 0–100 %, one per field; fields without a value show as 0 with '–'."""
    height = 0.5 * len(labels) + 1.2
    fig, ax = _figure(7, height, left=0.9, bottom=0.55, top=0.4)
    shown = [v or 0 for v in values]
    bars = ax.barh(list(labels)[::-1], shown[::-1], color=BLUE)
    for bar, value in zip(bars, list(values)[::-1]):
        ax.text(bar.get_width() + 1, bar.get_y() + bar.get_height() / 2,
                "–" if value is None else f"{value:.0f} %", va="center")
    ax.set_xlim(0, 110)
    ax.set_xlabel("%")
    ax.set_title(title, y=1.0, pad=8)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


GENDER_COLOURS = {"gesamt": "#1a1a1a", "weiblich": "#a10000", "männlich": BLUE, "divers": "#6b4e00"}


def series_by_gender(unit: str, series: dict[str, list[tuple[str, float]]], title: str) -> Figure:
    """One line per gender (gesamt first, thicker) over the periods: the DOCX's indicator charts."""
    periods = sorted({p for points in series.values() for p, _ in points})
    fig, ax = _figure(7, 3.4, left=0.8, bottom=0.9, top=0.4)
    for gender in sorted(series, key=lambda g: (g != "gesamt", g)):
        values = dict(series[gender])
        xs = [i for i, p in enumerate(periods) if p in values]
        ax.plot(xs, [values[periods[i]] for i in xs], marker="o", markersize=3, label=gender,
                color=GENDER_COLOURS.get(gender, "#595959"), linewidth=3 if gender == "gesamt" else 1.8)
    step = max(1, -(-len(periods) // 6))
    ax.set_xticks(range(0, len(periods), step), periods[::step])
    ax.set_ylabel(unit)
    ax.set_title(title, y=1.0, pad=8, fontsize=10)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=4, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return fig


def _figure(width: float, height: float, *, left: float, bottom: float, top: float,
            right: float = 0.25) -> tuple[Figure, Axes]:
    """A figure without pyplot's global state, margins fixed in inches.

    Fixed margins instead of `tight_layout`: that lays the figure out twice and cost half of
    every chart's time; the labels here are short codes of known length.
    """
    fig = Figure(figsize=(width, height), dpi=100)
    fig.subplots_adjust(left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height)
    return fig, fig.add_subplot()


def png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
