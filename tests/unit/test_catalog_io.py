"""Catalog import/export (storage.catalog_io): idempotence, history, round trips, errors."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import Engine, event, func, select

from storage.catalog_io import CatalogError, ImportReport, export_catalog, import_catalog
from storage.db import make_engine, make_session_factory, upgrade
from storage.models import (AuditEntry, Base, Body, Change, Membership, Person, Recommendation,
                            Status)
from storage.uow import UnitOfWork, UnitOfWorkFactory

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"

SMALL = """\
concept:
  code: test-integration
  title: "Testkonzept Integration"
  city: Köln
  example: true
  levels: {field: Handlungsfeld, recommendation: Handlungsempfehlung, measure: Maßnahme}
people:
  - {handle: mueller, name: "Dr. Anna Müller", org_unit: "Amt für Schulentwicklung",
     email: a@example.org, locale: de, timezone: Europe/Berlin, publication_consent: false,
     identities: {console: mueller, matrix: "@mueller:stadt.example", slack: U0MUELLER},
     absences: [{from: 2027-03-01, to: 2027-03-12, note: Urlaub}]}
  - {handle: yilmaz, name: "Deniz Yılmaz"}
  - {handle: office, name: "Geschäftsstelle", publication_consent: true}
bodies:
  - {code: GF, name: "Geschäftsführung", kind: office, coordinating: true}
  - {code: EG1, name: "Expertengruppe Bildung", kind: expert_group, description: "Bildung",
     cadence: {per_year: 4, minimum: false}, rooms: {console: "#eg-bildung"},
     members: [{person: mueller, role: chair, organisation: "Schulamt"}, {person: yilmaz}]}
reporting_lines:
  - {from: EG1, to: GF, per_year: 4, lead_days: 14, name: "Sachstand Bildung"}
indicators:
  - code: K-BIL-01
    name: "Quote ohne Abschluss"
    unit: "%"
    source: "IT.NRW"
    periodicity: annual
    values:
      - {period: "2023", gender: weiblich, value: 8.1}
      - {period: "2023", value: 9.25}
fields:
  - code: HF1
    title: "Bildung"
    description: "Sprache und Schule"
    body: EG1
    recommendations:
      - code: HF1-01
        title: "Sprachförderung ausbauen"
        description: "Mehr Kurse"
        owner: mueller
        owner_unit: "Schulamt"
        time_target: 2027-06-30
        status: In Umsetzung
        progress: 40
        indicators: [K-BIL-01]
        metrics:
          - {name: "Kurse", unit: Anzahl, baseline: 12, baseline_date: 2024-12-31, target: 40,
             target_date: 2027-06-30, current: 21.5, current_date: 2026-09-30}
        measures:
          - {code: HF1-01-M1, title: "Kursprogramm", owner: yilmaz, start: 2026-01-01,
             end: 2027-06-30, budget_planned: 50000, budget_spent: 12000.5, staff: 0.5,
             status: in_progress, progress: 30, weight: 1}
      - {code: HF1-02, title: "Elternarbeit", body: GF, status: nicht begonnen}
  - code: HF2
    title: "Arbeit"
    recommendations:
      - {code: HF2-01, title: "Anerkennung beschleunigen", time_target: 2026-12-31,
         status: verzögert, progress: 10}
