"""GDPR: export everything about a person, erase it (history keeps an anonymous author), consent,
and the retention period of free-text answers."""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Result, String, cast, delete, or_, select, update

from storage.db import rowcount
from storage.models import (Absence, AgendaItem, AuditEntry, Change, ConversationState, Identity, Measure,
                            Membership, OutboxMessage, Person, PollVote, Recommendation, RoleGrant, Round, Rsvp,
                            StatusUpdate, Subscription)

from .sections import dm_channels, jsonable, sections

if TYPE_CHECKING:
    from storage.uow import UnitOfWork

ANONYMOUS = "ehemaliges Mitglied"  # the author shown in history after an erasure
FREE_TEXTS = ("happened", "next_steps", "blockers")  # never public; public_summary is released separately


def label(person: Person) -> str:
    """A stable anonymous handle: unique, and says nothing about who it was."""
    return f"ehemalig-{person.id}"


def export(uow: UnitOfWork, person: Person, now: datetime) -> tuple[bytes, dict[str, int]]:
    """All data about a person as a JSON document, and how many entries each section has."""
    data: dict[str, Any] = {"exported_at": now.isoformat(), "format": "sachstand-person-export/1"}
    counts: dict[str, int] = {}
    for section in sections():
        value = section.export(uow, person)
        data[section.name] = jsonable(value)
        counts[section.name] = len(value) if isinstance(value, (list, tuple)) else 1
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False).encode(), counts


def erase(uow: UnitOfWork, person: Person, now: datetime) -> dict[str, int]:
    """Erase or anonymise a person; returns rows changed per kind. The caller audits it.

    Removed: identities and contact, memberships, role grants, absences, RSVPs and votes, their
    conversations and the subscriptions of their direct messages, consent. Kept, with an anonymous
    author: their answers and history entries (the history of a recommendation must stay whole),
    and released public content (it never carried a name). Their responsibilities become vacant."""
    s = uow.session
    old_handle, anon = person.handle, label(person)
    channels = dm_channels(person)
    # what identifies them in free-form audit details: handle, name, accounts, their DM channels
    needles = {old_handle, person.name, *(i.external_id for i in person.identities),
               *(f"{i.transport}:{i.external_id}" for i in person.identities),  # "console:boese" (sec2 F6)
               *(c for _, c in channels)}
    done: dict[str, int] = {}

    def count(key: str, result: Result[Any]) -> None:
        done[key] = done.get(key, 0) + rowcount(result)

    for section in sections():  # modules plugged in (sections.py: PLUGINS) see the person as it was
        if section.erase is not None:
            done[section.name] = section.erase(uow, person)
    accounts = {(i.transport, i.external_id) for i in person.identities}
    outbox = s.scalars(select(OutboxMessage).where(OutboxMessage.channel_id.in_({c for _, c in channels} | {""}))).all()
    mail = [m for m in outbox if (m.transport, m.channel_id) in channels
            or (m.transport, (m.payload or {}).get("to_person")) in accounts]
    for message in mail:  # what was (or would be) sent to them, texts and files included
        s.delete(message)
    done["outbox"] = len(mail)
    done["outbox_scrubbed"] = _scrub_outbox(s, {m.id for m in mail}, (needles - {old_handle})
                                           | {person.email or "", "@" + old_handle}, anon)
    subs = [sub for sub in s.scalars(select(Subscription)).all() if (sub.transport, sub.channel_id) in channels]
    for sub in subs:
        s.delete(sub)
    done["subscriptions"] = len(subs)
    count("subscriptions_created", s.execute(update(Subscription).where(Subscription.created_by_id == person.id)
                                             .values(created_by_id=None)))
    for model in (ConversationState, Membership, Rsvp, PollVote, Absence, RoleGrant, Identity):
        count(model.__tablename__, s.execute(delete(model).where(model.person_id == person.id)))
    for owned in (Recommendation, Measure):
        count(f"{owned.__tablename__}_owned", s.execute(update(owned).where(owned.owner_id == person.id)
                                                        .values(owner_id=None)))
    # history and audit keep the entry; values that were this person's handle now name no one
    for column in (Change.old, Change.new):
        count("history", s.execute(update(Change).where(column == old_handle).values({column.key: anon})))
    for entry in s.scalars(select(AuditEntry).where(or_(AuditEntry.actor_id == person.id,
                                                        AuditEntry.actor_label == old_handle,
                                                        AuditEntry.entity_ref == old_handle,
                                                        AuditEntry.entity == "person",
                                                        *(cast(AuditEntry.details, String).contains(n)
                                                          for n in needles if len(n) >= 3)))).all():
        entry.actor_label = anon if entry.actor_label == old_handle else entry.actor_label
        entry.entity_ref = anon if entry.entity_ref == old_handle else entry.entity_ref
        entry.details = _replace(entry.details, needles, anon)
        done["audit"] = done.get("audit", 0) + 1
    done["status_updates_kept"] = len(s.scalars(select(StatusUpdate.id).where(
        StatusUpdate.author_id == person.id)).all())
    done["agenda_items_kept"] = len(s.scalars(select(AgendaItem.id).where(
        AgendaItem.proposed_by_id == person.id)).all())
    if person.publication_consent or person.consent_changed_at is not None:
        person.consent_changed_at = now  # OParl reports a person who was public as deleted
    person.publication_consent = False
    person.handle, person.name, person.email = anon, ANONYMOUS, None
    person.locale = person.timezone = None
    person.anonymized_at = now
    s.expire(person, ["identities", "absences", "roles"])
    return done


