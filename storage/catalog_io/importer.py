"""import_catalog: validate a whole file, then upsert it inside the caller's unit of work."""
from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError

from ..models import Person
from ..uow import UnitOfWork
from .apply import Writer
from .errors import CatalogError, ErrorList, Loc, decode_error
from .index import DbIndex
from .refs import KnownNames, check_catalog
from .report import ImportReport, progress_bar
from .schema import (BodyIn, CatalogIn, ConceptIn, FieldIn, IndicatorIn, PersonIn, RecommendationIn,
                     ReportingLineIn)
from .tabular import import_table

YAML_SUFFIXES = (".yaml", ".yml")
TABLE_SUFFIXES = (".csv", ".xlsx")

# PyYAML's most common complaints, in the users' language (the original stays in brackets).
_YAML_PROBLEMS = {
    "mapping values are not allowed here": "hier ist kein „Schlüssel: Wert“ möglich – fehlen "
                                           "Anführungszeichen um einen Text mit Doppelpunkt?",
    "mapping values are not allowed in this context": "hier ist kein „Schlüssel: Wert“ möglich – "
                                                      "fehlen Anführungszeichen um einen Text mit Doppelpunkt?",
    "found character '\\t' that cannot start any token": "Tabulator gefunden – bitte nur Leerzeichen "
                                                         "zum Einrücken verwenden",
    "found character that cannot start any token": "unerwartetes Zeichen (Tabulator? bitte nur Leerzeichen "
                                                   "zum Einrücken verwenden)",
    "could not find expected ':'": "„:“ nach dem Schlüssel fehlt",
    "found duplicate key": "Schlüssel doppelt",
}