"""

CSV_HEADER = "Kennung;Titel;Handlungsfeld;Gremium;Zielverantwortung;Organisationseinheit;Zeitziel;Status;Fortschritt"


# fixtures -------------------------------------------------------------------------------

class Db:
    """One fresh, migrated SQLite database with a unit-of-work factory."""

    def __init__(self, url: str) -> None:
        upgrade(url)
        self.engine: Engine = make_engine(url)
        self.uow: UnitOfWorkFactory = UnitOfWorkFactory(make_session_factory(self.engine))

    def load(self, path: Path, actor: str | None = None, **kwargs: object) -> ImportReport:
        """Import and commit, as a command handler would."""
        with self.uow() as uow:
            who = uow.people.by_handle(actor) if actor else None
            report = import_catalog(uow, path, actor=who, **kwargs)  # type: ignore[arg-type]
            uow.commit()
        return report

    def export(self, path: Path) -> int:
        with self.uow() as uow:
            return export_catalog(uow, path)

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {t.name: conn.scalar(select(func.count()).select_from(t)) or 0
                    for t in Base.metadata.sorted_tables}

    def updated_ats(self) -> dict[str, list[object]]:
        with self.engine.connect() as conn:
            return {t.name: list(conn.execute(select(t.c.id, t.c.updated_at).order_by(t.c.id)))
                    for t in Base.metadata.sorted_tables if "updated_at" in t.c}

    def rec(self, uow: UnitOfWork, code: str) -> Recommendation:
        found = uow.catalog.recommendation(code)
        assert found is not None
        return found


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def make_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], Db]]:
    """Fresh databases on SQLite and on the real PostgreSQL server of tests/conftest.py."""
    made: list[Db] = []

    def make(name: str = "catalog") -> Db:
        if request.param == "postgres":
            from tests.conftest import _fresh_pg_database

            db = Db(_fresh_pg_database(request.getfixturevalue("pg_server")))
        else:
            db = Db(f"sqlite:///{tmp_path / name}.db")
        made.append(db)
        return db

    yield make
    for db in made:
        db.engine.dispose()


@pytest.fixture
def db(make_db: Callable[[str], Db]) -> Db:
    return make_db("catalog")


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return write(tmp_path / "small.yaml", SMALL)


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


def catalog_error(db: Db, path: Path) -> list[str]:
    """Import must fail and write nothing; returns the messages."""
    before = db.counts()
    with pytest.raises(CatalogError) as info:
        db.load(path)
    assert db.counts() == before
    assert info.value.errors, "a CatalogError lists its problems"
    assert all(path.name in e for e in info.value.errors), "each message names the file"
    return info.value.errors


def one(errors: list[str], *needles: str) -> str:
    hits = [e for e in errors if all(n in e for n in needles)]
    assert hits, f"no error with {needles!r} in:\n" + "\n".join(errors)
    return hits[0]


# idempotence and updates ---------------------------------------------------------------

def test_first_import_creates_everything(db: Db, small: Path) -> None:
    report = db.load(small)
    assert report.updated == 0 and report.created == sum(report.created_by.values())
    assert report.created_by["recommendation"] == 3 and report.created_by["field"] == 2
    with db.uow() as uow:
        rec = db.rec(uow, "HF1-01")
        assert rec.status is Status.IN_PROGRESS and rec.progress == 40
        assert rec.time_target == date(2027, 6, 30)
        assert rec.owner is not None and rec.owner.handle == "mueller"
        assert rec.body is not None and rec.body.code == "EG1"  # the field's body by default
        assert [i.code for i in rec.indicators] == ["K-BIL-01"]
        assert rec.metrics[0].current == Decimal("21.5") and rec.metrics[0].position == 0
        assert rec.measures[0].budget_spent == Decimal("12000.5")
        assert db.rec(uow, "HF1-02").body.code == "GF"  # type: ignore[union-attr]
        assert db.rec(uow, "HF2-01").status is Status.DELAYED
        assert [f.code for f in uow.catalog.fields()] == ["HF1", "HF2"]
        mueller = uow.people.by_handle("mueller")
        assert mueller is not None and mueller.identity("matrix") == "@mueller:stadt.example"
        assert mueller.absent_on(date(2027, 3, 5)) and mueller.locale == "de"
        assert uow.people.by_handle("yilmaz").locale is None  # type: ignore[union-attr]
        body = uow.bodies.by_code("EG1")
        assert body is not None and body.cadence_per_year == 4 and body.room("console") == "#eg-bildung"
        assert [(m.person.handle, m.role.value) for m in body.memberships] == [
            ("mueller", "chair"), ("yilmaz", "member")]
        concept = uow.catalog.concept()
        assert concept is not None and concept.levels["measure"] == "Maßnahme"


def test_import_twice_changes_nothing(db: Db, small: Path) -> None:
    db.load(small)
    counts, stamps = db.counts(), db.updated_ats()
    writes: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            writes.append(statement.split()[0] + " " + statement.split()[2])

    event.listen(db.engine, "before_cursor_execute", record)
    report = db.load(small)
    event.remove(db.engine, "before_cursor_execute", record)

    assert (report.created, report.updated, report.removed) == (0, 0, 0)
    assert report.unchanged and report.changes == 0
    assert db.counts() == counts  # not even an audit entry: nothing changed
    assert db.updated_ats() == stamps
    assert writes == []


def test_edited_title_updates_in_place_and_records_history(db: Db, small: Path, tmp_path: Path) -> None:
    db.load(small)
    with db.uow() as uow:
        rec_id = db.rec(uow, "HF1-01").id
    edited = write(tmp_path / "edited.yaml",
                   SMALL.replace('"Sprachförderung ausbauen"', '"Sprachförderung deutlich ausbauen"'))
    counts = db.counts()
    report = db.load(edited, actor="office")
    assert (report.created, report.updated) == (0, 1)
    assert report.updated_by["recommendation"] == 1 and report.changes == 1
    after = db.counts()
    assert after["recommendations"] == counts["recommendations"]
    assert after["changes"] == counts["changes"] + 1
    with db.uow() as uow:
        rec = db.rec(uow, "HF1-01")
        assert rec.id == rec_id and rec.title == "Sprachförderung deutlich ausbauen"
        change = uow.session.scalars(select(Change)).one()
        office = uow.people.by_handle("office")
        assert (change.recommendation_id, change.field_name, change.source) == (rec_id, "title", "import")
        assert change.old == "Sprachförderung ausbauen"
        assert change.new == "Sprachförderung deutlich ausbauen"
        assert office is not None and change.actor_id == office.id
        audit = uow.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert audit is not None and (audit.action, audit.entity) == ("import", "catalog")
        assert audit.entity_ref == str(edited) and audit.actor_label == "office"
        assert audit.details["created"] == 0 and audit.details["updated"] == 1


def test_edits_of_references_are_recorded_by_code(db: Db, small: Path, tmp_path: Path) -> None:
    db.load(small)
    text = (SMALL.replace("owner: mueller\n        owner_unit", "owner: yilmaz\n        owner_unit")
            .replace("status: In Umsetzung", "status: umgesetzt")
            .replace("indicators: [K-BIL-01]", "indicators: []"))
    db.load(write(tmp_path / "edited.yaml", text))
    with db.uow() as uow:
        rec = db.rec(uow, "HF1-01")
        history = {c.field_name: (c.old, c.new) for c in uow.catalog.history(rec)}
    assert history == {"owner": ("mueller", "yilmaz"), "status": ("in_progress", "done"),
                       "indicators": ("K-BIL-01", "")}


def test_members_missing_from_file_are_removed_other_entities_stay(db: Db, small: Path,
                                                                   tmp_path: Path) -> None:
    db.load(small)
    text = (SMALL.replace(', {person: yilmaz}]', ']')
            .replace("      - {code: HF1-02, title: \"Elternarbeit\", body: GF, status: nicht begonnen}\n", ""))
    report = db.load(write(tmp_path / "fewer.yaml", text))
    assert report.removed_by["membership"] == 1 and report.created == 0
    with db.uow() as uow:
        assert uow.bodies.by_code("EG1").memberships[0].person.handle == "mueller"  # type: ignore[union-attr]
        assert uow.session.scalar(select(func.count()).select_from(Membership)) == 1
        assert uow.people.by_handle("yilmaz") is not None
        assert uow.catalog.recommendation("HF1-02") is not None  # not deleted (docs/catalog.md)


def test_missing_keys_keep_stored_values(db: Db, small: Path, tmp_path: Path) -> None:
    """A catalog without status/progress can be re-imported without resetting what owners reported."""
    db.load(small)
    text = SMALL.replace("        status: In Umsetzung\n        progress: 40\n", "")
    report = db.load(write(tmp_path / "no-status.yaml", text))
    assert report.unchanged
    with db.uow() as uow:
        assert db.rec(uow, "HF1-01").progress == 40


def test_numbers_are_rounded_to_the_column_scale(db: Db, tmp_path: Path) -> None:
    """Otherwise the database's rounding would make every re-import an update."""
    path = write(tmp_path / "precise.yaml", SMALL.replace("value: 9.25}", "value: 9.25456}")
                 .replace("budget_spent: 12000.5,", "budget_spent: 12000.555,"))
    db.load(path)
    assert db.load(path).unchanged
    with db.uow() as uow:
        indicator = uow.catalog.indicator("K-BIL-01")
        assert indicator is not None
        assert {x.value for x in indicator.values} == {Decimal("8.1"), Decimal("9.2546")}
        assert db.rec(uow, "HF1-01").measures[0].budget_spent == Decimal("12000.56")