def _scrub_outbox(s: Any, deleted: set[int], needles: set[str], anon: str) -> int:
    """The messages the outbox keeps for others (a room's notice, the office's review) name the
    person no more: every rendering (plain, HTML- and mrkdwn-escaped) of a needle is replaced;
    a delivered row also drops its files (they are not sent again). Read in Python: the JSON
    column may store names \\u-escaped, which SQL could not find."""
    from markupsafe import escape

    from bot.rendering import mrkdwn_escape

    variants = {v for n in needles if len(n) >= 3 for v in (n, str(escape(n)), mrkdwn_escape(n))}
    pattern = re.compile("|".join(re.escape(v) for v in sorted(variants, key=len, reverse=True)))
    changed = 0
    for row in s.scalars(select(OutboxMessage)).all():
        if row.id in deleted or not variants:
            continue
        payload = row.payload or {}
        texts = {k: pattern.sub(anon, v) if isinstance(v, str) else v for k, v in payload.get("texts", {}).items()}
        choices = [[pattern.sub(anon, str(part)) for part in c] for c in payload.get("choices", [])]
        files = [] if row.state == "sent" else payload.get("attachments", [])
        if texts != payload.get("texts", {}) or choices != payload.get("choices", []) \
                or files != payload.get("attachments", []):
            row.payload = {**payload, "texts": texts, "choices": choices, "attachments": files}
            changed += 1
    return changed


def _replace(value: Any, needles: set[str], anon: str) -> Any:
    if isinstance(value, str):
        return anon if value in needles else value
    if isinstance(value, dict):
        return {k: _replace(v, needles, anon) for k, v in value.items()}
    if isinstance(value, list):
        return [_replace(v, needles, anon) for v in value]
    return value


def set_consent(person: Person, consent: bool, now: datetime) -> bool:
    """Give or withdraw publication consent; True if it changed. Public outputs follow at once:
    `bot/public/data.py` reads the flag on every render and the cache is bumped by this change."""
    if person.publication_consent == consent:
        return False
    person.publication_consent = consent
    person.consent_changed_at = now
    return True


def expire_answers(uow: UnitOfWork, now: datetime, days: int) -> int:
    """Blank the free-text answers of rounds closed more than `days` ago (0: keep them forever).

    Idempotent: an answer already blank is not touched again. Released public summaries stay."""
    if days <= 0:
        return 0
    cutoff = now - timedelta(days=days)
    closed = select(Round.id).where(Round.state == "closed", Round.closed_at.is_not(None), Round.closed_at < cutoff)
    has_text = or_(*(getattr(StatusUpdate, f) != "" for f in FREE_TEXTS))
    result = uow.session.execute(update(StatusUpdate).where(StatusUpdate.round_id.in_(closed), has_text)
                                 .values({f: "" for f in FREE_TEXTS}))
    return rowcount(result)
