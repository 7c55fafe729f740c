"""Administration: the audit log for coordinators, filtered and exported.

`protokoll [50] [person @x] [objekt HF2-07] [seit 1.11.]`, `protokoll export [seit 1.11.] [json]`."""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.conversations.engine import ConversationEngine
from bot.core.argtypes import ArgError, N_, PersonMention, parse_german_date
from bot.core.commands import Arg, Command, CommandRegistry, UsageError, Words
from bot.core.context import Context
from bot.core.events import Attachment
from bot.core.roles import Role
from storage.models import AuditEntry
from storage.repositories.ops import AuditFilter


@dataclass
class Query:
    count: int | None = None
    person: str | None = None  # a mention as PersonMention parses it
    ref: str | None = None
    since: date | None = None
    fmt: str = "csv"


KEYS = {"person": "person", "von": "person", "by": "person", "objekt": "ref", "object": "ref", "seit": "since",
        "since": "since", "ab": "since"}


def parse_query(words: list[str], today: date) -> Query:
    """Raises ArgError with what is wrong; a date without a year is the last such day, not the next."""
    query, rest = Query(), list(words)
    while rest:
        word = rest.pop(0)
        key = KEYS.get(word.casefold())
        if word.isdecimal() and 1 <= int(word) <= 200 and query.count is None:
            query.count = int(word)
        elif word.casefold() in ("json", "csv"):
            query.fmt = word.casefold()
        elif key is None or not rest:
            raise ArgError(N_("“{value}” is not a filter. Use person @name, objekt HF2-07, seit 1.11. "
                              "or a number."), value=word[:40])
        elif key == "person":
            query.person = PersonMention().parse(rest.pop(0), today)
        elif key == "ref":
            query.ref = rest.pop(0).upper()[:120]
        else:
            raw = rest.pop(0)
            day = parse_german_date(raw, today)
            no_year = re.fullmatch(r"\d{1,2}\.\d{1,2}\.?", raw.strip()) is not None
            query.since = day.replace(year=day.year - 1) if no_year and day > today else day
    return query


def _filter(ctx: Context, query: Query) -> AuditFilter | None:
    person = None
    if query.person:
        transport, sep, external = query.person.partition(":")
        person = ctx.uow.people.by_identity(transport, external) if sep else ctx.uow.people.by_handle(query.person)
        if person is None:
            ctx.notice("I do not know {name}. Mention someone the office has added.", name=query.person[:40])
            return None
    since = (datetime.combine(query.since, time(0), tzinfo=ZoneInfo(ctx.tz)) if query.since else None)
    return AuditFilter(actor=person, ref=query.ref, since=since)


def _query(ctx: Context, words: list[str] | None, command: str) -> Query | None:
    try:
        return parse_query(words or [], ctx.today())
    except ArgError as exc:
        raise UsageError(ctx.services.registry.commands[command], exc.message, exc.values) from exc


def audit_log(ctx: Context, words: list[str] | None = None) -> None:
    query = _query(ctx, words, "audit")
    found = _filter(ctx, query) if query else None
    if query is None or found is None:
        return
    from .change_words import audit_lines  # what was done, in words (issue #17)

    ctx.reply("audit_log", entries=audit_lines(ctx, ctx.uow.audit.query(found, limit=query.count or 20)))


def audit_export(ctx: Context, words: list[str] | None = None) -> None:
    query = _query(ctx, words, "audit_export")
    found = _filter(ctx, query) if query else None
    if query is None or found is None:
        return
    entries = ctx.uow.audit.query(found, limit=None, newest_first=False)
    data = as_json(entries) if query.fmt == "json" else as_csv(entries)
    file = Attachment(f"protokoll.{query.fmt}", "application/json" if query.fmt == "json" else "text/csv", data)
    text = ctx.ngettext("Audit log: {n} entry in the attached file.", "Audit log: {n} entries in the attached file.",
                        len(entries))
    if ctx.channel.direct:
        ctx.send(ctx.channel, "notice", ctx.locale, attachments=[file], in_reply_to=ctx.message.event_id,
                 to_person=ctx.message.sender.id if not ctx.channel.id else "", text=text)
    elif ctx.person is not None and ctx.send_to_person(ctx.person, "notice", attachments=[file], text=text):
        ctx.notice("I have sent it to you by direct message.")


def _row(e: AuditEntry) -> dict[str, object]:
    return {"id": e.id, "at": e.at.isoformat(), "actor": e.actor_label, "action": e.action, "entity": e.entity,
            "ref": e.entity_ref, "details": e.details}


def as_json(entries: Sequence[AuditEntry]) -> bytes:
    return json.dumps([_row(e) for e in entries], ensure_ascii=False, indent=1).encode()


def as_csv(entries: Sequence[AuditEntry]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["id", "at", "actor", "action", "entity", "ref", "details"])
    for e in entries:
        row = _row(e)
        writer.writerow([*list(row.values())[:-1], json.dumps(e.details, ensure_ascii=False, sort_keys=True)])
    return ("\ufeff" + out.getvalue()).encode()  # BOM: Excel opens UTF-8 CSV correctly


def register(registry: CommandRegistry, conversations: ConversationEngine) -> None:
    from . import people  # people from chat: the office's other administration commands

    people.register(registry, conversations)
    filters = Arg("words", Words(), {"de": "Filter", "en": "filters"}, required=False, rest=True)
    registry.register(Command(
        # `protokoll` stays an alias for a while: the minutes are `niederschrift` (issue #16)
        "audit", {"de": ("änderungsprotokoll", "protokoll"), "en": ("changelog", "audit")},
        N_("Show the audit log (who changed what, when), filtered by person, object or date."), audit_log,
        args=(filters,), role=Role.COORDINATOR, group="admin",
        examples=("änderungsprotokoll 50", "änderungsprotokoll person @testmann seit 1.11.",
                  "änderungsprotokoll objekt HF2-07")))
    registry.register(Command(
        "audit_export", {"de": ("änderungsprotokoll export", "protokoll export", "protokoll exportieren"),
                         "en": ("changelog export", "audit export")},
        N_("The audit log as a CSV file (or JSON), by direct message."), audit_export,
        args=(filters,), role=Role.COORDINATOR, group="admin",
        examples=("änderungsprotokoll export seit 1.11.", "änderungsprotokoll export json")))
