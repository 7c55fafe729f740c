"""Reports as files the office files with the council (issue #21): every kind of the Köln
example (with its history) as tagged PDF/UA-1, as PDF/A-3a and as DOCX.

- the PDFs read back with pikepdf: structure tree (/StructTreeRoot, /MarkInfo Marked true),
  /Lang de, the title shown, marked content, headings and table headers in the tree, every chart
  a /Figure with the data as /Alt, the English answer a structure element with /Lang en; their
  text (pypdf) holds every paragraph, heading and table cell of the HTML;
- the DOCX read back with python-docx: headings, tables with their header row, the charts as
  pictures with alternative text, the English answer as an English run;
- the content: counts with their base, meetings with their body, data state and period on the
  title page, blockers and decisions in the half-year report, a table of contents;
- deterministic: the same data gives the same bytes (two processes), the creation time is the
  data state, or SOURCE_DATE_EPOCH."""
from __future__ import annotations

import io
import os
import re
import subprocess
import zipfile
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import docx
import lxml.html
import pikepdf
import pypdf
import pytest

from bot.app import App
from bot.reports.documents import Report, document
from bot.reports.formats import produce
from storage.models import Round, StatusUpdate
from tests.helpers.harness import ROOT, make_settings

KINDS = [("sachstand", "2026-Q3", "EG2"), ("stand", "2026-H2", None), ("halbjahr", "2026-H2", None),
         ("beirat", "2026", None), ("integrationsbericht", "2025-2026", None)]
ENGLISH = "The welcome centre now also advises online and the chamber has agreed to a fast track."


def _settings(db: Path) -> Any:
    return make_settings(f"sqlite:///{db}", general__example_history="true")


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The example with its history; one answer written in English; every kind in every format."""
    db = tmp_path_factory.mktemp("reports") / "r.db"
    # today's clock, as the command line's below: "Erstellt am" is the day of writing
    app = App(_settings(db), transports=[], clock=lambda: datetime.now(timezone.utc))
    app.prepare()
    with app.uow_factory() as uow:
        upd = uow.session.query(StatusUpdate).join(Round).filter(Round.period == "2026-Q3").all()
        answer = next(u for u in upd if u.recommendation.code == "HF2-01")
        answer.happened = ENGLISH
        uow.commit()
    out: dict[str, Any] = {"db": db}
    for kind, period, body in KINDS:
        with app.uow_factory() as uow:
            report = document(app.services, uow, kind, period, body)
            out[kind] = (report, produce(report, "pdf"), produce(report, "docx"))
    with app.uow_factory() as uow:
        out["pdfa"] = produce(document(app.services, uow, "integrationsbericht", "2025-2026"), "pdfa")
    app.engine.dispose()
    yield out


def _tree(node: Any, found: list[Any]) -> list[Any]:
    if isinstance(node, pikepdf.Dictionary):
        if "/S" in node:
            found.append(node)
        kids = node.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
            _tree(kid, found)
    return found


def _blocks(html: str) -> list[str]:
    """The HTML's readable blocks (headings, paragraphs, list items, cells, captions)."""
    tree = lxml.html.fromstring(html)
    body = tree.find("body")
    texts = []
    for el in body.iter("h1", "h2", "h3", "p", "li", "th", "td", "caption", "figcaption", "dt", "dd"):
        if el.tag == "li" and el.getparent().getparent().tag == "nav":
            continue  # the contents: in print with a leader and the page number
        texts.append(" ".join(el.text_content().split()))
    return [t for t in texts if t]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("kind", [k for k, _, _ in KINDS])
