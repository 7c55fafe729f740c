"""Reports as editable Word files (python-docx), so the office edits and signs off the text.

Built from the rendered HTML of the same report, element by element, so the HTML, the PDF and
the DOCX say the same: headings become Word headings (Heading 1/2, the title page's "Title"),
the sections' list a Word table of contents (a TOC field, filled in, refreshed by Word),
tables real tables with a repeated header row, charts pictures drawn with matplotlib from the
same data with their alternative text, text marked `lang="en"` English runs. The document's
language is German; its creation time the data state, and its ZIP entries carry that time
too: the same data gives the same bytes.
"""
from __future__ import annotations

import io
import re
import zipfile
from typing import TYPE_CHECKING, Any

import lxml.html
from docx import Document
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from . import charts
from .pdf import creation_time

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.text.paragraph import Paragraph
    from lxml.html import HtmlElement

    from .documents import Report

LANGS = {"de": "de-DE", "en": "en-GB"}
RED = RGBColor(0xA1, 0, 0)
INLINE_BOLD = {"strong", "b", "th"}
_SPACE = re.compile(r"\s+")


def to_docx(report: Report) -> bytes:
    doc = Document()
    stamp = creation_time(report).replace(tzinfo=None)
    props = doc.core_properties
    props.title, props.subject, props.language = report.title, report.values["title"], LANGS["de"]
    props.author = props.last_modified_by = "Sachstand"
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1
    _default_language(doc, LANGS["de"])
    tree = lxml.html.fromstring(report.html)
    writer = _Writer(doc, report.values.get("figures", {}))
    body = tree.find("body")
    assert body is not None, "a report's HTML is a whole document (templates/reports)"
    for element in body:
        writer.block(element)
    out = io.BytesIO()
    doc.save(out)
    return _fixed_times(out.getvalue(), (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second))


