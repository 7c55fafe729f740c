"""Checks across entries of a validated YAML catalog and against the database:
duplicates, unknown references, dates in the wrong order, taken chat ids."""
from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date

from .errors import ErrorList, Loc, loc_text
from .index import DbIndex
from .schema import CatalogIn, RecommendationIn


@dataclass
class KnownNames:
    """Handles and codes of entries that failed validation: still valid reference targets,
    so one typo does not cause a cascade of "unknown person" errors."""

    people: set[str] = field(default_factory=set)
    bodies: set[str] = field(default_factory=set)
    indicators: set[str] = field(default_factory=set)

    def add(self, section: str, key: str) -> None:
        getattr(self, section).add(key.strip().lower() if section == "people" else key.strip().upper())


def check_catalog(cat: CatalogIn, idx: DbIndex, errors: ErrorList,
                  known: KnownNames | None = None) -> None:
    known = known or KnownNames()
    handles = {p.handle for p in cat.people} | set(idx.people) | known.people
    bodies = {b.code for b in cat.bodies} | set(idx.bodies) | known.bodies
    indicators = {i.code for i in cat.indicators} | set(idx.indicators) | known.indicators
    _duplicates(errors, "Kennung (handle)", ((("people", i, "handle"), p.handle)
                                             for i, p in enumerate(cat.people)))
    _check_people(cat, idx, errors)
    _check_bodies(cat, idx, errors, handles)
    _check_lines(cat, errors, bodies)
    _duplicates(errors, "Kennziffer", ((("indicators", i, "code"), ind.code)
                                       for i, ind in enumerate(cat.indicators)))
    for i, ind in enumerate(cat.indicators):
        _duplicates(errors, "Wert (period, gender, district)", (
            (("indicators", i, "values", j, "period"), (val.period, val.gender, val.district))
            for j, val in enumerate(ind.values)))
    _check_fields(cat, idx, errors, handles, bodies, indicators)


def _duplicates(errors: ErrorList, what: str, items: Iterable[tuple[Loc, Hashable]]) -> None:
    first: dict[Hashable, Loc] = {}
    for loc, key in items:
        if key in first:
            errors.at(loc, f"{what} doppelt; erlaubt: jede nur einmal (zuerst bei "
                           f"{loc_text(first[key])})", _key_text(key))
        else:
            first[key] = loc


def _key_text(key: Hashable) -> object:
    return " / ".join(str(k) or "–" for k in key) if isinstance(key, tuple) else key


_NOUNS = {
    "Person": ("unbekannte Person", "das Kürzel (handle) einer Person aus people oder der Datenbank"),
    "Gremium": ("unbekanntes Gremium", "der Code eines Gremiums aus bodies oder der Datenbank"),
    "Kennziffer": ("unbekannte Kennziffer", "der Code einer Kennziffer aus indicators oder der Datenbank"),
}


def _unknown(errors: ErrorList, loc: Loc, what: str, value: str | None, known: set[str]) -> None:
    if value is None or value in known:
        return
    problem, rule = _NOUNS[what]
    hint = f" ({', '.join(sorted(known))})" if 0 < len(known) <= 12 else ""
    errors.at(loc, f"{problem}; erlaubt: {rule}{hint}", value)


def _order(errors: ErrorList, loc: Loc, start: date | None, end: date | None) -> None:
    if start and end and end < start:
        errors.at(loc, f"Ende liegt vor dem Beginn ({start.isoformat()}); erlaubt: Ende ≥ Beginn",
                  end.isoformat())


def _check_people(cat: CatalogIn, idx: DbIndex, errors: ErrorList) -> None:
    # The final state (database overlaid with the file) must keep chat ids unique.
    owner = {(i.transport, i.external_id): p.handle for p in idx.people.values() for i in p.identities}
    for p in cat.people:
        for ident in idx.people[p.handle].identities if p.handle in idx.people else ():
            if "identities" in p.model_fields_set and ident.transport in p.identities:
                owner.pop((ident.transport, ident.external_id), None)
    for i, p in enumerate(cat.people):
        for transport, ext in p.identities.items():
            taken = owner.get((transport, ext))
            if taken is not None and taken != p.handle:
                errors.at(("people", i, "identities", transport),
                          f"diese Kennung gehört schon {taken}; erlaubt: eine Kennung je Person", ext)
            owner[(transport, ext)] = p.handle
        for j, absence in enumerate(p.absences):
            _order(errors, ("people", i, "absences", j, "to"), absence.start, absence.end)
        _duplicates(errors, "Abwesenheit", ((("people", i, "absences", j, "from"), (a.start, a.end))
                                            for j, a in enumerate(p.absences)))


