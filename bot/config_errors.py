"""German, one-problem-per-line messages for configuration failures.

Kept apart from :mod:`bot.config` so the models stay readable. Messages name
where a value came from (file, environment variable or built-in defaults),
the dotted key and what would have been allowed.
"""

from __future__ import annotations

import json
import re
import tomllib
import types
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, SecretStr, ValidationError
from pydantic.fields import FieldInfo

ENV_PREFIX = "SACHSTAND_"
ENV_DELIMITER = "__"

Loc = tuple[str | int, ...]


class ConfigError(Exception):
    """Invalid or unreadable configuration; ``message`` is German and human readable."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class FieldProblem(ValueError):
    """Raised by cross-field validators to blame specific keys, not the whole section.

    pydantic reports model-validator errors at the section's location; the
    formatter appends each ``key`` so users see e.g. ``matrix.homeserver``.
    """

    def __init__(self, *problems: tuple[str, str]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{key}: {text}" for key, text in problems))


# Error type -> how the expected type is described to the user.
_EXPECTED_TYPE = {
    "int_parsing": "eine ganze Zahl",
    "int_type": "eine ganze Zahl",
    "int_from_float": "eine ganze Zahl",
    "bool_parsing": "true oder false",
    "bool_type": "true oder false",
    "string_type": "ein Text in Anführungszeichen",
    "list_type": "eine Liste, z. B. [1, 2]",
    "model_type": "ein Abschnitt (TOML-Tabelle)",
    "model_attributes_type": "ein Abschnitt (TOML-Tabelle)",
    "dict_type": "ein Abschnitt (TOML-Tabelle)",
    "time_parsing": 'eine Uhrzeit im Format "HH:MM"',
    "time_type": 'eine Uhrzeit im Format "HH:MM"',
    "path_type": "ein Pfad (Text)",
}


def header(path: Path | None) -> str:
    """First line of every message: which file (or none) was being read."""
    if path is None:
        return "Konfigurationsfehler (eingebaute Standardwerte, keine Konfigurationsdatei):"
    return f"Konfigurationsfehler in {path}:"


def check_toml_file(path: Path) -> None:
    """Read and parse once up front so file and syntax problems get precise messages."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"Konfigurationsdatei nicht gefunden: {path}") from None
    except OSError as exc:
        raise ConfigError(f"Konfigurationsdatei {path} kann nicht gelesen werden: {exc.strerror}") from None
    try:
        tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"{header(path)}\n  Datei ist nicht UTF-8-kodiert") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(format_toml_error(exc, path)) from None


def format_toml_error(exc: tomllib.TOMLDecodeError, path: Path) -> str:
    """Syntax errors: Python 3.11 only has the position inside the message text."""
    text = str(exc)
    match = re.search(r"\(at line (\d+), column (\d+)\)", text)
    detail = re.sub(r"\s*\(at .*?\)$", "", text)
    where = f"Zeile {match[1]}, Spalte {match[2]}" if match else "unbekannte Stelle"
    return f"{header(path)}\n  {where}: ungültige TOML-Syntax ({detail})"


def format_settings_error(exc: Exception, path: Path | None) -> str:
    """pydantic-settings failed before validation, i.e. an env value was not valid JSON."""
    match = re.search(r'field "([^"]+)"', str(exc))
    section = match[1] if match else "?"
    prefix = f"{ENV_PREFIX}{section.upper()}"
    return (
        f"{header(path)}\n  {section} (Umgebungsvariable {prefix} bzw. {prefix}{ENV_DELIMITER}…): "
        "Wert ist kein gültiges JSON. Listen bitte als JSON angeben, z. B. [7, 2, 0]"
    )


def format_validation_error(
    exc: ValidationError, root: type[BaseModel], path: Path | None, environ: Mapping[str, str]
) -> str:
    """All pydantic errors, one line each."""
    lines = [header(path)]
    for error in exc.errors():
        for loc, text in _explain(error, root):
            lines.append(f"  {_dotted(loc)}{_env_note(loc, environ)}: {text}")
    return "\n".join(lines)


def _explain(error: Mapping[str, Any], root: type[BaseModel]) -> list[tuple[Loc, str]]:
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, FieldProblem):
        return [(loc + (key,), text) for key, text in cause.problems]
    if kind == "extra_forbidden":
        return [(loc, _unknown_key(loc, root))]
    if kind == "value_error" and cause is not None:
        return [(loc, str(cause))]
    if kind == "literal_error":
        return [(loc, f"ungültiger Wert {_show(error, loc, root)}. Erlaubt sind: {_literal_values(loc, root, error)}")]
    if kind in _EXPECTED_TYPE:
        return [(loc, f"falscher Typ: erwartet wird {_EXPECTED_TYPE[kind]}, angegeben war {_show(error, loc, root)}")]
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return [(loc, f"Wert {_show(error, loc, root)} außerhalb des erlaubten Bereichs ({_range(loc, root, error)})")]
    if kind in ("string_too_short", "too_short"):
        return [(loc, "darf nicht leer sein")]
    if kind == "missing":
        return [(loc, "Angabe fehlt")]
    return [(loc, f"ungültiger Wert ({error['msg']})")]


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(Datei)"


