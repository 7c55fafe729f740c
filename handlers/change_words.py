"""What changed, in words: the history (`verlauf`) and the audit log (`protokoll`) as people read them.

Issue #17 (deliver 5): no `progress: 55 → 60 (command)`, no `262.0000`, no `edit_HF2-05-M1:progress`,
names instead of handles, dates and numbers in the reader's format.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.core.commands import N_
from bot.core.context import Context
from bot.core.i18n import Formats
from storage.models import AuditEntry, Person

from .labels import STATUS_LABELS, parse_status

FIELDS = {"status": N_("Status"), "progress": N_("Progress"), "title": N_("Title"), "titel": N_("Title"),
          "description": N_("Description"), "beschreibung": N_("Description"), "time_target": N_("Time target"),
          "zeitziel": N_("Time target"), "owner": N_("Responsible"), "verantwortlich": N_("Responsible"),
          "created": N_("Created"), "indicators": N_("Indicators"), "weight": N_("Weight"),
          "gewicht": N_("Weight"), "fortschritt": N_("Progress"), "owner_unit": N_("Responsible unit"),
          "body": N_("Body"), "progress_from_measures": N_("Progress from the measures"), "start": N_("Start"),
          "end": N_("End"), "budget_planned": N_("Budget"), "budget_spent": N_("Spent"), "staff": N_("Staff")}
SOURCES = {"command": N_("by command"), "round": N_("in a status round"), "update": N_("reported"),
           "import": N_("import"), "form": N_("form")}
_DATES = {"time_target", "start", "end", "zeitziel", "due", "until", "starts_at"}
_MONEY = {"budget_planned", "budget_spent"}
_PEOPLE = {"owner", "verantwortlich", "person", "to"}

# One sentence per audit action; {ref} is the object, the other names come from the entry's details.
ACTIONS = {
    "set_status": N_("{ref}: status {old} → {new}"),
    "set_progress": N_("{ref}: progress {old} → {new}"),
    "create_recommendation": N_("created recommendation {ref} “{title}”"),
    "add_metric": N_("{ref}: new target metric “{name}”, target {target}"),
    "create_measure": N_("created measure {ref} of {recommendation}"),
    "submit_update": N_("{ref}: status reported ({status}, {progress})"),
    "hand_over": N_("{ref}: handed over to {to}"),
    "snooze": N_("{ref}: asked to be reminded on {until}"),
    "absence": N_("{ref} away until {until}"),
    "open_round": N_("opened round {ref}, deadline {due}, {items} items"),
    "remind_round": N_("reminded round {ref} ({reminded} people)"),
    "close_round": N_("closed round {ref}: {submitted} answered, {no_report} without report"),
    "propose_dates": N_("{ref}: proposed {options} dates"),
    "open_poll": N_("{ref}: opened a date poll with {options} options"),
    "vote": N_("{ref}: voted in the date poll"),
    "create_meeting": N_("{ref}: created a meeting on {starts_at}"),
    "change_meeting": N_("{ref}: moved the meeting to {starts_at}"),
    "cancel_meeting": N_("{ref}: cancelled the meeting on {starts_at}"),
    "rsvp": N_("{ref}: answered the invitation ({new})"),
    "minutes": N_("{ref}: wrote the minutes ({present} present)"),
    "approve_minutes": N_("{ref}: approved the minutes of meeting no. {number}"),
    "add_action": N_("{ref}: new action item “{title}”"),
    "action_done": N_("{ref}: action item “{title}” done"),
    "propose_item": N_("{ref}: proposed the agenda item “{title}”"),
    "accept_item": N_("{ref}: accepted the agenda item “{title}”"),
    "reject_item": N_("{ref}: rejected the agenda item “{title}”"),
    "order_items": N_("{ref}: reordered the agenda"),
    "question_answer": N_("answered public question {ref}"),
    "question_forward": N_("forwarded public question {ref} to {to}"),
    "release_edit": N_("changed the wording of release {ref}"),
    "release_import": N_("released the imported statuses of {count} recommendations as the baseline"),
    "retention": N_("blanked {blanked} old reports (older than {days} days)"),
    "export_person": N_("exported the data of {ref}"),
    "erase_person": N_("erased {ref}"),
    "set_consent": N_("{ref}: consent to be named {old} → {new}"),
    "set_language": N_("{ref}: language {old} → {new}"),
    "update_settings": N_("{ref}: changed the settings"),
    "create_body": N_("created body {ref} “{name}”"),
    "body_cadence": N_("{ref}: meets {per_year}× a year"),
    "reporting_line": N_("{ref}: reports to {to} {per_year}× a year"),
    "body_room": N_("{ref}: bound to a room"),
    "add_member": N_("{ref}: added member {person}"),
    "remove_member": N_("{ref}: removed member {person}"),
    "set_chair": N_("{ref}: chair is now {person}"),
    "person_create": N_("added person {ref} ({name})"),
    "person_link": N_("{ref}: linked the account {new}"),
    "person_edit": N_("{ref}: {field} {old} → {new}"),
    "person_claim": N_("{ref}: the account {account} asks to be linked"),
    "follow": N_("follows {ref}"),
    "unfollow": N_("no longer follows {ref}"),
    "import": N_("imported the catalog {ref}: {created} new, {updated} changed, {removed} removed"),
}
_PREFIXED = {"question_": N_("public question {ref}: {state}"), "release_": N_("release {ref}: {state}")}
_STATES = {"released": N_("released"), "withheld": N_("withheld"), "published": N_("published"),
           "rejected": N_("rejected"), "answered": N_("answered"), "forwarded": N_("forwarded"),
           "pending": N_("pending"), "True": N_("yes"), "False": N_("no"), "true": N_("yes"), "false": N_("no"),
           "yes": N_("yes"), "no": N_("no"), "maybe": N_("maybe"), "replied": N_("reply sent")}


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    who: str
    what: str


class Words:
    """Labels, names and formatted values for one reader."""

    def __init__(self, ctx: Context) -> None:
        self.ctx, self.fmt = ctx, Formats(ctx.locale)
        self._names: dict[str, str] = {}

    def name(self, handle: str) -> str:
        if handle not in self._names:
            person = self.ctx.uow.people.by_handle(handle) if handle else None
            self._names[handle] = person.name if person is not None else handle
        return self._names[handle]

    def actor(self, person_id: int | None, label: str) -> str:
        person = self.ctx.uow.session.get(Person, person_id) if person_id is not None else None
        if person is not None:
            return person.name
        return self.ctx.t("system") if label == "system" else self.name(label)

    def field(self, field: str) -> str:
        kind, sep, rest = field.partition(":")
        if sep and kind == "metric":
            return self.ctx.t("Target metric “{name}”", name=rest)
        if sep and kind == "metric_added":
            return self.ctx.t("New target metric “{name}”, target", name=rest)
        if sep and kind == "measure":
            return self.ctx.t("Measure {code}", code=rest)
        if sep:  # "HF2-05-M1:progress": an attribute of a measure
            return self.ctx.t("Measure {code}", code=kind) + " – " + self.ctx.t(FIELDS.get(rest, rest))
        return self.ctx.t(FIELDS[field]) if field in FIELDS else field

    def value(self, field: str, value: object) -> str:
        """A stored value as the reader expects it: labels, names, 58 %, 1.234,5, 30.09.2026."""
        if value is None or value == "" or value == "–":
            return "–"
        attribute = field.rpartition(":")[2]
        text = str(value)
        if attribute == "status":
            status = parse_status(text)
            return self.ctx.t(STATUS_LABELS[status]) if status else text
        if attribute in _PEOPLE:
            return self.name(text)
        if attribute == "progress_from_measures" or text in _STATES:
            return self.ctx.t(_STATES.get(text, text))
        number = _number(text)
        if attribute in ("progress", "fortschritt") and number is not None:
            return self.fmt.percent(number)
        if number is not None and not isinstance(value, bool):
            shown = self.fmt.number(number.normalize() if number == number.to_integral() else number)
            return f"{shown} €" if attribute in _MONEY else shown
        return self._moment(text)

    def _moment(self, text: str) -> str:
        try:
            return self.fmt.date(date.fromisoformat(text))
        except ValueError:
            pass
        try:
            return self.fmt.datetime(datetime.fromisoformat(text), self.ctx.tz, "short")
        except ValueError:
            return text

    def source(self, source: str) -> str:
        return self.ctx.t(SOURCES.get(source, source))

    def describe(self, entry: AuditEntry) -> str:
        """One audit entry in words: what was done to which object, with its old and new values."""
        action, ref = entry.action, entry.entity_ref or ""
        details: dict[str, Any] = dict(entry.details or {})
        values = _flatten(details)
        if entry.entity == "person":
            ref = self.name(ref)
        elif entry.entity == "subscription":
            ref = ref.partition(":")[2] or self.ctx.t("everything")
        elif entry.entity == "catalog":
            ref = ref.rsplit("/", 1)[-1]
        if action.startswith("edit_"):
            label = action.removeprefix("edit_")
            return f"{ref}: {self.field(label)}: {self.value(label, values.get('old'))} → " \
                   f"{self.value(label, values.get('new'))}"
        shown = {key: self.value(key if key not in ("old", "new") else _kind(action), v)
                 for key, v in values.items()}
        message = ACTIONS.get(action) or next((m for p, m in _PREFIXED.items() if action.startswith(p)), None)
        if message is None:
            return f"{action} {entry.entity} {ref}".strip()
        if "state" not in shown and action.startswith(tuple(_PREFIXED)):
            shown["state"] = self.value("", action.split("_", 1)[1])
        return self.ctx.t(message).format_map(_Blank(ref=ref, **shown))


def _kind(action: str) -> str:
    return {"set_status": "status", "set_progress": "progress", "rsvp": "rsvp"}.get(action, action)


def _flatten(details: dict[str, Any]) -> dict[str, Any]:
    """`new={"until": …}` and `until=…` read the same; old/new stay when they are plain values."""
    flat: dict[str, Any] = {}
    for key, value in details.items():
        if isinstance(value, dict):
            flat.update(value)
        elif isinstance(value, list):
            flat[key] = len(value)
        else:
            flat[key] = value
    return flat


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "–"


def _number(value: str) -> Decimal | None:
    try:
        return Decimal(value)
    except (InvalidOperation, ValueError):
        return None


def audit_lines(ctx: Context, entries: Sequence[AuditEntry]) -> list[AuditLine]:
    words = Words(ctx)
    return [AuditLine(e.at, words.actor(e.actor_id, e.actor_label), words.describe(e)) for e in entries]
