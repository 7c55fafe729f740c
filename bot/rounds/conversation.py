"""The status-update conversation: one recommendation at a time, each saved once confirmed.

status → progress → one value per target metric → what happened → next steps → blockers →
public summary → may it be published → confirm (`ja` / `ändern <step>`). At any step:
`später`, `abwesend bis …`, `übergeben an @…`, `korrigieren CODE` (see `words`).
The data holds a queue of status-update ids and the answers for the current item only.
"""
from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from bot.conversations.engine import DONE, Conversation, ConversationEngine, ConvContext, Invalid, Step, match_choice, numbered
from bot.core.commands import N_
from bot.core.context import Context
from bot.core.events import Choice
from storage.models import Person, Status, StatusUpdate

from bot.core.labels import STATUS_LABELS, parse_status

from . import checks, service, words
from . import items
from .items import NAME, NO, YES
from bot.core.periods import due_day

ORDER = ("status", "progress", "metric", "happened", "next_steps", "blockers", "summary", "publish", "confirm")
MAX_TEXT, MAX_SUMMARY = 2000, 500
UNCHANGED = {"unverändert", "unveraendert", "same", "unchanged", "=", "gleich"}
NOTHING = {"keine", "keine.", "keins", "nichts", "none", "no", "nein", "-", "–"}
_PERCENT = re.compile(r"^(?:ca\.?|etwa|about|circa|approx\.?|around)?\s*(\d{1,3})([.,]\d+)?\s*(?:%|prozent|percent)?$",
                      re.IGNORECASE)
CHANGE_WORDS = {
    "status": "status", "fortschritt": "progress", "progress": "progress", "kennzahl": "metric",
    "kennzahlen": "metric", "metric": "metric", "metrics": "metric", "geschehen": "happened",
    "happened": "happened", "schritte": "next_steps", "nächste": "next_steps", "naechste": "next_steps",
    "next": "next_steps", "hindernisse": "blockers", "unterstützung": "blockers", "blockers": "blockers",
    "steps": "next_steps", "zusammenfassung": "summary", "summary": "summary", "veröffentlichen": "publish",
    "veroeffentlichen": "publish", "publish": "publish",
}


# -- starting and extending --------------------------------------------------------------


def offer(ctx: Context, person: Person, update_ids: list[int], handed_by: Person | None = None) -> None:
    """Ask a person about their items: extend an open round conversation, or begin one."""
    state = ctx.uow.conversations.active_of(person.id, NAME)
    if state is not None:
        queue = state.data["queue"]
        added = [i for i in update_ids if i not in queue]
        state.data = {**state.data, "queue": [*queue, *added], "order": [*items.order(state.data), *added]}
        if added:
            ctx.reply("round_more", count=len(added), handed_by=handed_by)
        return
    other = ctx.uow.conversations.active(ctx.channel.transport, ctx.channel.id, person.id)
    ctx.reply("round_prompt", count=len(update_ids), handed_by=handed_by, due=_first_due(ctx, update_ids),
              busy=other is not None, away=words.away_example(ctx))
    if other is None:
        begin(ctx, person, update_ids)


def begin(ctx: Context, person: Person, update_ids: list[int], step: str = "status",
          item: dict[str, Any] | None = None) -> None:
    data = {"queue": update_ids, "order": list(update_ids), "pos": 0, "item": item or {}, "mi": 0,
            "editing": step == "confirm"}
    engine = ctx.services.conversations
    state = engine.start(ctx, NAME, person, ctx.channel, data=data, ask=False)
    engine.jump(ConvContext(ctx, state, ROUND), step)


def _first_due(ctx: Context, update_ids: list[int]) -> object:
    upd = ctx.uow.session.get(StatusUpdate, update_ids[0]) if update_ids else None
    return due_day(upd.round.due_at, ctx.tz) if upd is not None and upd.round is not None else None


# -- the current item ----------------------------------------------------------------------


def _next(cc: ConvContext, after: str) -> str:
    """The next step that applies to this item (or the summary when changing one answer)."""
    rec = items.current(cc).recommendation
    if cc.data.get("editing") and after != "metric":
        return "confirm" if after != "summary" or not items.item(cc).get("summary") else "publish"
    for name in ORDER[ORDER.index(after) + 1:]:
        if name == "progress" and (rec.progress_from_measures or items.item(cc).get("status") == Status.DONE.value):
            continue
        if name == "metric" and not rec.metrics:
            continue
        if name == "publish" and not items.item(cc).get("summary"):
            continue
        return name
    return "confirm"