def _env_note(loc: Loc, environ: Mapping[str, str]) -> str:
    """Env beats TOML, so if a matching variable exists it supplied the bad value."""
    by_upper = {key.upper(): key for key in environ}
    names = [part for part in loc if isinstance(part, str)]
    for size in range(len(names), 0, -1):
        candidate = ENV_PREFIX + ENV_DELIMITER.join(names[:size]).upper()
        if candidate in by_upper:
            return f" (Umgebungsvariable {by_upper[candidate]})"
    return ""


def _unknown_key(loc: Loc, root: type[BaseModel]) -> str:
    model = _model_at(loc[:-1], root)
    allowed = ", ".join(model.model_fields) if model else "?"
    what = "Abschnitt" if len(loc) == 1 else "Schlüssel"
    return f"unbekannter {what}. Erlaubt sind: {allowed}"


def _model_at(loc: Loc, root: type[BaseModel]) -> type[BaseModel] | None:
    annotation: Any = root
    for part in loc:
        model = _as_model(annotation)
        if model is None or isinstance(part, int) or part not in model.model_fields:
            return None
        annotation = model.model_fields[part].annotation
    return _as_model(annotation)


def _field_at(loc: Loc, root: type[BaseModel]) -> tuple[FieldInfo | None, Any]:
    """The field owning ``loc`` and the annotation of the value at ``loc`` (list items too)."""
    field: FieldInfo | None = None
    annotation: Any = root
    for part in loc:
        if isinstance(part, int):
            args = get_args(_strip_optional(annotation))
            annotation = args[0] if args else Any
            continue
        model = _as_model(annotation)
        if model is None or part not in model.model_fields:
            return None, None
        field = model.model_fields[part]
        annotation = field.annotation
    return field, annotation


def _as_model(annotation: Any) -> type[BaseModel] | None:
    candidate = _strip_optional(annotation)
    return candidate if isinstance(candidate, type) and issubclass(candidate, BaseModel) else None


def _strip_optional(annotation: Any) -> Any:
    if get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    args = [arg for arg in get_args(annotation) if arg is not type(None)]
    if _is_union(annotation) and len(args) == 1:
        return args[0]
    return annotation


def _is_union(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType)


def _show(error: Mapping[str, Any], loc: Loc, root: type[BaseModel]) -> str:
    """The offending input, hidden for secrets."""
    _, annotation = _field_at(loc, root)
    if annotation is not None and SecretStr in (_strip_optional(annotation), annotation):
        return "(geheimer Wert, nicht angezeigt)"
    from .redaction import redact

    value = error.get("input")
    text = redact(json.dumps(value, ensure_ascii=False, default=str))
    return text if len(text) <= 60 else text[:57] + "…"


def _literal_values(loc: Loc, root: type[BaseModel], error: Mapping[str, Any]) -> str:
    _, annotation = _field_at(loc, root)
    annotation = _strip_optional(annotation)
    if get_origin(annotation) is Literal:
        return ", ".join(str(value) for value in get_args(annotation))
    return str((error.get("ctx") or {}).get("expected", "?"))


def _range(loc: Loc, root: type[BaseModel], error: Mapping[str, Any]) -> str:
    field, annotation = _field_at(loc, root)
    metadata: list[Any] = []
    if loc and isinstance(loc[-1], int):
        metadata = _annotated_metadata(annotation)
    elif field is not None:
        metadata = list(field.metadata)
    low = next((m.ge for m in metadata if hasattr(m, "ge")), None)
    high = next((m.le for m in metadata if hasattr(m, "le")), None)
    ctx = error.get("ctx") or {}
    low = low if low is not None else ctx.get("ge")
    high = high if high is not None else ctx.get("le")
    if low is not None and high is not None:
        return f"erlaubt: {low} bis {high}"
    if low is not None:
        return f"erlaubt: mindestens {low}"
    return f"erlaubt: höchstens {high}" if high is not None else str(ctx)


def _annotated_metadata(annotation: Any) -> list[Any]:
    """Constraints of e.g. ``Annotated[int, Field(ge=0, le=60)]`` used as a list item type."""
    if get_origin(annotation) is not Annotated:
        return []
    found: list[Any] = []
    for extra in get_args(annotation)[1:]:
        found.extend(extra.metadata if isinstance(extra, FieldInfo) else _as_list(extra))
    return found


def _as_list(value: Any) -> Iterable[Any]:
    return list(value) if isinstance(value, (list, tuple)) else [value]
