"""Charts as images (matplotlib, headless): PNG for chat, SVG inlined in HTML reports."""
from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no display: a server process
matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text in SVG: half the size, selectable, readable

from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

BLUE = "#00457d"


def progress_by_field(labels: Sequence[str], values: Sequence[float | None], title: str) -> Figure:
    """Horizontal bars, 0–100 %, one per field; fields without a value show as 0 with '–'."""
    fig, ax = plt.subplots(figsize=(7, 0.5 * len(labels) + 1.2), dpi=100)
    shown = [v or 0 for v in values]
    bars = ax.barh(list(labels)[::-1], shown[::-1], color=BLUE)
    for bar, value in zip(bars, list(values)[::-1]):
        ax.text(bar.get_width() + 1, bar.get_y() + bar.get_height() / 2,
                "–" if value is None else f"{value:.0f} %", va="center")
    ax.set_xlim(0, 110)
    ax.set_xlabel("%")
    ax.set_title(title)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def series_by_gender(title: str, unit: str, series: dict[str, list[tuple[str, float]]]) -> Figure:
    """One line per gender (gesamt bold) over the periods."""
    fig, ax = plt.subplots(figsize=(7, 3.2), dpi=100)
    styles = {"gesamt": ("#1a1a1a", 2.5), "weiblich": ("#a10000", 1.5), "männlich": (BLUE, 1.5),
              "divers": ("#6b4e00", 1.5)}
    periods = sorted({p for points in series.values() for p, _ in points})
    where = {p: i for i, p in enumerate(periods)}
    for gender, points in series.items():
        color, width = styles.get(gender, ("#595959", 1.2))
        ax.plot([where[p] for p, _ in points], [v for _, v in points], marker="o" if len(periods) <= 12 else None,
                color=color, linewidth=width, label=gender)
    step = max(1, -(-len(periods) // 8))  # at most 8 period labels: readable, and cheap to lay out
    ax.set_xticks(range(0, len(periods), step), periods[::step])
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(unit)
    ax.legend(fontsize=8, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def png(fig: Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def svg(fig: Figure) -> str:
    """An SVG element to inline in a self-contained HTML file (no external references)."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]
