"""A table file (CSV or XLSX) as header and rows, for every tabular import: recommendation
lists (tabular) and indicator values (indicator_values)."""
from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import CatalogError, decode_error


@dataclass
class Sheet:
    headers: list[str]  # as written in the file, for error messages
    rows: list[tuple[int, list[Any], list[bool]]]  # (row number, cells, cell is an Excel %-cell)


def read_sheet(path: Path) -> Sheet:
    return read_xlsx(path) if path.suffix.lower() == ".xlsx" else read_csv(path)


def read_csv(path: Path) -> Sheet:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")  # -sig: Excel's "CSV UTF-8" starts with a BOM
    except UnicodeDecodeError as exc:
        raise decode_error(path, raw, exc, " (in Excel: „CSV UTF-8 (durch Trennzeichen getrennt)“)") from exc
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    if not records:
        return Sheet([], [])
    return Sheet(records[0], [(n, r, [False] * len(r)) for n, r in enumerate(records[1:], start=2)
                              if any(c.strip() for c in r)])


def _delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        header = text.split("\n", 1)[0]
        return max(";,\t", key=header.count)  # German Excel writes ';'


def read_xlsx(path: Path) -> Sheet:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise CatalogError(path, [f"{path.name}: keine lesbare XLSX-Datei ({exc}); "
                                  "erlaubt: eine mit Excel oder LibreOffice gespeicherte .xlsx"]) from exc
    try:
        rows = list(book.worksheets[0].iter_rows())
    finally:
        book.close()
    if not rows:
        return Sheet([], [])
    headers = ["" if c.value is None else str(c.value) for c in rows[0]]
    out = []
    for n, row in enumerate(rows[1:], start=2):
        cells = [c.value for c in row]
        if any(c is not None and str(c).strip() for c in cells):
            out.append((n, cells, ["%" in (getattr(c, "number_format", None) or "") for c in row]))
    return Sheet(headers, out)
