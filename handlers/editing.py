"""Editing the catalog from chat: recommendations, owners, time targets, target metrics and
measures. Coordinators may everywhere, chairs within their body; every change is history."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

from bot import releases
from bot.conversations.engine import ConversationEngine
from bot.core.argtypes import ArgError, Code, PersonMention, Text, parse_german_date
from bot.core.commands import Arg, Command, CommandOptions, CommandRegistry, N_
from bot.core.context import Context
from bot.core.roles import Role
from bot.catalog_edits import EDITABLE, NEW_MEASURE, NEW_METRIC, NEW_REC, unreleased
from bot.rounds.service import parse_number
from storage.models import Measure, Person, Recommendation, Status, TargetMetric

from .labels import STATUS_LABELS, parse_status
from .tracking import Percent

NONE_WORDS = {"keins", "keine", "kein", "none", "-", "–"}
REC_FIELDS = {"titel": "title", "title": "title", "beschreibung": "description", "description": "description",
              "zeitziel": "time_target", "target": "time_target", "verantwortlich": "owner", "owner": "owner",
              "einheit": "owner_unit", "unit": "owner_unit", "gremium": "body", "body": "body"}
MEASURE_FIELDS = {"titel": "title", "title": "title", "status": "status", "fortschritt": "progress",
                  "progress": "progress", "gewicht": "weight", "weight": "weight", "verantwortlich": "owner",
                  "owner": "owner", "start": "start", "ende": "end", "end": "end", "budget": "budget_planned",
                  "ausgaben": "budget_spent", "spent": "budget_spent", "personal": "staff", "staff": "staff"}
_METRIC = re.compile(r"^(?P<name>.+?)\s+(?:ziel|target)\s+(?P<target>\S+)(?:\s+(?:einheit|unit)\s+(?P<unit>\S+))?"
                     r"(?:\s+(?:basis|baseline)\s+(?P<base>\S+))?$", re.IGNORECASE)
_PERCENT_UNITS = {"%", "prozent", "percent"}


class Invalid(Exception):
    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message)
        self.message, self.values = message, values


# -- values people type -------------------------------------------------------------------


def _person(ctx: Context, raw: str) -> Person | None:
    try:
        ref = PersonMention().parse(raw, ctx.today())
    except ArgError as exc:
        raise Invalid(exc.message, **exc.values) from None
    transport, sep, external = ref.partition(":")
    found = ctx.uow.people.by_identity(transport, external) if sep else ctx.uow.people.by_handle(ref)
    if found is None:
        raise Invalid(N_("I do not know {name}. Mention someone the office has added."), name=raw[:40])
    return found


def _date(ctx: Context, raw: str) -> date | None:
    if raw.casefold() in NONE_WORDS:
        return None
    try:
        return parse_german_date(raw, ctx.today())
    except ArgError as exc:
        raise Invalid(exc.message, **exc.values) from None


def _amount(raw: str) -> Decimal:
    value = parse_number(raw.removesuffix("€").removesuffix("EUR").strip())
    if value is None or value < 0:
        raise Invalid(N_("“{value}” is not an amount. Write it like 12.500,00."), value=raw[:40])
    return value


def _rec_value(ctx: Context, field: str, raw: str) -> Any:
    if field in ("title", "owner_unit") and not raw:
        raise Invalid(N_("Please give a value."))
    if field in ("title", "owner_unit", "description"):
        return raw[:300] if field != "description" else raw[:4000]
    if field == "time_target":
        return _date(ctx, raw)
    if field == "owner":
        return None if raw.casefold() in NONE_WORDS else _person(ctx, raw)
    body = ctx.uow.bodies.by_code(raw) if raw else None
    if body is None:
        raise Invalid(N_("There is no body {code}. “gremien” lists them."), code=raw[:40])
    return body


def _measure_value(ctx: Context, field: str, raw: str) -> Any:
    if field == "title":
        if not raw:
            raise Invalid(N_("Please give a value."))
        return raw[:300]
    if field == "status":
        status = parse_status(raw)
        if status is None:
            raise Invalid(N_("“{value}” is not a status. Allowed: {choices}."), value=raw[:40],
                          choices=", ".join(ctx.t(label) for label in STATUS_LABELS.values()))
        return status
    if field == "progress":
        try:
            return Percent().parse(raw, ctx.today())
        except ArgError as exc:
            raise Invalid(exc.message, **exc.values) from None
    if field == "owner":
        return None if raw.casefold() in NONE_WORDS else _person(ctx, raw)
    if field in ("start", "end"):
        return _date(ctx, raw)
    return _amount(raw)


# -- changing and recording -----------------------------------------------------------------


def _shown(value: Any) -> object:
    if isinstance(value, Person):
        return value.handle
    if isinstance(value, date):
        return value.isoformat()
    return getattr(value, "code", value)


def _display(ctx: Context, value: Any) -> object:
    if value is None:
        return "–"
    if isinstance(value, Status):  # the label, not "Status.DONE" (site finding F2)
        return ctx.t(STATUS_LABELS[value])
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    if isinstance(value, Person):
        return value.name
    return _shown(value)


def _apply(ctx: Context, rec: Recommendation, target: Any, attr: str, value: Any, label: str) -> bool:
    """Set one attribute; history on the recommendation and an audit entry when it changed."""
    old = getattr(target, attr)
    if _shown(old) == _shown(value):
        return False
    setattr(target, attr, value)
    ctx.uow.catalog.record_change(rec, label, _shown(old), _shown(value), ctx.person, "command")
    ctx.uow.audit.record(ctx.person, f"edit_{label}", "recommendation", rec.code, old=_shown(old),
                         new=_shown(value))
    return True


def rederive(ctx: Context, rec: Recommendation) -> None:
    """Recompute a recommendation's progress from its measures when it is derived."""
    if not rec.progress_from_measures:
        return
    ctx.uow.session.refresh(rec, ["measures"])
    derived = rec.derived_progress()
    if derived is not None:
        _apply(ctx, rec, rec, "progress", derived, "progress")


