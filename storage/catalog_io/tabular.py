"""Recommendation lists as CSV or XLSX: reading, row checks and import.

Rows only touch recommendations; fields, bodies and people must already exist.
Row numbers are spreadsheet rows (the header is row 1), so users find them in Excel.

One meaning of an empty cell for every column: *unchanged* (for a new row: not given, so the
default). A cell with only `-` clears an optional value (owner, time target, description,
organisational unit; the body falls back to the field's); title, field, status and progress
cannot be cleared.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ..models import Person, Recommendation, Status
from ..uow import UnitOfWork
from . import values as v
from .apply import Writer
from .errors import ErrorList
from .index import DbIndex
from .indicator_values import import_indicator_values, is_indicator_sheet
from .report import ImportReport, progress_bar
from .sheets import Sheet, read_sheet

# attribute → (German header written on export, accepted headers in lower case)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "code": ("Code", ("code", "kennung")),
    "title": ("Titel", ("title", "titel")),
    "description": ("Beschreibung", ("description", "beschreibung")),
    "field": ("Handlungsfeld", ("field", "handlungsfeld")),
    "body": ("Gremium", ("body", "gremium")),
    "owner": ("Verantwortlich", ("owner", "verantwortlich", "zielverantwortung")),
    "owner_unit": ("Organisationseinheit", ("owner_unit", "organisationseinheit")),
    "time_target": ("Zeitziel", ("time_target", "zeitziel")),
    "status": ("Status", ("status",)),
    "progress": ("Fortschritt", ("progress", "fortschritt", "fortschritt (%)", "fortschritt in %")),
}
_BY_HEADER = {alias: attr for attr, (_, aliases) in COLUMNS.items() for alias in aliases}
_MAX = {"code": 32, "title": 300, "owner_unit": 200}


def header_map(sheet: Sheet, errors: ErrorList) -> dict[str, int]:
    """attribute → column index; unknown or doubled headers are errors."""
    found: dict[str, int] = {}
    for i, raw in enumerate(sheet.headers):
        name = " ".join(str(raw).replace("\ufeff", "").split()).lower()
        if not name:
            continue
        attr = _BY_HEADER.get(name)
        if attr is None:
            errors.cell(1, str(raw), "unbekannte Spalte; erlaubt: " + v.allowed(h for h, _ in COLUMNS.values())
                        + " (oder englisch: " + v.allowed(COLUMNS) + ")")
        elif attr in found:
            errors.cell(1, str(raw), "Spalte doppelt; erlaubt: jede Spalte nur einmal")
        else:
            found[attr] = i
    if sheet.headers and "code" not in found:
        errors.cell(1, None, "Spalte „Code“ fehlt; erlaubt: Kopfzeile mit " + v.allowed(
            h for h, _ in COLUMNS.values()))
    if not sheet.headers:
        errors.plain("die Tabelle ist leer; erwartet: eine Kopfzeile mit Code, Titel, Handlungsfeld …")
    return found


def import_table(uow: UnitOfWork, path: Path, actor: Person | None,
                 progress: bool | None) -> ImportReport:
    sheet = read_sheet(path)
    if is_indicator_sheet(sheet):  # Kennziffer; Zeitraum; …; Wert
        return import_indicator_values(uow, path, sheet)
    errors = ErrorList(path)
    columns = header_map(sheet, errors)
    errors.raise_if_any()
    idx = DbIndex.load(uow.session, full=False)
    rows: list[tuple[int, dict[str, Any]]] = []
    first: dict[str, int] = {}  # code → row it first appeared in
    for n, cells, pct in sheet.rows:
        rows.append(_check_row(n, cells, pct, columns, sheet.headers, idx, errors))
        _duplicate_code(rows[-1], first, sheet.headers[columns["code"]], errors)
    errors.raise_if_any()
    report = ImportReport(path=path, kind=path.suffix.lower().lstrip("."), rows=len(rows))
    bar = progress_bar(len(rows), progress, path.name)
    try:
        with uow.session.no_autoflush:
            writer = Writer(uow, idx, report, actor, bar)
            for _, values in rows:
                _apply_row(writer, idx, values)
                bar.update()
    finally:
        bar.close()
    return report


def _duplicate_code(row: tuple[int, dict[str, Any]], first: dict[str, int], header: str,
                    errors: ErrorList) -> None:
    n, code = row[0], row[1].get("code")
    if code and code in first:
        errors.cell(n, header, f"Code doppelt (zuerst in Zeile {first[code]}); erlaubt: jeder Code einmal",
                    code)
    elif code:
        first[code] = n


def _check_row(n: int, cells: list[Any], pct: list[bool], columns: dict[str, int], headers: list[str],
               idx: DbIndex, errors: ErrorList) -> tuple[int, dict[str, Any]]:
    """Parsed values of the columns present; problems go to `errors` with row and column."""
    values: dict[str, Any] = {}
    for attr, i in columns.items():
        raw = cells[i] if i < len(cells) else None
        if isinstance(raw, str):
            raw = raw.strip()
        try:
            parsed = _parse(attr, raw, pct[i] if i < len(pct) else False, idx)
        except ValueError as exc:
            errors.cell(n, headers[i], str(exc), raw)
            continue
        if parsed is not _KEEP:
            values[attr] = parsed
    code = values.get("code")
    if not code:
        if not _has_error(errors, n, headers[columns["code"]]):
            errors.cell(n, headers[columns["code"]], "Code fehlt; erlaubt: ein Code wie HF1-01")
        return n, values
    for attr in ("title", "field"):
        header = headers[columns[attr]] if attr in columns else COLUMNS[attr][0]
        if values.get(attr) or (attr in columns and _has_error(errors, n, header)):
            continue
        if code not in idx.recommendations or attr in values:  # existing rows may omit the column
            errors.cell(n, header, f"{COLUMNS[attr][0]} fehlt; erlaubt: ein Wert (Pflichtangabe)")
    return n, values


def _has_error(errors: ErrorList, n: int, header: str) -> bool:
    return any(f'Zeile {n}, Spalte "{header}"' in e for e in errors.items)


_KEEP = object()  # an empty cell: keep the stored value (the default for new rows)
CLEAR = ("-", "–", "—")
_CLEARABLE = {"owner": None, "time_target": None, "description": "", "owner_unit": "", "body": ""}


def _parse(attr: str, raw: Any, percent_cell: bool, idx: DbIndex) -> Any:
    empty = raw is None or raw == ""
    if empty and attr != "code":
        return _KEEP
    if isinstance(raw, str) and raw.strip() in CLEAR and attr != "code":
        if attr not in _CLEARABLE:
            raise ValueError("lässt sich nicht leeren; erlaubt: ein Wert, oder die Zelle leer lassen (unverändert)")
        return _CLEARABLE[attr]
    if attr in ("code", "field", "body"):
        code = "" if empty else str(raw).strip().upper()
        if attr == "field" and code and code not in idx.fields:
            raise ValueError("unbekanntes Handlungsfeld; erlaubt: " + v.allowed(sorted(idx.fields)))
        if attr == "body" and code and code not in idx.bodies:
            raise ValueError("unbekanntes Gremium; erlaubt: " + v.allowed(sorted(idx.bodies)))
        if len(code) > _MAX.get(attr, 32):
            raise ValueError(f"zu lang; erlaubt: höchstens {_MAX.get(attr, 32)} Zeichen")
        if code and not v.is_code(code):
            raise ValueError(v.CODE_PROBLEM)
        return code
    if attr == "owner":
        handle = "" if empty else str(raw).strip().lower()
        if handle and handle not in idx.people:
            raise ValueError("unbekannte Person; erlaubt: das Kürzel (handle) einer vorhandenen Person")
        return handle or None
    if attr == "time_target":
        return v.parse_date(raw)
    if attr == "status":
        return _KEEP if empty else v.parse_status(raw)
    if attr == "progress":
        if empty:
            return _KEEP
        if percent_cell and isinstance(raw, (int, float)) and raw <= 1:
            raw = raw * 100  # an Excel %-cell stores 40 % as 0.4
        return v.parse_progress(raw)
    text = "" if empty else v.restore_formula(str(raw))
    if attr in _MAX and len(text) > _MAX[attr]:
        raise ValueError(f"zu lang; erlaubt: höchstens {_MAX[attr]} Zeichen")
    return text


def _apply_row(writer: Writer, idx: DbIndex, row: dict[str, Any]) -> None:
    code = row["code"]
    rec = idx.recommendations.get(code)
    values = {k: val for k, val in row.items() if k not in ("code", "field", "body", "owner")}
    field = idx.fields[row["field"]] if row.get("field") else rec.field if rec else None
    assert field is not None  # _check_row requires a field for new rows
    values["field"] = field
    if "body" in row or rec is None:
        values["body"] = idx.bodies[row["body"]] if row.get("body") else field.body
    if "owner" in row:
        values["owner"] = idx.people[row["owner"]] if row["owner"] else None
    if rec is None:
        values.setdefault("status", Status.NOT_STARTED)
        idx.recommendations[code] = writer.create(Recommendation, "recommendation", code=code, **values)
    else:
        writer.sync(rec, "recommendation", values, history=True)
