"""export_catalog: the database as a YAML catalog (importable again) or a recommendation list."""
from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..models import (Body, Concept, Field, Indicator, Measure, Person, Recommendation,
                      ReportingLine, TargetMetric)
from ..uow import UnitOfWork
from . import values as v
from .errors import CatalogError
from .tabular import COLUMNS

_DUMPER: type = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml when available: much faster
NOT_EXPORTED = "nichts wurde exportiert"
HEADER = "# Sachstand-Katalog – Format: docs/catalog.md\n"


def export_catalog(uow: UnitOfWork, path: Path, *, concept: str | None = None) -> int:
    """Write by suffix (.yaml/.yml, .csv, .xlsx); returns the number of recommendations written.

    `concept`: its code; default the first concept. CSV/XLSX without `concept` list all.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        data = catalog_data(uow, _concept(uow, path, concept))
        text = HEADER + yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False,
                                  default_flow_style=False, width=100)
        with _atomic(path, "w", encoding="utf-8") as out:
            out.write(text)
        return sum(len(f["recommendations"]) for f in data.get("fields", []))
    if suffix in (".csv", ".xlsx"):
        chosen = _concept(uow, path, concept) if concept else None
        rows = [_row(r) for r in _recommendations(uow, chosen)]
        (_write_csv if suffix == ".csv" else _write_xlsx)(path, rows)
        return len(rows)
    raise CatalogError(path, [f"{path.name}: unbekanntes Dateiformat „{suffix}“; "
                              "erlaubt: .yaml, .yml, .csv, .xlsx"], NOT_EXPORTED)


def _concept(uow: UnitOfWork, path: Path, code: str | None) -> Concept:
    found = uow.catalog.concept_by_code(code) if code else uow.catalog.concept()
    if found is None:
        raise CatalogError(path, [f"{path.name}: kein Konzept „{code or ''}“ in der Datenbank; "
                                  "erlaubt: der Code eines importierten Konzepts"], NOT_EXPORTED)
    return found


# YAML -------------------------------------------------------------------------------------

def _compact(data: dict[str, Any], keep: Sequence[str] = ()) -> dict[str, Any]:
    """Leave out empty values: the importer gives new rows the same defaults."""
    return {k: val for k, val in data.items() if k in keep or val not in (None, "", [], {})}


def catalog_data(uow: UnitOfWork, concept: Concept) -> dict[str, Any]:
    s = uow.session
    people = s.scalars(select(Person).order_by(Person.handle).options(
        selectinload(Person.identities), selectinload(Person.absences)))
    lines = s.scalars(select(ReportingLine).order_by(ReportingLine.id))
    indicators = s.scalars(select(Indicator).order_by(Indicator.code).options(selectinload(Indicator.values)))
    fields = s.scalars(select(Field).where(Field.concept_id == concept.id)
                       .order_by(Field.position, Field.code).options(
        selectinload(Field.body), selectinload(Field.recommendations).options(
            selectinload(Recommendation.body), selectinload(Recommendation.owner),
            selectinload(Recommendation.indicators), selectinload(Recommendation.metrics),
            selectinload(Recommendation.measures).selectinload(Measure.owner))))
    return _compact({
        "concept": _compact({"code": concept.code, "title": concept.title, "city": concept.city,
                             "example": concept.example, "description": concept.description,
                             "levels": dict(concept.levels)}),
        "people": [_person(p) for p in people],
        "bodies": [_body(b) for b in uow.bodies.all()],
        "reporting_lines": [_compact({"from": ln.from_body.code, "to": ln.to_body.code,
                                      "per_year": ln.per_year, "lead_days": ln.lead_days,
                                      "name": ln.name}) for ln in lines],
        "indicators": [_indicator(i) for i in indicators],
        "fields": [_field(f) for f in fields],
    })


def _person(p: Person) -> dict[str, Any]:
    return _compact({
        "handle": p.handle, "name": p.name, "org_unit": p.org_unit, "email": p.email,
        "locale": p.locale, "timezone": p.timezone, "publication_consent": p.publication_consent,
        "identities": {i.transport: i.external_id for i in p.identities},
        "absences": [_compact({"from": a.start, "to": a.end, "note": a.note}) for a in p.absences],
    })


def _body(b: Body) -> dict[str, Any]:
    return _compact({
        "code": b.code, "name": b.name, "kind": b.kind.value, "coordinating": b.coordinating,
        "description": b.description,
        "cadence": {"per_year": b.cadence_per_year, "minimum": b.cadence_minimum},
        "rooms": {r.transport: r.room_id for r in sorted(b.rooms, key=lambda r: r.transport)},
        "members": [_compact({"person": m.person.handle, "role": m.role.value,
                              "organisation": m.organisation}) for m in b.memberships],
    })


def _indicator(i: Indicator) -> dict[str, Any]:
    values = sorted(i.values, key=lambda x: (x.period, x.gender, x.district))
    return _compact({
        "code": i.code, "name": i.name, "unit": i.unit, "source": i.source,
        "periodicity": i.periodicity, "description": i.description,
        "values": [_compact({"period": x.period, "gender": x.gender, "district": x.district,
                             "value": v.plain_number(x.value)}) for x in values],
    })


def _field(f: Field) -> dict[str, Any]:
    return {**_compact({"code": f.code, "title": f.title, "description": f.description,
                        "body": f.body.code if f.body else None}),
            "recommendations": [_recommendation(r, f) for r in f.recommendations]}


def _recommendation(r: Recommendation, f: Field) -> dict[str, Any]:
    data = _compact({
        "code": r.code, "title": r.title, "description": r.description,
        "body": r.body.code if r.body else None, "owner": r.owner.handle if r.owner else None,
        "owner_unit": r.owner_unit, "time_target": r.time_target, "status": r.status.value,
        "progress": r.progress, "progress_from_measures": r.progress_from_measures,
        "indicators": sorted(i.code for i in r.indicators),
        "metrics": [_metric(m) for m in r.metrics],
        "measures": [_measure(m) for m in r.measures],
    }, keep=("body",))
    if r.body is f.body:
        del data["body"]  # the importer defaults to the field's body; `null` would mean "none"
    return data


def _metric(m: TargetMetric) -> dict[str, Any]:
    return _compact({
        "name": m.name, "unit": m.unit,
        "baseline": v.plain_number(m.baseline), "baseline_date": m.baseline_date,
        "target": v.plain_number(m.target), "target_date": m.target_date,
        "current": v.plain_number(m.current), "current_date": m.current_date,
    })


def _measure(m: Measure) -> dict[str, Any]:
    return _compact({
        "code": m.code, "title": m.title, "description": m.description,
        "owner": m.owner.handle if m.owner else None, "owner_unit": m.owner_unit,
        "start": m.start, "end": m.end, "budget_planned": v.plain_number(m.budget_planned),
        "budget_spent": v.plain_number(m.budget_spent), "staff": v.plain_number(m.staff),
        "status": m.status.value, "progress": m.progress, "weight": v.plain_number(m.weight),
    })


# CSV / XLSX -------------------------------------------------------------------------------

def _recommendations(uow: UnitOfWork, concept: Concept | None) -> Sequence[Recommendation]:
    stmt = (select(Recommendation).join(Field, Recommendation.field_id == Field.id)
            .order_by(Field.concept_id, Field.position, Recommendation.code)
            .options(selectinload(Recommendation.field), selectinload(Recommendation.body),
                     selectinload(Recommendation.owner)))
    if concept is not None:
        stmt = stmt.where(Field.concept_id == concept.id)
    return uow.session.scalars(stmt).all()


def _row(r: Recommendation) -> dict[str, Any]:
    return {"code": r.code, "title": r.title, "description": r.description, "field": r.field.code,
            "body": r.body.code if r.body else "", "owner": r.owner.handle if r.owner else "",
            "owner_unit": r.owner_unit, "time_target": r.time_target,
            "status": v.STATUS_LABELS[r.status], "progress": r.progress}


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    # German Excel opens `;`-separated UTF-8 with BOM correctly by double click.
    with _atomic(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow([header for header, _ in COLUMNS.values()])
        for row in rows:
            writer.writerow([v.german_date(row[k]) if k == "time_target"
                             else v.defuse_formula(row[k]) if isinstance(row[k], str) else row[k]
                             for k in COLUMNS])


def _write_xlsx(path: Path, rows: list[dict[str, Any]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.worksheet import Worksheet

    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet), "a new workbook has one sheet, a worksheet, and it is active"
    sheet.title = "Empfehlungen"
    sheet.append([header for header, _ in COLUMNS.values()])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    date_col = list(COLUMNS).index("time_target") + 1
    for row in rows:
        sheet.append([row[k] for k in COLUMNS])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, not a formula (openpyxl guesses from the leading "=")
        sheet.cell(row=sheet.max_row, column=date_col).number_format = "DD.MM.YYYY"
    widths = {"code": 12, "title": 50, "description": 60, "owner_unit": 30}
    for i, key in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = widths.get(key, 16)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    with _atomic(path, "wb") as out:
        book.save(out)


@contextmanager
def _atomic(path: Path, mode: str, **kwargs: Any) -> Iterator[IO[Any]]:
    """Write next to the target and rename: a failed export never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, mode, **kwargs) as out:
            yield out
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