# -- commands -------------------------------------------------------------------------------


def create_recommendation(ctx: Context, code: str, title: str) -> None:
    prefix = code.rsplit("-", 1)[0] if "-" in code else ""
    field = ctx.uow.catalog.field(prefix) if prefix else None
    if field is None:
        ctx.notice("A new code starts with its field, like HF2-08 in field HF2; “felder” lists them.")
        return
    if ctx.uow.catalog.recommendation(code) is not None:
        ctx.notice("{code} exists already; change it with “empfehlung ändern {code} …”.", code=code)
        return
    rec = Recommendation(field=field, code=code, title=title[:300], body_id=field.body_id)
    ctx.uow.session.add(rec)
    ctx.uow.flush()
    ctx.uow.catalog.record_change(rec, "created", None, rec.title, ctx.person, "command")
    ctx.uow.audit.record(ctx.person, "create_recommendation", "recommendation", code, new={"title": rec.title})
    ctx.reply("item_created", code=code, title=rec.title, field=field.code)
    if _needs_release(ctx):
        releases.propose_creation(ctx, rec, NEW_REC, code)
        ctx.notice("It shows on the public site only once the office releases it (“freigabe”).")


def _parsed(ctx: Context, fields: dict[str, str], field: str, value: str | None,
            parse: Any) -> tuple[str, Any] | None:
    """The attribute a German or English word names and the parsed value, or a notice why not."""
    attr = fields.get(field.casefold())
    if attr is None:
        words: dict[str, str] = {}
        for word, name in fields.items():  # German first: the first word of each attribute
            words.setdefault(name, word)
        ctx.notice("“{value}” cannot be changed here. Allowed: {choices}.", value=field[:40],
                   choices=", ".join(words.values()))
        return None
    try:
        return attr, parse(ctx, attr, (value or "").strip())  # an optional value left out arrives as None
    except Invalid as exc:
        ctx.notice(exc.message, **exc.values)
        return None


