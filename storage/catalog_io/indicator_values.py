"""Indicator values as CSV or XLSX: Kennziffer; Zeitraum; Geschlecht; Bezirk; Wert.

`sachstand import FILE` recognises such a sheet by its "Kennziffer" and "Wert" columns.
Geschlecht (gesamt | weiblich | männlich | divers) defaults to gesamt, Bezirk to the whole
city. Values are upserted per (indicator, period, gender, district); every problem of the
file is reported, with its row, before anything is written."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..models import Indicator, IndicatorValue
from ..uow import UnitOfWork
from . import values as v
from .errors import ErrorList
from .report import ImportReport
from .sheets import Sheet, read_sheet

COLUMNS = {"indicator": ("kennziffer", "indikator", "indicator"), "period": ("zeitraum", "periode", "period", "jahr"),
           "gender": ("geschlecht", "gender"), "district": ("bezirk", "stadtbezirk", "district"),
           "value": ("wert", "value")}
REQUIRED = ("indicator", "period", "value")


def is_indicator_sheet(sheet: Sheet) -> bool:
    headers = {str(h).strip().casefold() for h in sheet.headers}
    return bool(headers & set(COLUMNS["indicator"])) and bool(headers & set(COLUMNS["value"]))


def import_indicator_values(uow: UnitOfWork, path: Path, sheet: Sheet | None = None) -> ImportReport:
    sheet = sheet or read_sheet(path)
    errors = ErrorList(path)
    columns = _columns(sheet, errors)
    errors.raise_if_any()
    known = {i.code: i for i in uow.session.scalars(select(Indicator)).all()}
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    for n, cells, _ in sheet.rows:
        row = _row(n, cells, columns, sheet.headers, known, errors)
        if row is None:
            continue
        key = (row["indicator"].code, row["period"], row["gender"], row["district"])
        if key in seen:
            errors.cell(n, None, f"derselbe Wert steht schon in Zeile {seen[key]}")
        seen[key] = n
        rows.append(row)
    errors.raise_if_any()
    report = ImportReport(path=path, kind=path.suffix.lower().lstrip("."), rows=len(rows))
    for row in rows:
        _upsert(uow, row, report)
    return report


def _columns(sheet: Sheet, errors: ErrorList) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, header in enumerate(sheet.headers):
        name = str(header).strip().casefold()
        attr = next((a for a, aliases in COLUMNS.items() if name in aliases), None)
        if attr is None:
            errors.plain(f'Spalte "{header}" ist unbekannt; erlaubt: Kennziffer, Zeitraum, Geschlecht, Bezirk, Wert')
        elif attr in found:
            errors.plain(f'Spalte "{header}" kommt doppelt vor')
        else:
            found[attr] = index
    for attr in REQUIRED:
        if attr not in found:
            errors.plain(f'Spalte "{COLUMNS[attr][0].capitalize()}" fehlt')
    return found


def _row(n: int, cells: list[Any], columns: dict[str, int], headers: list[str],
         known: dict[str, Indicator], errors: ErrorList) -> dict[str, Any] | None:
    def cell(attr: str) -> Any:
        index = columns.get(attr)
        return cells[index] if index is not None and index < len(cells) else None

    before = len(errors.items)
    code = str(cell("indicator") or "").strip().upper()
    indicator = known.get(code)
    if indicator is None:
        errors.cell(n, headers[columns["indicator"]], "unbekannte Kennziffer; erlaubt: "
                    + (", ".join(sorted(known)) or "keine angelegt"), code)
    period = str(cell("period") or "").strip()
    if isinstance(cell("period"), float) and cell("period").is_integer():
        period = str(int(cell("period")))  # Excel stores 2025 as 2025.0
    if not period or len(period) > 20:
        errors.cell(n, headers[columns["period"]], "Zeitraum fehlt oder ist zu lang (z. B. 2025 oder 2025-Q4)", period)
    gender = _gender(cell("gender"), n, headers, columns, errors)
    value = _value(cell("value"), n, headers[columns["value"]], errors)
    district = str(cell("district") or "").strip()[:80]
    if len(errors.items) > before:
        return None
    return {"indicator": indicator, "period": period, "gender": gender, "district": district, "value": value}


def _gender(raw: Any, n: int, headers: list[str], columns: dict[str, int], errors: ErrorList) -> str:
    if raw in (None, ""):
        return "gesamt"
    try:
        return v.parse_gender(raw)
    except ValueError as exc:
        errors.cell(n, headers[columns["gender"]], str(exc), raw)
        return "gesamt"


def _value(raw: Any, n: int, header: str, errors: ErrorList) -> Any:
    try:
        value = v.decimal_for(18, 4)(raw)  # the column's precision: a re-import compares equal
    except ValueError as exc:
        errors.cell(n, header, str(exc), raw)
        return None
    if value is None:
        errors.cell(n, header, "Wert fehlt")
    return value


def _upsert(uow: UnitOfWork, row: dict[str, Any], report: ImportReport) -> None:
    indicator: Indicator = row["indicator"]
    existing = next((x for x in indicator.values if (x.period, x.gender, x.district)
                     == (row["period"], row["gender"], row["district"])), None)
    if existing is None:
        indicator.values.append(IndicatorValue(period=row["period"], gender=row["gender"],
                                               district=row["district"], value=row["value"]))
        report.created_by["indicator_value"] += 1
    elif existing.value != row["value"]:
        existing.value = row["value"]
        report.updated_by["indicator_value"] += 1
