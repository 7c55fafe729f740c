"""OParl 1.1 (https://oparl.org): the bodies as organizations, their meetings and public agenda
items, and people with their memberships — people only with their recorded consent.

The city is the one OParl Body; each Gremium is an Organization. External lists are paged
(`data`, `pagination`, `links`) and filter by `created_since|until`, `modified_since|until`;
with `modified_since`, people who withdrew their consent are reported as `deleted: true`.
"""
from __future__ import annotations

import math
import re
import weakref
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bot.meetings.agenda import public as public_agenda
from storage.models import Body, Meeting, Membership, Person

from . import oparl_papers
from .oparl_common import SCHEMA, iso as _iso

if TYPE_CHECKING:
    from storage.uow import UnitOfWork

PAGE_SIZE = 20
DEFAULT_LICENCE = "https://www.govdata.de/dl-de/zero-2-0"  # Datenlizenz Deutschland – Zero (web.open_data_license)
FILTERS = ("created_since", "created_until", "modified_since", "modified_until")
KIND_NAMES = {"office": "Geschäftsstelle", "expert_group": "Expertengruppe", "steering_group": "Steuerungsgruppe",
              "advisory_board": "Beirat", "council": "Rat", "working_group": "Arbeitskreis",
              "conference": "Konferenz", "subgroup": "Unterarbeitsgruppe"}


class BadFilter(ValueError):
    """A filter value that is not an ISO 8601 date-time."""


class OParl:
    """`created`: when the concept was set up (the System and the city's Body); `license`: of every
    object, the configured open-data licence (web.open_data_license)."""

    def __init__(self, base: str, city: str, concept_title: str, *, created: datetime | None = None,
                 licence: str = DEFAULT_LICENCE) -> None:
        self.root = base.rstrip("/") + "/oparl/v1.1/"
        self.body_id = self.root + "body/1"
        self.city, self.concept_title = city, concept_title
        self.created, self.licence = created, licence

    def _stamps(self, created: datetime | None, modified: datetime | None) -> dict[str, str]:
        created = created or self.created or modified
        if created is None:
            raise ValueError("an OParl object needs a creation time")
        return {"license": self.licence, "created": _iso(created), "modified": _iso(modified or created)}

    # -- objects -----------------------------------------------------------------------------
    def system(self, modified: datetime | None) -> dict[str, Any]:
        return {"id": self.root, "type": SCHEMA + "System", "oparlVersion": "https://schema.oparl.org/1.1/",
                "name": f"Sachstand – {self.concept_title}", "body": self.root + "body",
                **self._stamps(self.created, modified)}

    def body(self, modified: datetime | None) -> dict[str, Any]:
        return {"id": self.body_id, "type": SCHEMA + "Body", "system": self.root,
                "name": self.city or self.concept_title, "shortName": self.city or None,
                "organization": self.body_id + "/organization", "person": self.body_id + "/person",
                "meeting": self.body_id + "/meeting", "paper": self.body_id + "/paper",
                "membership": self.body_id + "/membership", "agendaItem": self.body_id + "/agendaItem",
                "legislativeTerm": [], **self._stamps(self.created, modified)}

    def organization(self, body: Body, consented: set[int]) -> dict[str, Any]:
        return {"id": f"{self.root}organization/{body.code}", "type": SCHEMA + "Organization",
                "body": self.body_id, "name": body.name, "shortName": body.code,
                "organizationType": "Gremium", "classification": KIND_NAMES.get(body.kind.value, body.kind.value),
                "membership": [self._membership_id(m) for m in body.memberships if m.person_id in consented],
                **self._stamps(body.created_at, body.updated_at)}

    def meeting(self, meeting: Meeting) -> dict[str, Any]:
        agenda = public_agenda(meeting)
        return {"id": f"{self.root}meeting/{meeting.id}", "type": SCHEMA + "Meeting", "name": meeting.title,
                "start": _iso(meeting.starts_at), "end": _iso(meeting.ends_at),
                "meetingState": {"planned": "geplant", "invited": "eingeladen", "held": "durchgeführt",
                                 "cancelled": "abgesagt"}.get(meeting.state, meeting.state),
                "cancelled": meeting.state == "cancelled",
                "organization": [f"{self.root}organization/{meeting.body.code}"],
                "agendaItem": [self.agenda_item(meeting, a) for a in agenda],
                **self._stamps(meeting.created_at, meeting.updated_at)}

    def agenda_item(self, meeting: Meeting, item: Any) -> dict[str, Any]:
        """`number` is the TOP as every output names it; `order` its place in the whole agenda
        (internal items included), so neither renumbers what the invitation said (F1)."""
        out = {"id": f"{self.root}agendaItem/{item.id}", "type": SCHEMA + "AgendaItem",
               "meeting": f"{self.root}meeting/{meeting.id}", "number": str(item.number), "order": item.position,
               "name": item.title, "public": True, **self._stamps(item.created_at, item.updated_at)}
        if meeting.state == "held" and meeting.minutes_approved_at is not None and item.result:
            # the minutes' free text is OParl's resolutionText (`result` is a category); public only once approved
            out["resolutionText"] = item.result
        return out

    def person(self, person: Person) -> dict[str, Any]:
        return {"id": f"{self.root}person/{person.id}", "type": SCHEMA + "Person", "body": self.body_id,
                "name": person.name, "membership": [self.membership(m) for m in person_memberships(person)],
                **self._stamps(person.created_at, person.updated_at)}

    def withdrawn(self, person: Person) -> dict[str, Any]:
        return {"id": f"{self.root}person/{person.id}", "type": SCHEMA + "Person", "deleted": True,
                # a deleted object keeps only id, type, deleted, created and modified (OParl 1.1, 2.6)
                "created": _iso(person.created_at), "modified": _iso(person.consent_changed_at or person.updated_at)}

    def membership(self, m: Membership) -> dict[str, Any]:
        return {"id": self._membership_id(m), "type": SCHEMA + "Membership",
                "person": f"{self.root}person/{m.person_id}",
                "organization": f"{self.root}organization/{m.body.code}",
                "role": "Vorsitz" if m.role.value == "chair" else "Mitglied",
                **self._stamps(m.person.created_at, m.person.updated_at)}

    def _membership_id(self, m: Membership) -> str:
        return f"{self.root}membership/{m.id}"

    # -- lists ---------------------------------------------------------------------------------
    def page(self, url: str, objects: list[tuple[datetime | None, datetime | None, Callable[[], dict[str, Any]]]],
             query: dict[str, str]) -> dict[str, Any]:
        """One page of an external list, after the created/modified filters."""
        bounds = {key: _parse(query[key]) for key in FILTERS if query.get(key)}
        kept = [make for created, modified, make in objects if _within(created, modified, bounds)]
        total = len(kept)
        pages = max(1, math.ceil(total / PAGE_SIZE))
        current = min(max(1, _int(query.get("page"), 1)), pages)
        data = [make() for make in kept[(current - 1) * PAGE_SIZE: current * PAGE_SIZE]]
        keep = {k: v for k, v in query.items() if k in FILTERS and v}

        def link(n: int) -> str:
            return url + "?" + urlencode({**keep, "page": n})

        links = {"first": link(1), "last": link(pages)}
        if current > 1:
            links["prev"] = link(current - 1)
        if current < pages:
            links["next"] = link(current + 1)
        return {"data": data, "pagination": {"totalElements": total, "elementsPerPage": PAGE_SIZE,
                                             "currentPage": current, "totalPages": pages}, "links": links}