def _check_bodies(cat: CatalogIn, idx: DbIndex, errors: ErrorList, handles: set[str]) -> None:
    _duplicates(errors, "Gremium", ((("bodies", i, "code"), b.code) for i, b in enumerate(cat.bodies)))
    rooms = {(r.transport, r.room_id): b.code for b in idx.bodies.values() for r in b.rooms}
    for b in cat.bodies:
        if b.code in idx.bodies and "rooms" in b.model_fields_set:
            for r in idx.bodies[b.code].rooms:
                if r.transport in b.rooms:
                    rooms.pop((r.transport, r.room_id), None)
    for i, b in enumerate(cat.bodies):
        for transport, room in b.rooms.items():
            taken = rooms.get((transport, room))
            if taken is not None and taken != b.code:
                errors.at(("bodies", i, "rooms", transport),
                          f"dieser Raum gehört schon zum Gremium {taken}; erlaubt: ein Raum je Gremium", room)
            rooms[(transport, room)] = b.code
        for j, m in enumerate(b.members):
            _unknown(errors, ("bodies", i, "members", j, "person"), "Person", m.person, handles)
        _duplicates(errors, "Mitglied", ((("bodies", i, "members", j, "person"), m.person)
                                         for j, m in enumerate(b.members)))


def _check_lines(cat: CatalogIn, errors: ErrorList, bodies: set[str]) -> None:
    for i, line in enumerate(cat.reporting_lines):
        _unknown(errors, ("reporting_lines", i, "from"), "Gremium", line.from_body, bodies)
        _unknown(errors, ("reporting_lines", i, "to"), "Gremium", line.to_body, bodies)
        if line.from_body == line.to_body:
            errors.at(("reporting_lines", i, "to"), "ein Gremium berichtet nicht an sich selbst; "
                      "erlaubt: ein anderes Gremium", line.to_body)
    _duplicates(errors, "Berichtslinie", ((("reporting_lines", i, "to"), (ln.from_body, ln.to_body))
                                          for i, ln in enumerate(cat.reporting_lines)))


def _check_fields(cat: CatalogIn, idx: DbIndex, errors: ErrorList, handles: set[str],
                  bodies: set[str], indicators: set[str]) -> None:
    concept = cat.concept.code if cat.concept is not None else None  # None: concept invalid
    _duplicates(errors, "Handlungsfeld", ((("fields", i, "code"), f.code) for i, f in enumerate(cat.fields)))
    _duplicates(errors, "Empfehlung", ((("fields", i, "recommendations", j, "code"), r.code)
                                       for i, f in enumerate(cat.fields)
                                       for j, r in enumerate(f.recommendations)))
    _duplicates(errors, "Maßnahme", ((("fields", i, "recommendations", j, "measures", k, "code"), m.code)
                                     for i, f in enumerate(cat.fields)
                                     for j, r in enumerate(f.recommendations)
                                     for k, m in enumerate(r.measures)))
    for i, f in enumerate(cat.fields):
        existing = idx.fields.get(f.code)
        if existing is not None and concept and existing.concept.code != concept:
            errors.at(("fields", i, "code"), f"Handlungsfeld gehört schon zum Konzept "
                      f"{existing.concept.code}; erlaubt: ein eigener Code je Konzept", f.code)
        _unknown(errors, ("fields", i, "body"), "Gremium", f.body, bodies)
        for j, r in enumerate(f.recommendations):
            _check_recommendation(errors, ("fields", i, "recommendations", j), r, idx, concept,
                                  handles, bodies, indicators)


def _check_recommendation(errors: ErrorList, loc: Loc, r: RecommendationIn, idx: DbIndex,
                          concept: str | None, handles: set[str], bodies: set[str],
                          indicators: set[str]) -> None:
    existing = idx.recommendations.get(r.code)
    if existing is not None and concept and existing.field.concept.code != concept:
        errors.at((*loc, "code"), f"Empfehlung gehört schon zum Konzept {existing.field.concept.code}; "
                  "erlaubt: ein eigener Code je Konzept", r.code)
    _unknown(errors, (*loc, "body"), "Gremium", r.body, bodies)
    _unknown(errors, (*loc, "owner"), "Person", r.owner, handles)
    for k, code in enumerate(r.indicators):
        _unknown(errors, (*loc, "indicators", k), "Kennziffer", code, indicators)
    _duplicates(errors, "Kennziffer", (((*loc, "indicators", k), c) for k, c in enumerate(r.indicators)))
    _duplicates(errors, "Zielgröße", (((*loc, "metrics", k, "name"), m.name)
                                      for k, m in enumerate(r.metrics)))
    for k, m in enumerate(r.measures):
        _unknown(errors, (*loc, "measures", k, "owner"), "Person", m.owner, handles)
        _order(errors, (*loc, "measures", k, "end"), m.start, m.end)
        moved = idx.measures.get(m.code)
        if moved is not None and concept and moved.recommendation.field.concept.code != concept:
            errors.at((*loc, "measures", k, "code"), "Maßnahme gehört schon zu einem anderen Konzept; "
                      "erlaubt: ein eigener Code je Konzept", m.code)