class _Writer:
    def __init__(self, doc: DocxDocument, figures: dict[str, Any]) -> None:
        self.doc, self.figures = doc, figures

    def block(self, el: HtmlElement) -> None:
        tag = el.tag
        if tag in ("main", "section", "div", "header"):
            for child in el:
                self.block(child)
            if tag == "header":  # the title page
                self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        elif tag == "nav":
            self.toc(el)
        elif tag == "h1":
            self.inline(self.doc.add_paragraph(style="Title"), el)
        elif tag in ("h2", "h3", "h4"):
            self.inline(self.doc.add_heading(level=int(tag[1]) - 1), el)
        elif tag == "p":
            self.inline(self.doc.add_paragraph(), el)
        elif tag in ("ul", "ol"):
            style = "List Number" if tag == "ol" else "List Bullet"
            for li in el.iterfind("li"):
                self.inline(self.doc.add_paragraph(style=style), li)
        elif tag == "dl":  # the title page's facts: "Berichtszeitraum: …"
            for dt in el.iterfind("dt"):
                para = self.doc.add_paragraph()
                para.add_run(_text(dt) + ": ").bold = True
                dd = dt.getnext()
                if dd is not None:
                    self.inline(para, dd)
        elif tag == "table":
            self.table(el)
        elif tag == "figure":
            self.figure(el)

    def inline(self, para: Paragraph, el: HtmlElement, *, bold: bool = False, lang: str | None = None,
               red: bool = False) -> Paragraph:
        """The element's text and its inline children as runs, with their emphasis and language."""
        bold = bold or el.tag in INLINE_BOLD
        lang = el.get("lang") or lang
        red = red or "overdue" in (el.get("class") or "")
        self._run(para, el.text, bold, lang, red)
        for child in el:
            if child.tag == "br":
                para.add_run().add_break()
            elif child.tag != "svg":
                self.inline(para, child, bold=bold, lang=lang, red=red)
            self._run(para, child.tail, bold, lang, red)
        return para

    def _run(self, para: Paragraph, text: str | None, bold: bool, lang: str | None, red: bool) -> None:
        if not text:
            return
        text = _SPACE.sub(" ", text)
        if not para.runs:
            text = text.lstrip()
        if not text:
            return
        run = para.add_run(text)
        run.bold = bold or None
        if red:
            run.font.color.rgb = RED
        if lang and lang != "de":
            rpr = run._r.get_or_add_rPr()
            mark = OxmlElement("w:lang")
            mark.set(qn("w:val"), LANGS.get(lang, lang))
            rpr.append(mark)

    def table(self, el: HtmlElement) -> None:
        caption = el.find("caption")
        if caption is not None:
            self.inline(self.doc.add_paragraph(style="Caption"), caption)
        rows = el.findall(".//tr")
        width = max(len(r.findall("th") + r.findall("td")) for r in rows)
        table = self.doc.add_table(rows=0, cols=width)
        table.style = "Table Grid"
        for tr in rows:
            cells = [c for c in tr if c.tag in ("th", "td")]
            row = table.add_row()
            if tr.getparent().tag == "thead":
                _repeat_header(row)
            for cell, source in zip(row.cells, cells):
                para = cell.paragraphs[0]
                self.inline(para, source)
                if "n" in (source.get("class") or "").split():
                    para.alignment = 2  # right
        self.doc.add_paragraph()

    def figure(self, el: HtmlElement) -> None:
        svg = el.find("svg")
        spec = self.figures.get(svg.get("id")) if svg is not None else None
        if spec is not None:
            title = svg.find("title")
            alt = _text(title) if title is not None else ""
            shape = self.doc.add_picture(io.BytesIO(_png(spec)), width=Cm(16))
            shape._inline.docPr.set("descr", alt)
            shape._inline.docPr.set("title", spec[3])
        caption = el.find("figcaption")
        if caption is not None:
            self.inline(self.doc.add_paragraph(style="Caption"), caption)

    def toc(self, el: HtmlElement) -> None:
        """A Word TOC field over Heading 1–2, filled with the sections so it reads before Word
        refreshes it (F9, or on printing)."""
        heading = el.find("h2")
        self.doc.add_paragraph(_text(heading) if heading is not None else "Inhalt", style="TOC Heading")
        para = self.doc.add_paragraph()
        _field_char(para, "begin")
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = 'TOC \\o "1-2" \\h \\z \\u'
        para._p.append(_wrap(instr))
        _field_char(para, "separate")
        for i, li in enumerate(el.iterfind(".//li")):
            if i:
                para.add_run().add_break()
            para.add_run(_text(li))
        _field_char(para, "end")
        para.add_run().add_break(WD_BREAK.PAGE)


def _png(spec: tuple[Any, ...]) -> bytes:
    if spec[0] == "bars":
        return charts.png(charts.progress_by_field(spec[1], spec[2], spec[3]))
    return charts.png(charts.series_by_gender(spec[1], spec[2], spec[3]))


def _text(el: HtmlElement) -> str:
    return " ".join(el.text_content().split())


def _wrap(child: Any) -> Any:
    run = OxmlElement("w:r")
    run.append(child)
    return run


def _field_char(para: Paragraph, kind: str) -> None:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    if kind == "begin":
        char.set(qn("w:dirty"), "true")  # Word offers to refresh the page numbers
    para._p.append(_wrap(char))


def _repeat_header(row: Any) -> None:
    trpr = row._tr.get_or_add_trPr()
    mark = OxmlElement("w:tblHeader")
    mark.set(qn("w:val"), "true")
    trpr.append(mark)


def _default_language(doc: DocxDocument, lang: str) -> None:
    rpr = doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    mark = rpr.find(qn("w:lang"))
    if mark is None:
        mark = OxmlElement("w:lang")
        rpr.append(mark)
    mark.set(qn("w:val"), lang)
    normal = doc.styles["Normal"].font
    normal.name, normal.size = "Arial", Pt(10.5)


def _fixed_times(data: bytes, when: tuple[int, int, int, int, int, int]) -> bytes:
    """python-docx stamps each ZIP entry with the time of writing: the data state instead."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=max(when, (1980, 1, 1, 0, 0, 0)))
            fixed.compress_type, fixed.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