def test_every_kind_is_a_tagged_accessible_pdf_with_the_html_text(made: dict[str, Any], kind: str) -> None:
    report, pdf, _ = made[kind]
    doc = pikepdf.open(io.BytesIO(pdf))
    root = doc.Root
    assert "/StructTreeRoot" in root and root.MarkInfo.Marked is True
    assert str(root.Lang) == "de" and root.ViewerPreferences.DisplayDocTitle is True
    assert str(doc.docinfo.Title) == report.title and report.title.startswith(report.values["title"])
    assert 'pdfuaid:part="1"' in str(doc.open_metadata()) or "<pdfuaid:part>1" in str(doc.open_metadata())
    elements = _tree(root.StructTreeRoot, [])
    kinds = {str(e.S) for e in elements}
    assert {"/Document", "/H1", "/H2", "/P", "/Table", "/TH", "/TD", "/Figure"} <= kinds, kinds
    figures = [e for e in elements if e.S == "/Figure"]
    assert figures and all(len(str(f.get("/Alt", ""))) > 20 for f in figures)  # the data in words
    assert "HF1 " in str(figures[0].Alt) or "HF2-01 " in str(figures[0].Alt)
    marked = sum(b"BDC" in page.Contents.read_bytes() if not isinstance(page.Contents, pikepdf.Array)
                 else any(b"BDC" in c.read_bytes() for c in page.Contents) for page in doc.pages)
    assert marked == len(doc.pages)  # every page's content is marked (tied to the tree)
    text = _squash("".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages))
    missing = [b for b in _blocks(report.html) if _squash(b) not in text]
    assert missing == []


def test_the_english_answer_is_marked_english_in_html_pdf_and_docx(made: dict[str, Any]) -> None:
    report, pdf, word = made["sachstand"]
    assert f'<span lang="en">{ENGLISH}</span>' in report.html
    assert "Welcome Center" not in re.findall(r'<span lang="en">([^<]*)', report.html)  # German stays unmarked
    read = pikepdf.open(io.BytesIO(pdf))
    english = [e for e in _tree(read.Root.StructTreeRoot, []) if e.get("/Lang") == "en"]
    # one span, in as many boxes as it has lines; nothing else is marked
    assert english and {str(e.S) for e in english} == {"/Span"}
    assert {str(e.get("/Lang")) for e in _tree(read.Root.StructTreeRoot, []) if "/Lang" in e} == {"en"}
    runs = [r for p in docx.Document(io.BytesIO(word)).paragraphs for r in p.runs
            if r._r.rPr is not None and r._r.rPr.find(docx.oxml.ns.qn("w:lang")) is not None]
    assert [r.text for r in runs] == [ENGLISH]
    assert runs[0]._r.rPr.find(docx.oxml.ns.qn("w:lang")).get(docx.oxml.ns.qn("w:val")) == "en-GB"


@pytest.mark.parametrize("kind", [k for k, _, _ in KINDS])
def test_every_kind_is_an_editable_docx_with_headings_tables_and_pictures(made: dict[str, Any], kind: str) -> None:
    report, _, word = made[kind]
    doc = docx.Document(io.BytesIO(word))
    styles = [p.style.name for p in doc.paragraphs]
    assert styles[0] == "Title" and doc.paragraphs[0].text == report.title
    html_h2 = [" ".join(h.text_content().split()) for h in lxml.html.fromstring(report.html).iter("h2")
               if h.get("id") != "inhalt"]
    assert [p.text for p in doc.paragraphs if p.style.name == "Heading 1"] == html_h2
    assert len(doc.tables) == report.html.count("<table")
    for table in doc.tables:  # the header row is a header row, repeated on every page
        assert table.rows[0]._tr.trPr.find(docx.oxml.ns.qn("w:tblHeader")) is not None
    assert doc.core_properties.title == report.title and doc.core_properties.language == "de-DE"
    pictures = doc.inline_shapes
    assert len(pictures) == report.html.count("<svg") >= 1
    assert all(len(p._inline.docPr.get("descr")) > 20 for p in pictures)
    text = _squash(" ".join([p.text for p in doc.paragraphs] +
                            [c.text for t in doc.tables for r in t.rows for c in r.cells]))
    missing = [b for b in _blocks(report.html) if _squash(b) not in text and not b.startswith("Inhalt")]
    assert missing == []
    if kind in ("stand", "halbjahr", "beirat", "integrationsbericht"):
        assert "TOC \\o" in doc.element.xml and "TOC Heading" in styles