def import_catalog(uow: UnitOfWork, path: Path, *, actor: Person | None = None,
                   progress: bool | None = None) -> ImportReport:
    """Import a YAML catalog or a CSV/XLSX recommendation list; flushes, never commits.

    Raises CatalogError with every problem of the file before anything is written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.is_file():
        raise CatalogError(path, [f"{path.name}: Datei nicht gefunden ({path})"])
    if suffix in YAML_SUFFIXES:
        report = _import_yaml(uow, path, actor, progress)
    elif suffix in TABLE_SUFFIXES:
        report = import_table(uow, path, actor, progress)
    else:
        raise CatalogError(path, [f"{path.name}: unbekanntes Dateiformat „{suffix}“; "
                                  "erlaubt: .yaml, .yml, .csv, .xlsx"])
    try:
        uow.flush()
    except IntegrityError as exc:  # a rule the checks missed: still report, never half-write
        raise CatalogError(path, [f"{path.name}: die Datenbank lehnt den Import ab: {exc.orig}"]) from exc
    if not report.unchanged:  # the audit log records changes; an identical re-import is none
        uow.audit.record(actor, "import", "catalog", _ref(path), created=report.created,
                         updated=report.updated, removed=report.removed, format=report.kind)
    return report


def _ref(path: Path) -> str:
    text = str(path)
    return text if len(text) <= 120 else "…" + text[-119:]  # audit_log.entity_ref is 120 chars


def _import_yaml(uow: UnitOfWork, path: Path, actor: Person | None,
                 progress: bool | None) -> ImportReport:
    data, root = load_yaml(path)
    errors = ErrorList(path, root)
    catalog, known = validate_catalog(data, errors)
    idx = DbIndex.load(uow.session)
    check_catalog(catalog, idx, errors, known)
    _same_people(catalog, idx, errors)
    errors.raise_if_any()
    report = ImportReport(path=path, kind="yaml", rows=catalog.row_count())
    bar = progress_bar(report.rows, progress, path.name)
    try:
        with uow.session.no_autoflush:
            Writer(uow, idx, report, actor, bar).catalog(catalog)
    finally:
        bar.close()
    return report


def _same_people(catalog: CatalogIn, idx: DbIndex, errors: ErrorList) -> None:
    """A handle in the file that belongs to someone else in the database is refused (issue #17:
    a second city's example overwrote the first city's coordinator, both being `koordination`).
    Someone else: another name and no shared e-mail address to show it is the same person."""
    for i, person in enumerate(catalog.people):
        known = idx.people.get(person.handle)
        if known is None or known.name == person.name:
            continue
        if person.email and known.email and person.email.casefold() == known.email.casefold():
            continue  # the same address: a new name of the same person
        errors.at(("people", i, "handle"),
                  f"@{person.handle} ist in der Datenbank {known.name}, in der Datei {person.name}; "
                  "erlaubt: ein anderes Kürzel für eine andere Person, oder dieselbe E-Mail-Adresse "
                  "wie in der Datenbank, wenn sich nur der Name geändert hat")


M = TypeVar("M", bound=BaseModel)
_SECTIONS: dict[str, type[BaseModel]] = {
    "people": PersonIn, "bodies": BodyIn, "reporting_lines": ReportingLineIn,
    "indicators": IndicatorIn, "fields": FieldIn,
}
_KEYS = {"people": "handle", "bodies": "code", "indicators": "code"}


def validate_catalog(data: Any, errors: ErrorList) -> tuple[CatalogIn, KnownNames]:
    """Validate entry by entry, so one pass reports schema and reference problems together.

    Entries with errors are left out of the returned catalog (it is only applied when
    there are no errors); their handles and codes still count as known references.
    Fields are validated without their recommendations, each of which is validated on its own.
    """
    if not isinstance(data, dict):
        errors.plain("die Datei ist leer; erwartet: mindestens der Schlüssel „concept“" if data is None
                     else "die Datei ist keine Zuordnung; erwartet: Schlüssel wie concept, people, fields")
        errors.raise_if_any()
    for key in data:
        if key not in CatalogIn.model_fields:
            errors.at((str(key),), f"unbekannter Schlüssel „{key}“; erlaubt: "
                      + ", ".join(CatalogIn.model_fields), key=True)
    known = KnownNames()
    concept = _entry(ConceptIn, data["concept"], ("concept",), errors) if "concept" in data else None
    if "concept" not in data:
        errors.at(("concept",), "Pflichtangabe fehlt; erlaubt: concept: {code: …, title: …}")
    sections: dict[str, list[Any]] = {}
    for name, model in _SECTIONS.items():
        sections[name] = []
        for i, item in enumerate(_list(data.get(name), (name,), errors)):
            entry = (_field(item, i, errors) if name == "fields"
                     else _entry(model, item, (name, i), errors))
            if entry is not None:
                sections[name].append(entry)
            elif name in _KEYS and isinstance(item, dict) and item.get(_KEYS[name]) is not None:
                known.add(name, str(item[_KEYS[name]]))
    # Entries keep their own fields_set (what the file wrote), which "missing = unchanged" needs.
    return CatalogIn.model_construct(None, concept=concept, **sections), known


def _entry(model: type[M], item: Any, loc: Loc, errors: ErrorList) -> M | None:
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        errors.add_validation(exc, model, prefix=loc)
        return None


def _list(value: Any, loc: Loc, errors: ErrorList) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        errors.at(loc, "keine Liste; erlaubt: eine Liste (Einträge mit „- “)", value)
        return []
    return value


def _field(item: Any, i: int, errors: ErrorList) -> FieldIn | None:
    """A field without its recommendations, then each recommendation on its own."""
    if not isinstance(item, dict):
        return _entry(FieldIn, item, ("fields", i), errors)
    field = _entry(FieldIn, {**item, "recommendations": []}, ("fields", i), errors)
    recs = [_entry(RecommendationIn, rec, ("fields", i, "recommendations", j), errors)
            for j, rec in enumerate(_list(item.get("recommendations"), ("fields", i, "recommendations"),
                                          errors))]
    if field is not None:
        field.recommendations = [r for r in recs if r is not None]
    return field


# libyaml parses large catalogs about ten times faster; the pure-Python loader is the fallback.
_BaseLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_BaseLoader):
    """Safe loader that keeps dates as text (pydantic checks them, with a path in the error)
    and refuses duplicate keys (PyYAML would silently keep the last one)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"found duplicate key „{key}“", key_node.start_mark)
            seen.add(key)
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return mapping


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_str)


def load_yaml(path: Path) -> tuple[Any, yaml.Node | None]:
    """The data and the node tree (for line numbers); syntax errors name line and column."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise decode_error(path, raw, exc) from exc
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        return (loader.construct_document(root) if root is not None else None), root
    except yaml.MarkedYAMLError as exc:
        raise CatalogError(path, [_yaml_message(path, exc)]) from exc
    except yaml.YAMLError as exc:
        raise CatalogError(path, [f"{path.name}: YAML-Fehler: {exc}"]) from exc
    finally:
        loader.dispose()


def _yaml_message(path: Path, exc: yaml.MarkedYAMLError) -> str:
    mark = exc.problem_mark or exc.context_mark
    where = f"Zeile {mark.line + 1}, Spalte {mark.column + 1}" if mark else "unbekannte Stelle"
    problem = exc.problem or "unbekanntes Problem"
    known = next((k for k in _YAML_PROBLEMS if problem.startswith(k)), None)
    text = f"{_YAML_PROBLEMS[known]}{problem[len(known):]} ({known})" if known else problem
    return f"{path.name}: YAML-Syntaxfehler in {where}: {text}; erlaubt: gültiges YAML"
