"""What the bot holds about a person, section by section: each section exports it and erases it.

`person export` runs every section's `export`; `person löschen` every section's `erase`. The core
sections are below. Other modules plug in their own without touching this file's logic:

    HOOK — modules listed in PLUGINS that define `export_for(uow, person)` (→ JSON-able) and
    `erase_for(uow, person)` (→ number of rows changed) become a section named after the module's
    package. `bot.questions.service` (public questions, branch `questions`) is listed already: once
    that module exists, its data is exported and erased with everything else.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any

from sqlalchemy import String, cast, inspect, or_, select

from storage.models import (AgendaItem, AuditEntry, Change, ConversationState, Measure, MetricValue,
                            Person, PollVote, Recommendation, Release, Round, Rsvp, StatusUpdate,
                            Subscription)

if TYPE_CHECKING:
    from storage.uow import UnitOfWork

PLUGINS = ("bot.questions.service", "bot.meetings.privacy")  # HOOK: modules with export_for / erase_for


@dataclass(frozen=True)
class Section:
    name: str
    export: Callable[[UnitOfWork, Person], Any]
    erase: Callable[[UnitOfWork, Person], int] | None = None  # None: the core eraser handles it


def row(obj: object, *, without: tuple[str, ...] = ()) -> dict[str, Any]:
    """A model row as JSON-able values (dates ISO 8601, enums by value)."""
    return {c.key: jsonable(getattr(obj, c.key)) for c in inspect(obj).mapper.column_attrs
            if c.key not in without}


def jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def dm_channels(person: Person) -> set[tuple[str, str]]:
    """The person's direct-message channels (subscriptions there are theirs)."""
    known = {(i.transport, i.dm_channel) for i in person.identities if i.dm_channel}
    return known | {(i.transport, f"dm:{i.external_id}") for i in person.identities}


def _all(uow: UnitOfWork, stmt: Any) -> list[dict[str, Any]]:
    return [row(obj) for obj in uow.session.scalars(stmt).all()]


def _person(uow: UnitOfWork, p: Person) -> dict[str, Any]:
    return row(p)


def _identities(uow: UnitOfWork, p: Person) -> list[dict[str, Any]]:
    return [row(i, without=("person_id",)) for i in p.identities]


def _memberships(uow: UnitOfWork, p: Person) -> list[dict[str, Any]]:
    return [{**row(m, without=("person_id",)), "body": m.body.code} for m in uow.people.memberships(p)]


def _roles(uow: UnitOfWork, p: Person) -> list[dict[str, Any]]:
    return [row(g, without=("person_id",)) for g in p.roles]


def _settings(uow: UnitOfWork, p: Person) -> dict[str, Any]:
    return {"locale": p.locale, "timezone": p.timezone, "publication_consent": p.publication_consent,
            "consent_changed_at": jsonable(p.consent_changed_at)}


def _absences(uow: UnitOfWork, p: Person) -> list[dict[str, Any]]:
    return [row(a, without=("person_id",)) for a in p.absences]


def _status_updates(uow: UnitOfWork, p: Person) -> list[dict[str, Any]]:
    stmt = (select(StatusUpdate).where(or_(StatusUpdate.author_id == p.id, StatusUpdate.asked_id == p.id,
                                           StatusUpdate.delegated_to_id == p.id)).order_by(StatusUpdate.id))
    return [{**row(u), "recommendation": u.recommendation.code} for u in uow.session.scalars(stmt).all()]


def _history(uow: UnitOfWork, p: Person) -> list[dict[str, Any]]:
    stmt = select(Change).where(Change.actor_id == p.id).order_by(Change.id)
    return _all(uow, stmt)


def _rsvps(uow: UnitOfWork, p: Person) -> list[dict[str, Any]]:
    return _all(uow, select(Rsvp).where(Rsvp.person_id == p.id).order_by(Rsvp.id))


def _votes(uow: UnitOfWork, p: Person) -> list[dict[str, Any]]:
    return _all(uow, select(PollVote).where(PollVote.person_id == p.id).order_by(PollVote.id))


def _agenda(uow: UnitOfWork, p: Person) -> list[dict[str, Any]]:
    return _all(uow, select(AgendaItem).where(AgendaItem.proposed_by_id == p.id).order_by(AgendaItem.id))


def _conversations(uow: UnitOfWork, p: Person) -> list[dict[str, Any]]:
    return _all(uow, select(ConversationState).where(ConversationState.person_id == p.id)
                .order_by(ConversationState.id))


def _subscriptions(uow: UnitOfWork, p: Person) -> list[dict[str, Any]]:
    subs = uow.session.scalars(select(Subscription).order_by(Subscription.id)).all()
    mine = dm_channels(p)
    return [row(s) for s in subs if s.created_by_id == p.id or (s.transport, s.channel_id) in mine]


def _audit(uow: UnitOfWork, p: Person) -> list[dict[str, Any]]:
    stmt = select(AuditEntry).where(or_(AuditEntry.actor_id == p.id, AuditEntry.entity_ref == p.handle,
                                        cast(AuditEntry.details, String).contains(f'"{p.handle}"')))
    return _all(uow, stmt.order_by(AuditEntry.id))


def _responsibilities(uow: UnitOfWork, p: Person) -> dict[str, Any]:
    recs = uow.session.scalars(select(Recommendation).where(Recommendation.owner_id == p.id)).all()
    measures = uow.session.scalars(select(Measure).where(Measure.owner_id == p.id)).all()
    return {"recommendations": sorted(r.code for r in recs), "measures": sorted(m.code for m in measures),
            "metric_values_reported": _all(uow, select(MetricValue).where(MetricValue.reported_by_id == p.id)),
            "releases_decided": [r.id for r in uow.session.scalars(
                select(Release).where(Release.decided_by_id == p.id)).all()],
            "rounds_opened": [r.id for r in uow.session.scalars(select(Round).where(Round.opened_by_id == p.id)).all()]}


CORE = (
    Section("person", _person), Section("identities", _identities), Section("memberships", _memberships),
    Section("roles", _roles), Section("settings", _settings), Section("absences", _absences),
    Section("status_updates", _status_updates), Section("history", _history), Section("rsvps", _rsvps),
    Section("poll_votes", _votes), Section("agenda_proposals", _agenda), Section("conversations", _conversations),
    Section("subscriptions", _subscriptions), Section("audit", _audit), Section("responsibilities", _responsibilities),
)


def plugged() -> list[Section]:
    """Sections of optional modules (PLUGINS) that exist in this installation."""
    found = []
    for name in PLUGINS:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        export, erase = getattr(module, "export_for", None), getattr(module, "erase_for", None)
        if export is not None:
            found.append(Section(name.split(".")[1], export, erase))
    return found


def sections() -> list[Section]:
    return [*CORE, *plugged()]
