"""Reports as tagged PDF (WeasyPrint): PDF/UA-1 for reading, PDF/A-3a for the archive.

Both are tagged: a structure tree in reading order (headings, paragraphs, lists, tables with
their header cells, figures with the chart's data as alternative text), the document language
(/Lang de), the title shown instead of the file name (DisplayDocTitle). WeasyPrint does not
mark the language of parts; `_tag_languages` adds /Lang to the structure element of every HTML
element with a `lang` of its own, so English answers are read as English.

The creation and modification times are the report's data state (or SOURCE_DATE_EPOCH when
set): the same data gives the same bytes.
"""
from __future__ import annotations

import base64
import bisect
import functools
import logging
import os
import re
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import quoteattr, unescape

if TYPE_CHECKING:
    from .documents import Report

VARIANTS = {"ua": "pdf/ua-1", "a": "pdf/a-3a"}
log = logging.getLogger(__name__)
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # a line per step and page otherwise


def creation_time(report: Report) -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=timezone.utc)
    return report.data_state.astimezone(timezone.utc)


def to_pdf(report: Report, variant: str = "ua") -> bytes:
    """The report as PDF/UA-1 (`ua`, what the bot delivers) or PDF/A-3a (`a`, for archiving)."""
    import weasyprint

    _install_language_tags()
    stamp = creation_time(report).isoformat(timespec="seconds")
    html = report.html.replace(report.data_state.isoformat(timespec="seconds"), stamp) \
        if stamp != report.data_state.isoformat(timespec="seconds") else report.html
    html = _visible(_SVG.sub(_as_image, html))
    document = weasyprint.HTML(string=html, base_url=None).render(pdf_variant=VARIANTS[variant])
    return document.write_pdf(pdf_variant=VARIANTS[variant], pdf_identifier=None)


_OUTSIDE_ASCII = re.compile(r"[^\x00-\x7f]")
MISSING = "\N{REPLACEMENT CHARACTER}"


def _visible(html: str) -> str:
    """Every character no installed font can draw becomes U+FFFD: WeasyPrint would draw an empty
    box and, for the whole font, switch to an encoding that text extraction (pypdf) reads as NULs
    between the letters (issue #21, F6). Invisible format characters (ZWJ, variation selectors)
    need no glyph and stay."""
    covered = _coverage()
    return _OUTSIDE_ASCII.sub(lambda m: m[0] if _drawable(m[0], covered) else MISSING, html)


def _drawable(char: str, covered: tuple[tuple[int, int], ...]) -> bool:
    code = ord(char)
    if unicodedata.category(char) == "Cf" or 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF:
        return True
    index = bisect.bisect_right(covered, (code, sys.maxsize)) - 1
    return index >= 0 and covered[index][0] <= code <= covered[index][1]


@functools.cache
def _coverage() -> tuple[tuple[int, int], ...]:
    """The code points the installed fonts cover (fontconfig, as Pango falls back), as sorted
    merged ranges; everything counts as covered when fontconfig cannot be asked."""
    try:
        listed = subprocess.run(["fc-list", "--format", "%{charset}\n"], capture_output=True, text=True,
                                timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        log.warning("fc-list failed: characters without a font are not replaced in PDF reports")
        return ((0, sys.maxunicode),)
    spans = sorted((int(a, 16), int(b or a, 16)) for a, _, b in
                   (part.partition("-") for part in listed.split()))
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


_SVG = re.compile(r"<svg\b.*?</svg>", re.S)
_ALT = re.compile(r"</defs><title>([^<]*)</title>")
_SIZE = re.compile(r'<svg[^>]*?\swidth="(\d+)" height="(\d+)"')


def _as_image(match: re.Match[str]) -> str:
    """An inline chart as an <img> of itself, its title the alternative text: the same drawing,
    a third less time, since WeasyPrint then does not cascade the charts' style sheets over the
    whole document (and the /Figure's /Alt comes from `alt` in every WeasyPrint version)."""
    svg = match[0]
    alt, size = _ALT.search(svg), _SIZE.match(svg)
    dims = f' width="{size[1]}" height="{size[2]}"' if size else ""
    data = base64.b64encode(svg.encode()).decode()
    return f'<img alt={quoteattr(unescape(alt[1]) if alt else "")}{dims} src="data:image/svg+xml;base64,{data}">'


@functools.cache
def _install_language_tags() -> None:
    """Wraps WeasyPrint's tag builder (it calls itself through the module, so the wrapper sees
    every box): an element's own `lang` becomes its structure element's /Lang."""
    import pydyf
    from weasyprint.pdf import tags

    original = tags._build_box_tree

    def build(box: Any, parent: Any, pdf: Any, *args: Any) -> Iterator[Any]:
        element = getattr(box, "element", None)
        lang = element.get("lang") if element is not None and getattr(box, "element_tag", None) != "html" else None
        for struct in original(box, parent, pdf, *args):
            if lang and "Lang" not in struct:
                struct["Lang"] = pydyf.String(lang)
            yield struct

    if getattr(original, "__name__", "") != "build":
        tags._build_box_tree = build
