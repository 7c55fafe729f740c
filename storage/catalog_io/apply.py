"""Upserts of a validated catalog by natural keys.

Rule for every entry: a key missing from the file means "default" for a new row and
"unchanged" for an existing one. Attributes are only assigned when the value differs,
so a second import of the same file issues no UPDATE and leaves updated_at alone.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from ..models import (Absence, Body, BodyRoom, Concept, Field, Identity, Indicator, IndicatorValue,
                      Measure, Membership, Person, Recommendation, ReportingLine, TargetMetric, utcnow)
from ..uow import UnitOfWork
from .index import DbIndex
from .report import ImportReport, Progress
from .schema import (BodyIn, CatalogIn, ConceptIn, FieldIn, IndicatorIn, MeasureIn, MetricIn,
                     PersonIn,
                     RecommendationIn, ReportingLineIn)


def given(model: BaseModel, new: bool, exclude: Iterable[str] = ()) -> dict[str, Any]:
    """The attributes to write: all (with defaults) for new rows, only those in the file otherwise."""
    names = type(model).model_fields if new else model.model_fields_set
    return {n: getattr(model, n) for n in names if n not in set(exclude)}


def label(value: object) -> object:
    """Readable history values: codes and handles instead of objects."""
    if isinstance(value, Person):
        return value.handle
    if isinstance(value, (Body, Field, Indicator)):
        return value.code
    if isinstance(value, (list, set, tuple)):
        return ", ".join(sorted(str(label(v)) for v in value))
    return value


def same(old: object, new: object) -> bool:
    if isinstance(old, (Person, Body, Field)) or isinstance(new, (Person, Body, Field)):
        return old is new
    return old == new  # Decimal('8.1000') == Decimal('8.1'); enums compare by value


class Writer:
    """Applies entries and counts what it did; never queries, never commits."""

    def __init__(self, uow: UnitOfWork, idx: DbIndex, report: ImportReport,
                 actor: Person | None, bar: Progress) -> None:
        self.uow, self.idx, self.report, self.actor, self.bar = uow, idx, report, actor, bar
        self.session: Session = uow.session

    # generic ---------------------------------------------------------------
    def sync(self, obj: Any, kind: str, values: dict[str, Any], *, history: bool = False) -> set[str]:
        changed: set[str] = set()
        for attr, new in values.items():
            old = getattr(obj, attr)
            if same(old, new):
                continue
            setattr(obj, attr, new)
            changed.add(attr)
            if history:
                self.uow.catalog.record_change(obj, attr, label(old), label(new), self.actor, source="import")
                self.report.changes += 1
        if changed:
            self.report.updated_by[kind] += 1
        return changed

    def create(self, cls: type, entity: str, /, **values: Any) -> Any:
        obj = cls(**values)
        self.session.add(obj)
        self.report.created_by[entity] += 1
        return obj

    # catalog ---------------------------------------------------------------
    def catalog(self, cat: CatalogIn) -> None:
        assert cat.concept is not None, "a catalog is applied only without errors, so with its concept"
        concept = self.concept(cat.concept)
        for person in cat.people:
            self.person(person)
        for body in cat.bodies:
            self.body(body)
        for line in cat.reporting_lines:
            self.line(line)
        for indicator in cat.indicators:
            self.indicator(indicator)
        for position, field in enumerate(cat.fields):
            self.field(concept, position, field)

    def concept(self, c: ConceptIn) -> Concept:
        obj = self.idx.concepts.get(c.code)
        values = given(c, obj is None, exclude={"levels"})
        if obj is None or "levels" in c.model_fields_set:
            levels = dict(obj.levels) if obj is not None else {}
            levels.update(given(c.levels, obj is None))
            values["levels"] = levels
        if obj is None:
            obj = self.idx.concepts[c.code] = self.create(Concept, "concept", **values)
        else:
            self.sync(obj, "concept", values)
        self.bar.update()
        return obj

    def person(self, p: PersonIn) -> None:
        obj = self.idx.people.get(p.handle)
        values = given(p, obj is None, exclude={"identities", "absences"})
        if obj is None:
            obj = self.idx.people[p.handle] = self.create(Person, "person", **values)
            if p.publication_consent:
                obj.consent_changed_at = utcnow()
        elif "publication_consent" in self.sync(obj, "person", values):
            obj.consent_changed_at = utcnow()  # GDPR: when consent was given or withdrawn
        for transport, external_id in p.identities.items():
            ident = next((i for i in obj.identities if i.transport == transport), None)
            if ident is None:
                obj.identities.append(self.create(Identity, "identity", transport=transport,
                                                  external_id=external_id))
            else:
                self.sync(ident, "identity", {"external_id": external_id})
        for a in p.absences:
            old = next((x for x in obj.absences if (x.start, x.end) == (a.start, a.end)), None)
            if old is None:
                obj.absences.append(self.create(Absence, "absence", start=a.start, end=a.end, note=a.note))
            elif "note" in a.model_fields_set:
                self.sync(old, "absence", {"note": a.note})
        self.bar.update()

    def body(self, b: BodyIn) -> None:
        obj = self.idx.bodies.get(b.code)
        new = obj is None
        values = given(b, new, exclude={"cadence", "rooms", "members"})
        if new or "cadence" in b.model_fields_set:
            cadence = given(b.cadence, new)
            values.update({f"cadence_{k}": v for k, v in cadence.items()})
        if obj is None:
            obj = self.idx.bodies[b.code] = self.create(Body, "body", **values)
        else:
            self.sync(obj, "body", values)
        for transport, room_id in b.rooms.items():
            room = next((r for r in obj.rooms if r.transport == transport), None)
            if room is None:
                obj.rooms.append(self.create(BodyRoom, "room", transport=transport, room_id=room_id))
            else:
                self.sync(room, "room", {"room_id": room_id})
        if new or "members" in b.model_fields_set:
            self.members(obj, b)
        self.bar.update()

    def members(self, body: Body, b: BodyIn) -> None:
        """The file's member list is complete for a body it lists members for."""
        wanted = {m.person for m in b.members}
        for membership in list(body.memberships):
            if membership.person.handle not in wanted:
                body.memberships.remove(membership)  # delete-orphan removes the row
                self.report.removed_by["membership"] += 1
        for m in b.members:
            person = self.idx.people[m.person]
            old = next((x for x in body.memberships if x.person is person), None)
            if old is None:
                body.memberships.append(self.create(Membership, "membership", person=person,
                                                    role=m.role, organisation=m.organisation))
            else:
                self.sync(old, "membership", given(m, False, exclude={"person"}))

    def line(self, ln: ReportingLineIn) -> None:
        obj = self.idx.lines.get((ln.from_body, ln.to_body))
        values = given(ln, obj is None, exclude={"from_body", "to_body"})
        if obj is None:
            self.idx.lines[(ln.from_body, ln.to_body)] = self.create(
                ReportingLine, "reporting_line", from_body=self.idx.bodies[ln.from_body],
                to_body=self.idx.bodies[ln.to_body], **values)
        else:
            self.sync(obj, "reporting_line", values)
        self.bar.update()

    def indicator(self, ind: IndicatorIn) -> None:
        obj = self.idx.indicators.get(ind.code)
        values = given(ind, obj is None, exclude={"values"})
        if obj is None:
            obj = self.idx.indicators[ind.code] = self.create(Indicator, "indicator", **values)
        else:
            self.sync(obj, "indicator", values)
        existing = {(v.period, v.gender, v.district): v for v in obj.values}
        for val in ind.values:
            old = existing.get((val.period, val.gender, val.district))
            if old is None:
                obj.values.append(self.create(IndicatorValue, "indicator_value", period=val.period,
                                              gender=val.gender, district=val.district, value=val.value))
            else:
                self.sync(old, "indicator_value", {"value": val.value})
        self.bar.update()

    def field(self, concept: Concept, position: int, f: FieldIn) -> None:
        obj = self.idx.fields.get(f.code)
        values = given(f, obj is None, exclude={"body", "recommendations"})
        values.update(concept=concept, position=position)
        if obj is None or "body" in f.model_fields_set:
            values["body"] = self.idx.bodies[f.body] if f.body else None
        if obj is None:
            obj = self.idx.fields[f.code] = self.create(Field, "field", **values)
        else:
            self.sync(obj, "field", values)
        self.bar.update()
        for entry in f.recommendations:
            self.recommendation(obj, entry)

    def recommendation(self, field: Field, r: RecommendationIn) -> None:
        obj = self.idx.recommendations.get(r.code)
        new = obj is None
        values = given(r, new, exclude={"body", "owner", "indicators", "metrics", "measures"})
        values["field"] = field
        if new or "body" in r.model_fields_set:
            # Not given: the field's body; an explicit `body: null`: no body at all.
            default = None if "body" in r.model_fields_set else field.body
            values["body"] = self.idx.bodies[r.body] if r.body else default
        if new or "owner" in r.model_fields_set:
            values["owner"] = self.idx.people[r.owner] if r.owner else None
        changed: set[str] = set()
        if obj is None:
            obj = self.idx.recommendations[r.code] = self.create(Recommendation, "recommendation", **values)
        else:
            changed = self.sync(obj, "recommendation", values, history=True)
        if new or "indicators" in r.model_fields_set:
            wanted = [self.idx.indicators[c] for c in r.indicators]
            if {i.code for i in obj.indicators} != set(r.indicators):
                if not new:
                    self.uow.catalog.record_change(obj, "indicators", label(obj.indicators), label(wanted),
                                                   self.actor, source="import")
                    self.report.changes += 1
                    if not changed:
                        self.report.updated_by["recommendation"] += 1
                obj.indicators = wanted
        for position, metric in enumerate(r.metrics):
            self.metric(obj, position, metric)
        for measure in r.measures:
            self.measure(obj, measure)
        self.bar.update()

    def metric(self, rec: Recommendation, position: int, m: MetricIn) -> None:
        old = next((x for x in rec.metrics if x.name == m.name), None)
        values = given(m, old is None)
        values["position"] = position
        if old is None:
            rec.metrics.append(self.create(TargetMetric, "metric", **values))
        else:
            self.sync(old, "metric", values)

    def measure(self, rec: Recommendation, m: MeasureIn) -> None:
        obj = self.idx.measures.get(m.code)
        values = given(m, obj is None, exclude={"owner"})
        values["recommendation"] = rec
        if obj is None or "owner" in m.model_fields_set:
            values["owner"] = self.idx.people[m.owner] if m.owner else None
        if obj is None:
            self.idx.measures[m.code] = self.create(Measure, "measure", **values)
        else:
            self.sync(obj, "measure", values)