def edit_recommendation(ctx: Context, code: str, field: str, value: str | None = None) -> None:
    rec = _find(ctx, code)
    parsed = _parsed(ctx, REC_FIELDS, field, value, _rec_value) if rec is not None else None
    if rec is None or parsed is None:
        return
    attr, new = parsed
    if attr == "body" and not ctx.standing.permits(Role.CHAIR, new):
        # moving an item concerns the body it moves to as well: the same rule, for that body
        from bot.core.middleware import refusal

        ctx.reply("refused", reason=refusal(ctx, Role.CHAIR, new.code),
                  command=ctx.services.registry.commands["rec_edit"].alias(ctx.locale))
        return
    if attr in EDITABLE and _needs_release(ctx, rec) and _shown(getattr(rec, attr)) != _shown(new):
        releases.propose_edit(ctx, rec, attr, new)  # the published concept: the office releases it
        _proposed(ctx, rec.code, attr, field, new)
        return
    changed = _apply(ctx, rec, rec, attr, new, attr)
    ctx.reply("item_edited", code=rec.code, what=field.casefold(), value=_display(ctx, new), changed=changed)


def _needs_release(ctx: Context, rec: Recommendation | None = None, measure: str | None = None) -> bool:
    """A chair's (not the office's) catalog edit waits for release ([site] chair_edits_need_release) —
    unless it is to something not public yet: a new item is released as it then stands."""
    if ctx.standing.coordinator or not ctx.services.settings.site.chair_edits_need_release:
        return False
    if rec is None:
        return True
    hidden = unreleased(ctx.uow.session)
    return rec.id not in hidden.recs and measure not in hidden.measures


def _proposed(ctx: Context, code: str, attr: str, word: str, new: Any) -> None:
    ctx.uow.audit.record(ctx.person, f"propose_{attr}", "recommendation", code, new=_shown(new))
    ctx.notice("The change of “{what}” of {code} waits for the office's release (“freigabe”); it takes "
               "effect, and shows on the public page, once released.", what=word.casefold(), code=code)


def assign(ctx: Context, code: str, person: str) -> None:
    edit_recommendation(ctx, code, "verantwortlich", person)


def add_metric(ctx: Context, code: str, spec: str) -> None:
    rec = _find(ctx, code)
    if rec is None:
        return
    match = _METRIC.match(spec.strip())
    target = parse_number(match["target"], ctx.locale) if match else None
    base = parse_number(match["base"], ctx.locale) if match and match["base"] else None
    if match is None or target is None or (match["base"] and base is None):
        ctx.notice("Write it like: zielgröße {code} Teilnehmerinnen ziel 150 einheit Anzahl basis 20",
                   code=rec.code)
        return
    name, unit = match["name"].strip()[:200], (match["unit"] or "").strip()[:40]
    from bot.core.i18n import Formats

    fmt = Formats(ctx.locale)
    odd = [v for v in (target, base) if v is not None and (v < 0 or (unit.casefold() in _PERCENT_UNITS and v > 100))]
    if odd:  # a share above 100 % or a negative value: a typo more often than meant
        ctx.notice("“{name}”: {value} does not fit (a share in percent runs from 0 to 100, a count is not "
                   "negative). Nothing was created.", name=name, value=" ".join(filter(None, (fmt.number(odd[0]), unit))))
        return
    if any(m.name.casefold() == name.casefold() for m in rec.metrics):
        ctx.notice("{code} already has a target metric “{name}”.", code=rec.code, name=name)
        return
    rec.metrics.append(TargetMetric(name=name, unit=unit, target=target, baseline=base,
                                    baseline_date=ctx.today() if base is not None else None,
                                    target_date=rec.time_target, position=len(rec.metrics)))
    # a new metric and its target, not a reported value (issue #17: it read as if a value was set)
    ctx.uow.catalog.record_change(rec, f"metric_added:{name}", None, str(target), ctx.person, "command")
    ctx.uow.audit.record(ctx.person, "add_metric", "recommendation", rec.code, new={"name": name, "target": str(target)})
    held = _needs_release(ctx, rec)
    if held:
        releases.propose_creation(ctx, rec, NEW_METRIC, name)
    def shown(value: Any) -> str:  # the number with its unit, no stray space without one
        return " ".join(filter(None, (fmt.number(value), unit)))

    if base is None:
        ctx.notice("Target metric “{name}” added to {code} with the target {target}; its current value comes "
                   "with the next report.", name=name, code=rec.code, target=shown(target))
    else:
        ctx.notice("Target metric “{name}” added to {code} with the target {target} and the baseline {base}; "
                   "its current value comes with the next report.", name=name, code=rec.code,
                   target=shown(target), base=shown(base))
    if held:
        ctx.notice("It shows on the public site only once the office releases it (“freigabe”).")