def test_what_the_recipients_need_is_in_the_reports(made: dict[str, Any]) -> None:
    half = made["halbjahr"][0].html
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", re.sub(r"<svg.*?</svg>", "", half, flags=re.S)))
    assert "Berichtszeitraum 01.07.2026 bis 31.12.2026" in text and "Datenstand " in text
    assert "An Integrationsrat" in text
    assert "3 von 6 Empfehlungen haben berichtet" in text  # EG2: 3 answered, the body has 6
    assert "Hindernisse und Unterstützungsbedarf" in text and "Räume für die Kinderbetreuung fehlen." in text
    assert "Entscheidungsbedarf" in text and "HF4-03" in text.split("Entscheidungsbedarf")[-1]
    assert "ist blockiert" in text and "ein neues Zeitziel ist festzulegen" in text
    assert '<nav class="toc"' in half and '<a href="#abschnitt-3">Hindernisse und Unterstützungsbedarf</a>' in half
    beirat = made["beirat"][0].html
    for code in ("EG1", "EG2", "EG3", "EG4"):  # four bodies each held a "3. Sitzung 2026"
        assert re.search(rf"<td>{code} Expertengruppe [^<]+</td><td>3\. Sitzung 2026</td>", beirat), code
    assert "5 Sitzungen von 5 Gremien" in beirat


def test_the_pdfa_variant_is_tagged_and_declares_pdfa_3a(made: dict[str, Any]) -> None:
    doc = pikepdf.open(io.BytesIO(made["pdfa"]))
    meta = str(doc.open_metadata())
    assert 'pdfaid:part="3"' in meta and 'pdfaid:conformance="A"' in meta
    assert "/StructTreeRoot" in doc.Root and str(doc.Root.Lang) == "de"
    assert "/OutputIntents" in doc.Root  # the colour profile PDF/A needs


def test_the_same_data_gives_the_same_files_dated_by_the_data_state(made: dict[str, Any], tmp_path: Path) -> None:
    report: Report = made["integrationsbericht"][0]
    stamp = report.data_state.astimezone(timezone.utc).strftime("D:%Y%m%d%H%M%S")
    pdf = made["integrationsbericht"][1]
    assert str(pikepdf.open(io.BytesIO(pdf)).docinfo.CreationDate).startswith(stamp)
    with zipfile.ZipFile(io.BytesIO(made["integrationsbericht"][2])) as z:
        moment = report.data_state.astimezone(timezone.utc).timetuple()[:6]
        # a ZIP entry's time counts in two seconds
        assert {i.date_time for i in z.infolist()} == {(*moment[:5], moment[5] // 2 * 2)}
    env = {**os.environ, "SACHSTAND_DATABASE__URL": f"sqlite:///{made['db']}", "SACHSTAND_WEB__ENABLED": "false",
           "SACHSTAND_GENERAL__EXAMPLE_HISTORY": "true", "SOURCE_DATE_EPOCH": ""}
    exe = str(ROOT / ".venv" / "bin" / "sachstand")
    _, pdf, word = made["halbjahr"]
    for name, made_here in (("bericht.pdf", pdf), ("bericht.docx", word)):  # another process, the same bytes
        done = subprocess.run([exe, "report", "halbjahr", "2026-H2", "--out", str(tmp_path / name)], env=env,
                              capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert done.returncode == 0, done.stderr
        assert (tmp_path / name).read_bytes() == made_here, name


def test_source_date_epoch_dates_the_files(made: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    report = made["beirat"][0]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01T00:00:00Z
    assert str(pikepdf.open(io.BytesIO(produce(report, "pdf"))).docinfo.CreationDate).startswith("D:20260101000000")
    props = docx.Document(io.BytesIO(produce(report, "docx"))).core_properties
    assert props.created == props.modified == datetime(2026, 1, 1, tzinfo=timezone.utc)