# each consenting person's memberships, as consenting() loaded them (for as long as the person is loaded)
_MEMBERSHIPS: weakref.WeakKeyDictionary[Person, list[Membership]] = weakref.WeakKeyDictionary()


def person_memberships(person: Person) -> list[Membership]:
    return list(_MEMBERSHIPS.get(person, []))


def consenting(uow: UnitOfWork) -> list[Person]:
    people = uow.session.scalars(select(Person).where(Person.publication_consent.is_(True),
                                                      Person.anonymized_at.is_(None))).all()
    memberships = uow.session.scalars(select(Membership).options(selectinload(Membership.body))).all()
    for person in people:
        _MEMBERSHIPS[person] = [m for m in memberships if m.person_id == person.id]
    return list(people)


def withdrawn(uow: UnitOfWork) -> list[Person]:
    """People who once consented and withdrew it (reported as deleted)."""
    return list(uow.session.scalars(select(Person).where(Person.publication_consent.is_(False),
                                                         Person.consent_changed_at.is_not(None))).all())


def _parse(value: str) -> datetime:
    try:
        # an unencoded "+" of the offset arrives as a space: "…T10:00:00 01:00"
        fixed = re.sub(r"(\d) (\d{2}:?\d{2})$", r"\1+\2", value.strip()).replace("Z", "+00:00")
        moment = datetime.fromisoformat(fixed)
    except ValueError:
        raise BadFilter(value) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _aware(moment: datetime | None) -> datetime:
    moment = moment or datetime(2000, 1, 1, tzinfo=timezone.utc)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _within(created: datetime | None, modified: datetime | None, bounds: dict[str, datetime]) -> bool:
    c, m = _aware(created), _aware(modified)
    checks = {"created_since": c >= bounds.get("created_since", c), "created_until": c <= bounds.get("created_until", c),
              "modified_since": m >= bounds.get("modified_since", m), "modified_until": m <= bounds.get("modified_until", m)}
    return all(checks.values())


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