def create_measure(ctx: Context, code: str, measure: str, title: str) -> None:
    rec = _find(ctx, code)
    if rec is None:
        return
    if ctx.uow.catalog.measure(measure) is not None:
        ctx.notice("{code} exists already; change it with “maßnahme ändern {code} …”.", code=measure)
        return
    catalog = ctx.uow.catalog
    if catalog.recommendation(measure) or catalog.field(measure) or ctx.uow.bodies.by_code(measure):
        # one code, one thing: a bare code in a message must name exactly one
        ctx.notice("{code} is already the code of a field, recommendation or body; measures are named "
                   "like {example}.", code=measure, example=f"{rec.code}-M{len(rec.measures) + 1}")
        return
    rec.measures.append(Measure(code=measure, title=title[:300]))
    ctx.uow.flush()
    ctx.uow.catalog.record_change(rec, f"measure:{measure}", None, title[:300], ctx.person, "command")
    ctx.uow.audit.record(ctx.person, "create_measure", "measure", measure, new={"recommendation": rec.code})
    rederive(ctx, rec)
    ctx.reply("item_created", code=measure, title=title[:300], field=rec.code)
    if _needs_release(ctx, rec):
        releases.propose_creation(ctx, rec, NEW_MEASURE, measure)
        ctx.notice("It shows on the public site only once the office releases it (“freigabe”).")


def edit_measure(ctx: Context, code: str, field: str, value: str | None = None) -> None:
    measure = ctx.uow.catalog.measure(code)
    if measure is None:
        ctx.notice("There is no measure {code}; “empfehlung” shows a recommendation's measures.", code=code)
        return
    parsed = _parsed(ctx, MEASURE_FIELDS, field, value, _measure_value)
    if parsed is None:
        return
    attr, new = parsed
    rec = measure.recommendation
    if _needs_release(ctx, rec, measure.code) and _shown(getattr(measure, attr)) != _shown(new):
        releases.propose_measure_edit(ctx, measure, attr, new)  # measures are public with status and progress
        _proposed(ctx, measure.code, attr, field, new)
        return
    changed = _apply(ctx, rec, measure, attr, new, f"{measure.code}:{attr}")
    rederive(ctx, rec)
    ctx.reply("item_edited", code=measure.code, what=field.casefold(), value=_display(ctx, new), changed=changed)


