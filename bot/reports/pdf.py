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
import functools
import logging
import os
import re
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
    html = _SVG.sub(_as_image, html)
    document = weasyprint.HTML(string=html, base_url=None).render(pdf_variant=VARIANTS[variant])
    return document.write_pdf(pdf_variant=VARIANTS[variant], pdf_identifier=None)


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