def _values(cc: ConvContext) -> dict[str, Any]:
    upd, step = items.current(cc), cc.state.step
    rec = upd.recommendation
    metric = rec.metrics[cc.data.get("mi", 0)] if step == "metric" and rec.metrics else None
    item = items.item(cc)
    pos, total = items.number(cc.data)
    again = cc.data["queue"][cc.data["pos"]] in (cc.data.get("skipped") or [])
    doubt = checks.values(cc) if step == "doubt" else {"doubt": ""}
    return {"rec": rec, "pos": pos, "total": total, "step": step, "again": again, "left": items.left(cc),
            "item": item, "metric": metric, "labels": STATUS_LABELS, "status": Status,
            "overdue": rec.is_overdue(cc.ctx.today()), "round": upd.round,
            "metric_answers": _metric_answers(rec, item), "in_round": upd.round_id is not None, **doubt,
            **(_confirm_help(cc) if step == "confirm" else {})}


def _metric_answers(rec: Any, item: dict[str, Any]) -> list[tuple[Any, str | None]]:
    given = item.get("metrics", {})
    return [(m, given.get(str(m.id))) for m in rec.metrics]


# -- the steps --------------------------------------------------------------------------


def _status_choices(cc: ConvContext) -> list[Choice]:
    return numbered([(s.value, cc.ctx.t(label)) for s, label in STATUS_LABELS.items()])


def _answer_status(cc: ConvContext, text: str) -> str:
    choice = match_choice(_status_choices(cc), text)
    status = Status(choice.value) if choice else parse_status(text)
    if text.casefold() in UNCHANGED:
        status = items.current(cc).recommendation.status
    if status is None:
        raise Invalid(N_("“{value}” is not a status. Answer with a number from 1 to 6 or the status."),
                      value=text[:40])
    items.set_item(cc, status=status.value, **({"progress": 100} if status == Status.DONE else {}))
    return checks.status(cc, _next(cc, "status"))


def _answer_progress(cc: ConvContext, text: str) -> str:
    if text.casefold() in UNCHANGED:
        kept = items.current(cc).recommendation.progress
        items.set_item(cc, progress=kept)
        return checks.progress(cc, kept, _next(cc, "progress"))  # "done" at 0 % is asked about too
    match = _PERCENT.match(text.strip())
    if not match or int(match[1]) > 100:
        raise Invalid(N_("“{value}” is not a progress from 0 to 100 %."), value=text[:40])
    if match[2]:  # 25,5: in range, but progress is kept in whole percent
        raise Invalid(N_("The progress is a whole number of percent, like {value}."),
                      value=round(float(match[1] + "." + match[2][1:])))
    items.set_item(cc, progress=int(match[1]))
    return checks.progress(cc, int(match[1]), _next(cc, "progress"))


def _answer_metric(cc: ConvContext, text: str) -> str:
    rec = items.current(cc).recommendation
    index = cc.data.get("mi", 0)
    metric = rec.metrics[index]
    metrics = dict(items.item(cc).get("metrics", {}))
    if text.casefold() in UNCHANGED:
        metrics.pop(str(metric.id), None)
        items.set_item(cc, metrics=metrics)
        return _next_metric(cc, index)
    value = service.parse_number(words.without_unit(text, metric.unit), cc.ctx.locale)
    if value is None:
        raise Invalid(N_("“{value}” is not a number. Write it like 1.234,5 – or “unverändert”."),
                      value=text[:40])
    metrics[str(metric.id)] = str(value)
    items.set_item(cc, metrics=metrics)
    return checks.metric(cc, index, value, _next_metric(cc, index))


def _skip_metric(cc: ConvContext) -> str:
    return _next_metric(cc, cc.data.get("mi", 0))


def _next_metric(cc: ConvContext, index: int) -> str:
    if index + 1 < len(items.current(cc).recommendation.metrics):
        cc.set(mi=index + 1)
        return "metric"
    cc.set(mi=0)
    return "confirm" if cc.data.get("editing") else _next(cc, "metric")