def derive(ctx: Context, code: str, how: str) -> None:
    rec = _find(ctx, code)
    if rec is None:
        return
    on = how.casefold() in ("maßnahmen", "massnahmen", "measures")
    if not on and how.casefold() not in ("von hand", "manuell", "manual", "by hand"):
        ctx.notice("Say “maßnahmen” or “von hand”, like “fortschritt aus {code} maßnahmen”.", code=rec.code)
        return
    if on and rec.derived_progress() is None:
        ctx.notice("{code} has no measures to derive its progress from.", code=rec.code)
        return
    _apply(ctx, rec, rec, "progress_from_measures", on, "progress_from_measures")
    rederive(ctx, rec)
    ctx.reply("item_edited", code=rec.code, what=ctx.t("progress"), value=f"{rec.progress} %", changed=True)


def _find(ctx: Context, code: str) -> Recommendation | None:
    rec = ctx.uow.catalog.recommendation(code)
    if rec is None:
        ctx.notice("There is no recommendation {code}. Try “liste” to see them.", code=code)
    return rec


def register(registry: CommandRegistry, conversations: ConversationEngine) -> None:
    code = Arg("code", Code(), {"de": "Code", "en": "code"})
    field = Arg("field", Text(), {"de": "Angabe", "en": "field"})
    value = Arg("value", Text(), {"de": "Wert", "en": "value"}, rest=True, required=False)
    title = Arg("title", Text(), {"de": "Titel", "en": "title"}, rest=True)
    edit: CommandOptions = {"role": Role.CHAIR, "item_arg": "code", "group": "catalog"}
    for command in (
        Command("rec_create", {"de": ("empfehlung anlegen",), "en": ("recommendation create",)},
                N_("Create a recommendation in the field its code names."), create_recommendation,
                args=(code, title), **(edit | {"item_kind": "new"}),
                examples=("empfehlung anlegen HF2-08 Sprachkurse im Betrieb",)),
        Command("rec_edit", {"de": ("empfehlung ändern",), "en": ("recommendation edit",)},
                N_("Change title, description, time target, owner, unit or body of a recommendation."),
                edit_recommendation, args=(code, field, value), **edit,
                examples=("empfehlung ändern HF2-07 zeitziel 31.12.2027",
                          "empfehlung ändern HF2-07 verantwortlich @testmann")),
        Command("assign", {"de": ("zuweisen",), "en": ("assign",)},
                N_("Make someone the owner of a recommendation, by mentioning them."), assign,
                args=(code, Arg("person", Text(), {"de": "@Person", "en": "@person"})), **edit,
                examples=("zuweisen HF2-07 @testmann",)),
        Command("metric_add", {"de": ("zielgröße",), "en": ("target metric",)},
                N_("Add a target metric with its target value (and unit and baseline)."), add_metric,
                args=(code, Arg("spec", Text(), {"de": "Name ziel Zahl [einheit …] [basis Zahl]",
                                                 "en": "name ziel number [einheit …] [basis number]"}, rest=True)),
                **edit, examples=("zielgröße HF2-07 Teilnehmerinnen ziel 150 einheit Anzahl",)),
        Command("measure_create", {"de": ("maßnahme anlegen",), "en": ("measure create",)},
                N_("Add a measure to a recommendation."), create_measure,
                args=(code, Arg("measure", Code(), {"de": "Maßnahme", "en": "measure"}), title), **edit,
                examples=("maßnahme anlegen HF2-07 HF2-07-M3 Mentoringprogramm",)),
        Command("measure_edit", {"de": ("maßnahme ändern",), "en": ("measure edit",)},
                N_("Change a measure: status, progress, weight, owner, dates, budget, spending, staff."),
                edit_measure, args=(code, field, value), **(edit | {"item_kind": "measure"}),
                examples=("maßnahme ändern HF2-07-M1 fortschritt 60",)),
        Command("derive", {"de": ("fortschritt aus",), "en": ("progress source",)},
                N_("Derive a recommendation's progress from its measures (weighted), or set it by hand."),
                derive, args=(code, Arg("how", Text(), {"de": "maßnahmen|von hand", "en": "from measures|by hand"},
                                        rest=True)), **edit,
                examples=("fortschritt aus HF2-07 maßnahmen",)),
    ):
        registry.register(command)
