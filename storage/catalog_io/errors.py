"""CatalogError and the German wording of every validation problem."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .schema import keys_at

Loc = Sequence[str | int]


class CatalogError(Exception):
    """All problems of one file at once; nothing was written."""

    def __init__(self, path: Path, errors: list[str], outcome: str = "nichts wurde importiert") -> None:
        self.path = path
        self.errors = errors
        super().__init__(f"{path.name}: {len(errors)} Fehler; {outcome}.\n" + "\n".join(errors))


def loc_text(loc: Loc) -> str:
    """('fields', 1, 'recommendations', 3, 'time_target') → fields[1].recommendations[3].time_target"""
    out = ""
    for part in loc:
        if part == "[key]":
            continue  # pydantic's marker for a bad dict key; the key is already the last part
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(Dokument)"


def shown(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else f"„{value}“"
    return text if len(text) <= 80 else text[:77] + "…"


class ErrorList:
    """Collects messages, each naming the file and where the problem is."""

    def __init__(self, path: Path, yaml_root: yaml.Node | None = None) -> None:
        self.path = path
        self.root = yaml_root
        self.items: list[str] = []

    def __bool__(self) -> bool:
        return bool(self.items)

    def at(self, loc: Loc, message: str, found: object = ..., *, key: bool = False) -> None:
        where = loc_text(loc)
        line = yaml_line(self.root, loc, key=key) if self.root is not None else None
        if line:
            where += f" (Zeile {line})"
        text = f"{self.path.name}: {where}: {message}"
        if found is not ...:
            text += f" (gefunden: {shown(found)})"
        self.items.append(text)

    def cell(self, row: int, column: str | None, message: str, found: object = ...) -> None:
        where = f"Zeile {row}" + (f', Spalte "{column}"' if column else "")
        text = f"{self.path.name}: {where}: {message}"
        if found is not ...:
            text += f" (gefunden: {shown(found)})"
        self.items.append(text)

    def plain(self, message: str) -> None:
        self.items.append(f"{self.path.name}: {message}")

    def add_validation(self, exc: ValidationError, model: type[BaseModel] | None = None,
                       prefix: Loc = ()) -> None:
        for err in exc.errors(include_url=False):
            loc = [*prefix, *err["loc"]]
            extra = err["type"] == "extra_forbidden"
            keys = keys_at(model, err["loc"][:-1]) if extra and model is not None else None
            message, found = german(err, keys)
            self.at(loc, message, found, key=extra)

    def raise_if_any(self) -> None:
        if self.items:
            raise CatalogError(self.path, self.items)


def german(err: Any, keys: list[str] | None = None) -> tuple[str, object]:
    """One pydantic error → (German message incl. what is allowed, the input found)."""
    kind, ctx, found = err["type"], err.get("ctx") or {}, err.get("input", ...)
    if kind == "extra_forbidden":
        return f"unbekannter Schlüssel „{err['loc'][-1]}“; erlaubt: {', '.join(keys or [])}", ...
    if kind == "missing":
        return "Pflichtangabe fehlt", ...
    if kind == "value_error":
        return str(ctx.get("error", err["msg"])), found
    messages = {
        "string_type": "kein Text; erlaubt: Text",
        "string_too_short": "darf nicht leer sein",
        "string_too_long": f"zu lang; erlaubt: höchstens {ctx.get('max_length')} Zeichen",
        "string_pattern_mismatch": f"ungültiges Format; erlaubt: {ctx.get('pattern')}",
        "int_type": "keine ganze Zahl; erlaubt: ganze Zahl",
        "int_parsing": "keine ganze Zahl; erlaubt: ganze Zahl",
        "int_from_float": "keine ganze Zahl; erlaubt: ganze Zahl",
        "greater_than_equal": f"zu klein; erlaubt: mindestens {ctx.get('ge')}",
        "less_than_equal": f"zu groß; erlaubt: höchstens {ctx.get('le')}",
        "decimal_type": "keine Zahl; erlaubt: eine Zahl wie 12 oder 8.5",
        "decimal_parsing": "keine Zahl; erlaubt: eine Zahl wie 12 oder 8.5",
        "date_type": "kein Datum; erlaubt: JJJJ-MM-TT (2027-06-30)",
        "bool_type": "kein Wahrheitswert; erlaubt: true oder false",
        "bool_parsing": "kein Wahrheitswert; erlaubt: true oder false",
        "list_type": "keine Liste; erlaubt: eine Liste (- Eintrag)",
        "dict_type": "keine Zuordnung; erlaubt: Schlüssel: Wert",
        "model_type": "keine Zuordnung; erlaubt: Schlüssel: Wert",
        "model_attributes_type": "keine Zuordnung; erlaubt: Schlüssel: Wert",
    }
    return messages.get(kind, err["msg"]), found


def yaml_line(root: yaml.Node | None, loc: Loc, *, key: bool = False) -> int | None:
    """1-based line of the node at `loc`; for unknown keys the line of the key itself."""
    node, best = root, None
    for i, part in enumerate(loc):
        if node is None:
            break
        best = node.start_mark.line + 1
        last = i == len(loc) - 1
        node = _child(node, part, want_key=key and last)
    if node is not None:
        best = node.start_mark.line + 1
    return best


def _child(node: yaml.Node, part: str | int, *, want_key: bool) -> yaml.Node | None:
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == str(part):
                return key_node if want_key else value_node
    return None


def decode_error(path: Path, raw: bytes, exc: UnicodeDecodeError, hint: str = "") -> CatalogError:
    line = raw[:exc.start].count(b"\n") + 1
    return CatalogError(path, [f"{path.name}: Zeile {line}: die Datei ist nicht UTF-8-kodiert; "
                               f"erlaubt: UTF-8{hint}"])