def _text_answer(key: str, limit: int, allow_nothing: bool):  # noqa: ANN202 - a small factory
    def answer(cc: ConvContext, text: str) -> str:
        value = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t").strip()
        if not value:
            raise Invalid(N_("Please write a few words (or “überspringen”)."))
        if len(value) > limit:
            raise Invalid(N_("That is {length} characters; at most {limit} fit here. Please shorten it."),
                          length=len(value), limit=limit)
        if allow_nothing and value.casefold() in NOTHING:
            value = ""
        items.set_item(cc, **{key: value})
        if key == "summary" and not value:
            items.set_item(cc, publish=False)
        return _next(cc, key)
    return answer


def _skip_to(key: str):  # noqa: ANN202 - a small factory
    def skip(cc: ConvContext) -> str:
        return _next(cc, key)
    return skip


def _yes_no(cc: ConvContext) -> list[Choice]:
    return [Choice("ja", cc.ctx.t("yes"), "1"), Choice("nein", cc.ctx.t("no"), "2")]


def _answer_publish(cc: ConvContext, text: str) -> str:
    choice = match_choice(_yes_no(cc), text)
    word = choice.value if choice else text.casefold()
    if word not in YES | NO:
        raise Invalid(N_("Please answer yes or no."))
    items.set_item(cc, publish=word in YES)
    return _next(cc, "publish")


def _answer_confirm(cc: ConvContext, text: str) -> str:
    words = text.casefold().split()
    if len(words) == 1 and (words[0] in YES or words[0] == cc.ctx.t("yes").casefold()):
        return _save(cc)
    if len(words) >= 2 and words[0] in ("ändern", "aendern", "change") and words[1] in CHANGE_WORDS:
        target = CHANGE_WORDS[words[1]]
        rec = items.current(cc).recommendation
        if target not in _parts(cc):
            raise Invalid(N_("{code} has nothing to change there."), code=rec.code)
        cc.set(editing=True, mi=0)
        return target
    raise Invalid(CONFIRM_HELP, **_confirm_help(cc))


# the parts one may change at the confirm step, in the words of each language (either is accepted)
PART_WORDS = {"de": {"status": "status", "progress": "fortschritt", "metric": "kennzahlen", "happened": "geschehen",
                     "next_steps": "schritte", "blockers": "hindernisse", "summary": "zusammenfassung",
                     "publish": "veröffentlichen"},
              "en": {"status": "status", "progress": "progress", "metric": "metrics", "happened": "happened",
                     "next_steps": "steps", "blockers": "blockers", "summary": "summary", "publish": "publish"}}
CONFIRM_HELP = N_("Answer “ja” to save, or “ändern” and the part: {parts}.")


def _parts(cc: ConvContext) -> list[str]:
    """Only the parts this item has: no progress when its measures give it, no metrics without any."""
    rec = items.current(cc).recommendation
    return [p for p in PART_WORDS["de"] if not (
        (p == "progress" and rec.progress_from_measures) or (p == "metric" and not rec.metrics)
        or (p == "publish" and not items.item(cc).get("summary")))]


def _confirm_help(cc: ConvContext) -> dict[str, Any]:
    words = PART_WORDS.get(cc.ctx.locale, PART_WORDS["de"])
    return {"parts": ", ".join(words[p] for p in _parts(cc))}


def _save(cc: ConvContext) -> str:
    upd = items.current(cc)
    if upd.round is not None and upd.round.state != "open":
        cc.ctx.notice("The round for {code} has closed; this answer was not saved.", code=upd.recommendation.code)
    else:
        item = items.item(cc)
        item.setdefault("status", upd.recommendation.status.value)
        service.submit(cc.ctx, upd, item)
        following = items.advance(cc)
        cc.ctx.reply("round_item_saved", rec=upd.recommendation, more=following != DONE)
        return following
    return items.advance(cc)


def _skip_item(cc: ConvContext) -> str:
    """`überspringen` at the status question: this item goes to the end of the queue."""
    queue, pos = list(cc.data["queue"]), cc.data["pos"]
    if pos < len(queue) - 1:
        skipped = queue.pop(pos)
        queue.append(skipped)
        # asked again last, it says so instead of an earlier number ("(1/2)" after "(2/2)")
        cc.set(queue=queue, item={}, mi=0, editing=False, skipped=[*(cc.data.get("skipped") or []), skipped])
        cc.fresh = True
    else:
        cc.ctx.notice("This is your last open item; answer it, or say “später”.")
    return "status"