class Resolver:
    """Path (below /oparl/v1.1/) and query → a JSON document, or None for "not found"."""

    def __init__(self, api: OParl, uow: UnitOfWork, modified: datetime) -> None:
        self.api, self.uow, self.modified = api, uow, modified

    def resolve(self, path: str, query: dict[str, str]) -> dict[str, Any] | None:
        parts = [p for p in path.split("/") if p]
        if not parts:
            return self.api.system(self.modified)
        if parts == ["body"]:
            return self.api.page(self.api.root + "body", [(None, self.modified, lambda: self.api.body(self.modified))], query)
        if parts == ["body", "1"]:
            return self.api.body(self.modified)
        if len(parts) == 3 and parts[:2] == ["body", "1"]:
            lister = getattr(self, f"_list_{parts[2]}", None)
            return self.api.page(f"{self.api.body_id}/{parts[2]}", lister(query), query) if lister else None
        if len(parts) == 2:
            getter = getattr(self, f"_get_{parts[0]}", None)
            return getter(parts[1]) if getter else None
        return None

    # lists: (created, modified, make) per object, in a stable order
    def _list_organization(self, query: dict[str, str]) -> list[Any]:
        consented = {p.id for p in consenting(self.uow)}
        return [(b.created_at, b.updated_at, lambda b=b: self.api.organization(b, consented))
                for b in self.uow.bodies.all()]

    def _list_meeting(self, query: dict[str, str]) -> list[Any]:
        return [(m.created_at, m.updated_at, lambda m=m: self.api.meeting(m)) for m in _meetings(self.uow)]

    def _list_agendaItem(self, query: dict[str, str]) -> list[Any]:  # noqa: N802 - OParl's name
        return [(a.created_at, a.updated_at, lambda m=m, a=a: self.api.agenda_item(m, a))
                for m in _meetings(self.uow) for a in public_agenda(m)]

    def _list_person(self, query: dict[str, str]) -> list[Any]:
        people: list[tuple[datetime, datetime | None, Callable[..., dict[str, Any]]]] = [
            (p.created_at, p.updated_at, lambda p=p: self.api.person(p)) for p in consenting(self.uow)]
        if query.get("modified_since"):
            people += [(p.created_at, p.consent_changed_at, lambda p=p: self.api.withdrawn(p))
                       for p in withdrawn(self.uow)]
        return people

    def _list_membership(self, query: dict[str, str]) -> list[Any]:
        return [(p.created_at, p.updated_at, lambda m=m: self.api.membership(m))
                for p in consenting(self.uow) for m in person_memberships(p)]

    # the delivered reports a coordinator released: bot/public/oparl_papers.py
    def _list_paper(self, query: dict[str, str]) -> list[Any]:
        return oparl_papers.listing(self.api, self.uow)

    def _get_paper(self, ident: str) -> dict[str, Any] | None:
        return oparl_papers.get_paper(self.api, self.uow, ident)

    def _get_file(self, ident: str) -> dict[str, Any] | None:
        return oparl_papers.get_file(self.api, self.uow, ident)

    def _get_consultation(self, ident: str) -> dict[str, Any] | None:
        return oparl_papers.get_consultation(self.api, self.uow, ident)

    def _list_legislativeTerm(self, query: dict[str, str]) -> list[Any]:  # noqa: N802
        return []

    # single objects
    def _get_organization(self, code: str) -> dict[str, Any] | None:
        body = self.uow.bodies.by_code(code)
        return self.api.organization(body, {p.id for p in consenting(self.uow)}) if body else None

    def _get_meeting(self, ident: str) -> dict[str, Any] | None:
        meeting = next((m for m in _meetings(self.uow) if str(m.id) == ident), None)
        return self.api.meeting(meeting) if meeting else None

    def _get_agendaItem(self, ident: str) -> dict[str, Any] | None:  # noqa: N802
        for m in _meetings(self.uow):
            for a in public_agenda(m):
                if str(a.id) == ident:
                    return self.api.agenda_item(m, a)
        return None

    def _get_person(self, ident: str) -> dict[str, Any] | None:
        person = next((p for p in consenting(self.uow) if str(p.id) == ident), None)
        return self.api.person(person) if person else None

    def _get_membership(self, ident: str) -> dict[str, Any] | None:
        for person in consenting(self.uow):
            for m in person_memberships(person):
                if str(m.id) == ident:
                    return self.api.membership(m)
        return None


def _meetings(uow: UnitOfWork) -> list[Meeting]:
    """Meetings the public may know of (cancelled ones stay listed as cancelled)."""
    return list(uow.session.scalars(select(Meeting).order_by(Meeting.starts_at, Meeting.id)
                                    .options(selectinload(Meeting.agenda), selectinload(Meeting.body))).all())