# round trips ----------------------------------------------------------------------------

def test_yaml_round_trip(make_db: Callable[[str], Db], small: Path, tmp_path: Path) -> None:
    check_round_trip(make_db("first"), make_db("second"), small, tmp_path)


def check_round_trip(first: Db, second: Db, small: Path, tmp_path: Path) -> None:
    first.load(small)
    exported = tmp_path / "export.yaml"
    assert first.export(exported) == 3
    text = exported.read_text(encoding="utf-8")
    assert "Dr. Anna Müller" in text and "\\u" not in text  # German characters unescaped
    assert "time_target: 2027-06-30\n" in text and "budget_spent: 12000.5\n" in text
    assert "current: 21.5\n" in text and "weight: 1\n" in text  # decimals as plain numbers

    assert second.load(exported).updated == 0
    again = tmp_path / "again.yaml"
    second.export(again)
    assert again.read_text(encoding="utf-8") == text
    assert {k: n for k, n in second.counts().items() if k != "audit_log"} == \
        {k: n for k, n in first.counts().items() if k != "audit_log"}
    assert first.load(exported).unchanged  # the export describes the database exactly


def test_csv_export_is_excel_friendly(db: Db, small: Path, tmp_path: Path) -> None:
    db.load(small)
    out = tmp_path / "liste.csv"
    assert db.export(out) == 3
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel detects UTF-8
    lines = raw.decode("utf-8-sig").splitlines()
    assert lines[0] == ("Code;Titel;Beschreibung;Handlungsfeld;Gremium;Verantwortlich;"
                        "Organisationseinheit;Zeitziel;Status;Fortschritt")
    assert lines[1] == "HF1-01;Sprachförderung ausbauen;Mehr Kurse;HF1;EG1;mueller;Schulamt;30.06.2027;in Umsetzung;40"
    assert db.load(out).unchanged


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_text_that_looks_like_a_formula_survives(db: Db, small: Path, tmp_path: Path, suffix: str) -> None:
    from openpyxl import load_workbook

    db.load(small)
    title = "=SUMME(A1:A2)"
    db.load(write(tmp_path / "formula.csv", f"Code;Titel;Beschreibung\nHF1-02;{title};-x\n"))
    out = tmp_path / f"liste{suffix}"
    db.export(out)
    if suffix == ".csv":
        assert ";'=SUMME(A1:A2);'-x;" in out.read_text("utf-8-sig")
    else:
        cell = load_workbook(out).active["B3"]
        assert cell.value == title and cell.data_type == "s"
    assert db.load(out).unchanged
    with db.uow() as uow:
        assert (db.rec(uow, "HF1-02").title, db.rec(uow, "HF1-02").description) == (title, "-x")


