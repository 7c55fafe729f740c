"""An answer as people really write it, in the PDF the office files (issue #21, findings F5, F6):
a word longer than a line, emoji (one the fonts have, one none has), Hebrew and Arabic.

- F5: the long word wraps inside the page; its letters are all in the PDF's text, none cut off;
- F6: the PDF's text is words, not letters with NULs between them (WeasyPrint switches a font
  with a missing glyph to an encoding pypdf cannot read); a character no installed font can
  draw is a visible U+FFFD in the PDF and stays itself in HTML and DOCX."""
from __future__ import annotations

import io
import re
from datetime import datetime, timezone

import docx
import pypdf
import pytest

from bot.app import App
from bot.reports.documents import document
from bot.reports.formats import produce
from storage.models import Round, StatusUpdate
from storage.models.base import Status
from tests.helpers.harness import make_settings

LONG = ("Donaudampfschifffahrtsgesellschaftskapitänswitwenrentenversicherungsanstaltsgebäudereinigungs"
        "unternehmensvorstandsvorsitzendenstellvertreterinnenwahlkommissionsvorsitzendenassistenzstellen"
        "ausschreibungsverfahrensdokumentationspflicht")
DRAWN, UNDRAWN = "🚸", "\U0001FAE8"  # a children-crossing sign (Symbola has it); a shaking face (Unicode 15, no font here)
HALF: list[bytes] = []  # the half-year report of the same data, as PDF
ANSWER = f"Kita-Plätze fehlen weiterhin {DRAWN} שלום עולם مرحبا {UNDRAWN} {LONG} – Ende."


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, bytes, bytes]:
    db = tmp_path_factory.mktemp("hostile") / "r.db"
    app = App(make_settings(f"sqlite:///{db}", general__example_history="true"), transports=[],
              clock=lambda: datetime.now(timezone.utc))
    app.prepare()
    with app.uow_factory() as uow:
        answers = uow.session.query(StatusUpdate).join(Round).filter(Round.period == "2026-Q3").all()
        hostile = next(u for u in answers if u.recommendation.code == "HF2-01")
        hostile.happened = ANSWER
        hostile.blockers = f"{LONG} fehlt; {ANSWER}"  # also in the half-year report's table
        hostile.recommendation.status = Status.BLOCKED  # … and in its decisions (rep2 F13: cut off after "(")
        uow.commit()
    with app.uow_factory() as uow:
        report = document(app.services, uow, "sachstand", "2026-Q3", "EG2")
        made = report.html, produce(report, "pdf"), produce(report, "docx")
        HALF.append(produce(document(app.services, uow, "halbjahr", "2026-H2"), "pdf"))
    app.engine.dispose()
    return made


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_f5_a_word_longer_than_a_line_wraps_and_loses_no_letter(files: tuple[str, bytes, bytes]) -> None:
    html, pdf, _ = files
    assert LONG in html
    text = _pdf_text(pdf)
    assert LONG in re.sub(r"\s+", "", text)  # every letter, in order
    lines = [line for line in text.splitlines() if "schaft" in line or "pflicht" in line or "vorsitz" in line]
    assert lines and max(len(line) for line in lines) < 110, lines  # wrapped: no line runs off the page


def test_f6_the_pdf_text_is_words_and_a_missing_glyph_is_visible(files: tuple[str, bytes, bytes]) -> None:
    html, pdf, word = files
    text = _pdf_text(pdf)
    assert "\x00" not in text
    assert "Kita-Plätze fehlen weiterhin" in text and "Nächste Schritte" in text
    assert DRAWN in text and UNDRAWN not in text and "\N{REPLACEMENT CHARACTER}" in text
    assert UNDRAWN in html  # only the PDF, which cannot draw it, marks it
    assert any(UNDRAWN in p.text for p in docx.Document(io.BytesIO(word)).paragraphs)


def test_rep2_f1_tables_keep_their_words_and_numbers(files: tuple[str, bytes, bytes]) -> None:
    """The long word wraps inside its cell; the other cells are not squeezed letter by letter
    (a target of 350 read "35" over "0", "Ausgangsw|ert", "bloc|kier|t")."""
    _, pdf, _ = files
    words = set(re.findall(r"\w[\w.%-]*", _pdf_text(pdf)))
    assert {"Ausgangswert", "aktuell", "Ziel", "Zielgröße", "350", "1.000"} <= words, sorted(words)[:80]
    half = _pdf_text(HALF[0])
    assert {"Empfehlung", "Gremium", "Status", "Gemeldet"} <= set(re.findall(r"\w+", half))
    assert LONG in re.sub(r"\s+", "", half)
    pieces = [line for line in half.splitlines() if "schaft" in line or "pflicht" in line or "vorsitz" in line]
    assert pieces and max(len(line) for line in pieces) < 110, pieces  # the word wraps in its cell


def test_f7_right_to_left_text_is_marked_for_its_direction(files: tuple[str, bytes, bytes]) -> None:
    html, _, _ = files
    assert '<span dir="auto">Kita-Plätze fehlen weiterhin' in html


def test_the_fonts_cover_what_the_city_writes() -> None:
    """German, the scripts of the largest groups of the city's migrants that the bundled fonts
    carry (Turkish, Cyrillic, Greek, Arabic, Hebrew), typographic quotes and the euro."""
    from bot.reports.pdf import MISSING, _visible
    written = "Äöüß „Zitat“ – 5 € · Türkçe ğış · Українська · Ελληνικά · مرحبا · שלום"
    assert _visible(written) == written and MISSING not in _visible(written)