def _late(ctx: Context, state: Any) -> bool:
    """An answer after the round closed under the conversation: say so, and how to report anyway."""
    ids = state.data.get("closed") or state.data.get("queue") or []
    codes = []
    for upd_id in ids:
        upd = ctx.uow.session.get(StatusUpdate, upd_id)
        if upd is not None and upd.state != "submitted" and upd.recommendation.code not in codes:
            codes.append(upd.recommendation.code)
    ctx.services.conversations.end(state, "closed_told")  # told once; later messages are commands again
    command = ctx.services.registry.commands["update"].alias(ctx.locale)
    owner, body = _who_may_update(ctx, codes[0], command) if codes else (None, None)
    ctx.reply("round_closed_late", codes=codes, command=command, may=owner is None and body is None,
              owner=owner, body=body)
    return True


def _who_may_update(ctx: Context, code: str, command: str) -> tuple[str | None, str | None]:
    """(None, None) when this person may report anyway with `update CODE`; else whom to ask
    (a deputy by hand-over may not: the owner or the body's chair can record it)."""
    from bot.core.middleware import authorize

    invocation = ctx.services.registry.parse(f"{command} {code}", ctx.today())
    if invocation is None or authorize(ctx, invocation) is None:
        return None, None
    rec = ctx.uow.catalog.recommendation(code)
    owner = ctx.uow.session.get(Person, rec.owner_id) if rec is not None and rec.owner_id else None
    body = getattr(getattr(rec, "body", None), "code", None)
    return (owner.name if owner is not None else None), body or "–"


def _finish(cc: ConvContext) -> None:
    # "until the round closes … korrigieren" only where an open round holds the answers (rounds2 F1:
    # after `aktualisieren` outside a round, `korrigieren` then refused)
    answers = [cc.ctx.uow.session.get(StatusUpdate, i) for i in cc.data["queue"]]
    in_round = any(u is not None and u.round is not None and u.round.state == "open" for u in answers)
    cc.ctx.reply("round_done", count=len(cc.data["queue"]), reported=True, in_round=in_round)


ROUND = Conversation(NAME, (
    Step("status", "round_question", _answer_status,
         N_("Choose the status: 1 not started, 2 in progress, 3 delayed, 4 blocked, 5 done, 6 dropped."),
         choices=_status_choices, values=_values, skippable=True, on_skip=_skip_item),
    Step("progress", "round_question", _answer_progress,
         N_("The progress in percent from 0 to 100, like 70 or “ca. 70 %”, or “unverändert”."), values=_values),
    Step("metric", "round_question", _answer_metric,
         N_("The current value as a number, like 1.234,5, or “unverändert”."), values=_values, skippable=True,
         on_skip=_skip_metric),
    Step("happened", "round_question", _text_answer("happened", MAX_TEXT, False),
         N_("In a few sentences: what happened since the last report?"), values=_values, skippable=True, on_skip=_skip_to("happened")),
    Step("next_steps", "round_question", _text_answer("next_steps", MAX_TEXT, False),
         N_("In a few sentences: what are the next steps?"), values=_values, skippable=True, on_skip=_skip_to("next_steps")),
    Step("blockers", "round_question", _text_answer("blockers", MAX_TEXT, True),
         N_("What is in the way, or what support do you need? “keine” if nothing."), values=_values,
         skippable=True, on_skip=_skip_to("blockers")),
    Step("summary", "round_question", _text_answer("summary", MAX_SUMMARY, True),
         N_("A short summary for the public status page (at most 500 characters), or “keine”."),
         values=_values, skippable=True, on_skip=_skip_to("summary")),
    Step("publish", "round_question", _answer_publish,
         N_("May the summary be published once the office has released it? Answer yes or no."),
         choices=_yes_no, values=_values),
    Step("doubt", "round_question", checks.answer,
         checks.HELP, choices=checks.choices, values=_values),
    Step("confirm", "round_question", _answer_confirm, CONFIRM_HELP, values=_values, help_values=_confirm_help),
), finish=_finish, timeout=timedelta(days=60), intercept=words.intercept, position=("mi",), on_late=_late,
    transient=(checks.DOUBT,), unchanged_note=False,
    on_cancel=N_("Stopped. Items you confirmed are saved; say “meldung” to go on with the others."))


def register(conversations: ConversationEngine) -> None:
    conversations.register(ROUND)