def test_csv_with_semicolons_german_headers_and_bom(db: Db, small: Path, tmp_path: Path) -> None:
    db.load(small)
    csv_file = write(tmp_path / "liste.csv", "\ufeff" + "\n".join([
        CSV_HEADER,
        "HF1-01;Sprachförderung ausbauen;HF1;;mueller;Schulamt;31.12.2027;Umgesetzt;100 %",
        'HF2-02;"Neue Empfehlung; mit Semikolon";hf2;EG1;yilmaz;Amt 12;2028-01-31;in umsetzung;25',
    ]) + "\n")
    report = db.load(csv_file, actor="office")
    assert report.kind == "csv" and report.rows == 2
    assert report.created_by["recommendation"] == 1 and report.updated_by["recommendation"] == 1
    with db.uow() as uow:
        rec = db.rec(uow, "HF1-01")
        assert (rec.status, rec.progress, rec.time_target) == (Status.DONE, 100, date(2027, 12, 31))
        assert rec.body.code == "EG1"  # type: ignore[union-attr]  # empty cell: the field's body
        new = db.rec(uow, "HF2-02")
        assert new.title == "Neue Empfehlung; mit Semikolon" and new.field.code == "HF2"
        assert new.owner.handle == "yilmaz" and new.body.code == "EG1"  # type: ignore[union-attr]
        assert (new.status, new.progress, new.time_target) == (Status.IN_PROGRESS, 25, date(2028, 1, 31))
        assert {c.field_name for c in uow.catalog.history(rec)} == {"status", "progress", "time_target"}
    assert db.load(csv_file).unchanged


