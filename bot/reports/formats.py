"""One report in the format asked for: `html`, `pdf` (PDF/UA-1), `pdfa` (PDF/A-3a) or `docx`."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .documents import Report

MIME = {"html": "text/html", "pdf": "application/pdf", "pdfa": "application/pdf",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
SUFFIX = {"html": ".html", "pdf": ".pdf", "pdfa": ".pdf", "docx": ".docx"}


def for_suffix(suffix: str, archive: bool = False) -> str | None:
    """The format a file name asks for (`bericht.pdf`), or None."""
    fmt = {".html": "html", ".htm": "html", ".pdf": "pdf", ".docx": "docx"}.get(suffix.lower())
    return "pdfa" if fmt == "pdf" and archive else fmt


def produce(report: Report, fmt: str) -> bytes:
    if fmt == "html":
        return report.html.encode()
    if fmt in ("pdf", "pdfa"):
        from .pdf import to_pdf

        return to_pdf(report, "a" if fmt == "pdfa" else "ua")
    if fmt == "docx":
        from .word import to_docx

        return to_docx(report)
    raise ValueError(fmt)