def test_csv_comma_without_bom_and_english_headers(db: Db, small: Path, tmp_path: Path) -> None:
    db.load(small)
    csv_file = write(tmp_path / "list.csv",
                     "code,title,field,status,progress\nHF2-01,Anerkennung beschleunigen,HF2,blocked,15\n")
    assert db.load(csv_file).updated == 1
    with db.uow() as uow:
        rec = db.rec(uow, "HF2-01")
        assert (rec.status, rec.progress, rec.time_target) == (Status.BLOCKED, 15, date(2026, 12, 31))


def test_xlsx_round_trip(db: Db, small: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    db.load(small)
    out = tmp_path / "liste.xlsx"
    assert db.export(out) == 3
    assert db.load(out).unchanged

    book = load_workbook(out)
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == ["Code", "Titel", "Beschreibung", "Handlungsfeld"]
    row = {h: c for h, c in zip(headers, sheet[2])}
    assert row["Code"].value == "HF1-01" and row["Zeitziel"].is_date
    row["Fortschritt"].value = 0.75
    row["Fortschritt"].number_format = "0%"  # Excel stores 75 % as 0.75
    row["Status"].value = "Blockiert"
    row["Zeitziel"].value = "15.09.2027"
    book.save(out)

    report = db.load(out)
    assert report.kind == "xlsx" and report.updated == 1 and report.created == 0
    with db.uow() as uow:
        rec = db.rec(uow, "HF1-01")
        assert (rec.progress, rec.status, rec.time_target) == (75, Status.BLOCKED, date(2027, 9, 15))


# errors ---------------------------------------------------------------------------------

def test_yaml_errors_name_path_line_found_and_allowed(db: Db, tmp_path: Path) -> None:
    text = (SMALL.replace("time_target: 2027-06-30", "time_target: 2027-13-45")
            .replace("status: In Umsetzung", "status: fertig")
            .replace("owner: mueller\n        owner_unit", "owner: niemand\n        owner_unit")
            .replace("periodicity: annual", "periodicity: annual\n    colour: blau"))
    errors = catalog_error(db, write(tmp_path / "bad.yaml", text))
    line = text.splitlines().index("        time_target: 2027-13-45") + 1
    date_error = one(errors, "fields[0].recommendations[0].time_target", f"Zeile {line}")
    assert "2027-13-45" in date_error and "30.06.2027" in date_error
    status = one(errors, "fields[0].recommendations[0].status", "„fertig“")
    assert "in_progress" in status and "in Umsetzung" in status
    one(errors, "indicators[0].colour", "unbekannter Schlüssel „colour“", "periodicity")
    # Referential checks run once the file is well-formed, and report every problem at once.
    fixed = text.replace("2027-13-45", "2027-06-30").replace("status: fertig", "status: done") \
        .replace("    colour: blau\n", "")
    fixed = fixed.replace("{person: yilmaz}", "{person: unbekannt}").replace("body: EG1\n", "body: EG9\n")
    errors = catalog_error(db, write(tmp_path / "refs.yaml", fixed))
    one(errors, "fields[0].recommendations[0].owner", "unbekannte Person", "„niemand“")
    one(errors, "bodies[1].members[1].person", "„unbekannt“")
    one(errors, "fields[0].body", "unbekanntes Gremium", "EG1, GF", "„EG9“")
    assert len(errors) == 3


def test_yaml_duplicate_codes(db: Db, tmp_path: Path) -> None:
    text = SMALL.replace("code: HF2-01", "code: HF1-02").replace("code: HF2\n", "code: hf1\n")
    errors = catalog_error(db, write(tmp_path / "dup.yaml", text))
    one(errors, "fields[1].code", "Handlungsfeld doppelt", "fields[0].code")
    one(errors, "fields[1].recommendations[0].code", "Empfehlung doppelt")


def test_yaml_syntax_error_names_the_line(db: Db, tmp_path: Path) -> None:
    text = SMALL.replace('  title: "Testkonzept Integration"', '  title: Testkonzept: Integration')
    errors = catalog_error(db, write(tmp_path / "syntax.yaml", text))
    assert len(errors) == 1 and "Zeile 3" in errors[0] and "YAML-Syntaxfehler" in errors[0]


def test_yaml_duplicate_key_and_missing_concept(db: Db, tmp_path: Path) -> None:
    errors = catalog_error(db, write(tmp_path / "twice.yaml", SMALL + "people: []\n"))
    one(errors, "Schlüssel doppelt", "Zeile")
    errors = catalog_error(db, write(tmp_path / "headless.yaml", "fields: []\n"))
    one(errors, "concept", "Pflichtangabe fehlt")


@pytest.mark.parametrize(("cell", "column", "expected"), [
    ("HF1-01;Titel;HF1;;mueller;;31.02.2027;umgesetzt;10", "Zeitziel", "diesen Tag gibt es nicht"),
    ("HF1-01;Titel;HF1;;mueller;;;fertig;10", "Status", "erlaubt: not_started"),
    ("HF1-01;Titel;HF1;;niemand;;;umgesetzt;10", "Zielverantwortung", "unbekannte Person"),
    ("HF9-01;Titel;HF9;;mueller;;;umgesetzt;10", "Handlungsfeld", "erlaubt: HF1, HF2"),
    ("HF1-01;Titel;HF1;;mueller;;;umgesetzt;140 %", "Fortschritt", "0 bis 100"),
])
def test_csv_errors_name_row_and_column(db: Db, small: Path, tmp_path: Path, cell: str, column: str,
                                        expected: str) -> None:
    db.load(small)
    path = write(tmp_path / "bad.csv", "\n".join([CSV_HEADER, "HF1-02;Elternarbeit;HF1;GF;;;;;", cell]))
    errors = catalog_error(db, path)
    one(errors, f'Zeile 3, Spalte "{column}"', expected, "gefunden:")


def test_csv_unknown_column(db: Db, small: Path, tmp_path: Path) -> None:
    db.load(small)
    path = write(tmp_path / "extra.csv", CSV_HEADER + ";Bemerkung\nHF1-01;T;HF1;;;;;;;x\n")
    one(catalog_error(db, path), 'Zeile 1, Spalte "Bemerkung"', "unbekannte Spalte", "Zeitziel")


def test_csv_collects_all_errors_and_writes_nothing(db: Db, small: Path, tmp_path: Path) -> None:
    db.load(small)
    errors = catalog_error(db, write(tmp_path / "bad.csv", "\n".join([
        CSV_HEADER,
        "HF1-01;Titel;HF1;;mueller;;2027-02-30;umgesetzt;10",
        "HF1-01;;HF7;;;;;;",
        "NEU-1;;;;;;;;",
    ])))
    one(errors, 'Zeile 2, Spalte "Zeitziel"', "„2027-02-30“")
    one(errors, 'Zeile 3, Spalte "Kennung"', "doppelt", "Zeile 2")
    one(errors, 'Zeile 3, Spalte "Handlungsfeld"', "„HF7“")
    # an empty title of an existing row means "unchanged", as every empty cell (issue #17)
    assert not any('Zeile 3, Spalte "Titel"' in e for e in errors)
    one(errors, 'Zeile 4, Spalte "Handlungsfeld"', "fehlt")
    one(errors, 'Zeile 4, Spalte "Titel"', "fehlt")
    assert len(errors) == 5


def test_unknown_format_and_missing_file(db: Db, tmp_path: Path) -> None:
    errors = catalog_error(db, write(tmp_path / "catalog.json", "{}"))
    one(errors, "unbekanntes Dateiformat", ".yaml")
    with pytest.raises(CatalogError):
        db.load(tmp_path / "fehlt.yaml")


def test_schema_and_reference_errors_in_one_pass(db: Db, tmp_path: Path) -> None:
    text = (SMALL.replace("slack: U0MUELLER}", "slack: U0MUELLER, fax: 0221}")
            .replace("{person: yilmaz}", "{person: unbekannt}")
            .replace("progress: 10}", "progress: viel}"))
    errors = catalog_error(db, write(tmp_path / "both.yaml", text))
    one(errors, "people[0].identities.fax", "unbekannter Kanal", "console, matrix, slack")
    one(errors, "bodies[1].members[1].person", "„unbekannt“")
    one(errors, "fields[1].recommendations[0].progress", "„viel“")
    # mueller's entry is invalid, but references to mueller are not reported as unknown
    assert len(errors) == 3


# progress bar ---------------------------------------------------------------------------

def test_progress_bar_on_request_only(db: Db, small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db.load(small)  # progress=None, stderr is not a terminal: silent
    assert capsys.readouterr().err == ""
    db.load(small, progress=True)
    assert re.search(r"small\.yaml: .*\d+/\d+", capsys.readouterr().err)


# example catalogs -----------------------------------------------------------------------

def _example(name: str) -> Path:
    path = EXAMPLES / name
    if not path.is_file():
        pytest.skip(f"examples/{name} is not there yet")
    return path


def test_koeln_example_imports_completely(db: Db) -> None:
    path = _example("koeln.yaml")
    db.load(path)
    with db.uow() as uow:
        assert uow.catalog.count_recommendations() >= 25
        assert len(uow.catalog.fields()) == 5
        assert uow.bodies.office() is not None
    assert db.load(path).unchanged


def test_oberhausen_example_round_trips(make_db: Callable[[str], Db], tmp_path: Path) -> None:
    path = _example("oberhausen.yaml")
    first, second = make_db("first"), make_db("second")
    first.load(path)
    with first.uow() as uow:
        concept = uow.catalog.concept()
        assert concept is not None and concept.levels.get("field") == "Leitziel"
    first.export(tmp_path / "a.yaml")
    second.load(tmp_path / "a.yaml")
    second.export(tmp_path / "b.yaml")
    assert (tmp_path / "a.yaml").read_text("utf-8") == (tmp_path / "b.yaml").read_text("utf-8")
    assert first.load(path).unchanged


def test_people_and_bodies_are_data(db: Db, small: Path) -> None:
    """Sanity check on the mapping of people and bodies to their models."""
    db.load(small)
    with db.uow() as uow:
        gf = uow.session.scalar(select(Body).where(Body.code == "GF"))
        assert gf is not None and gf.coordinating and gf.cadence_per_year == 0
        office = uow.session.scalar(select(Person).where(Person.handle == "office"))
        assert office is not None and office.publication_consent and office.consent_changed_at


@pytest.mark.postgres
def test_postgres_import_twice_and_round_trip(request: pytest.FixtureRequest, small: Path,
                                              tmp_path: Path) -> None:
    """The same on a real PostgreSQL server, when the suite provides one (tests/conftest.py)."""
    try:
        server = request.getfixturevalue("pg_server")
    except pytest.FixtureLookupError:
        pytest.skip("no pg_server fixture in this test run")
    import uuid

    urls = []
    for _ in range(2):
        name = f"t_{uuid.uuid4().hex[:16]}"
        server.psql(f"CREATE DATABASE {name};")
        urls.append(server.get_uri(name))
    first, second = Db(urls[0]), Db(urls[1])
    try:
        first.load(small)
        counts, stamps = first.counts(), first.updated_ats()
        assert first.load(small).unchanged
        assert first.counts() == counts
        assert first.updated_ats() == stamps
        check_round_trip(first, second, small, tmp_path)
    finally:
        first.engine.dispose()
        second.engine.dispose()


@pytest.mark.parametrize("code", ['HF1"><script>alert(9)</script>', "../../../../pwned", "HF 1", "HF1/x"])
def test_a_code_is_a_word_not_markup_or_a_path(db: Db, tmp_path: Path, code: str) -> None:
    """Site finding F11: a field code from a spreadsheet went unescaped into the overview's chart
    id and, as a file name, out of the static export's folder. Every code is a word."""
    text = SMALL.replace("  - code: HF1\n", f"  - code: '{code}'\n", 1)
    assert text != SMALL
    one(catalog_error(db, write(tmp_path / "codes.yaml", text)), "kein Code")
    rec = SMALL.replace("code: HF1-01\n", f"code: '{code}'\n", 1)
    one(catalog_error(db, write(tmp_path / "rec.yaml", rec)), "kein Code")


def test_a_spreadsheets_code_is_a_word_too(db: Db, small: Path, tmp_path: Path) -> None:
    """Second outside attack, F4: the CSV import took `HF2-../../x`, `HF2-<b>92` as codes."""
    db.load(small)
    errors = catalog_error(db, write(tmp_path / "codes.csv", "\n".join([
        CSV_HEADER, "HF1-../../../../tmp/EVIL;Titel;HF1;;;;;;", "HF1-<b>92;Titel;HF1;;;;;;"])))
    one(errors, 'Zeile 2, Spalte "Kennung"', "kein Code")
    one(errors, 'Zeile 3, Spalte "Kennung"', "kein Code")
