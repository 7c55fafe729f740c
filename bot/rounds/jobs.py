"""Scheduled work of rounds. Everything due is derived from the database on each tick, and
what was done is recorded in the same transaction as the messages it queued, so a restart
sends a missed reminder once — not never, not twice."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from collections.abc import Sequence
from itertools import groupby
from typing import TYPE_CHECKING

from bot.core.context import Context, Services
from bot.jobs import person_context
from storage.models import AuditEntry, ConversationState, Person, Round, StatusUpdate

from . import conversation, service
from bot.core.periods import due_day, period_of, reminder_times

if TYPE_CHECKING:
    from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
PROMPT_BATCH = 50  # people per transaction: answers to others get the database between batches
# A reminder caught up this close to the deadline (the bot was down, the demo clock jumped) would
# ask a question the round closes on before it can be answered (finding F22): it is skipped.
LAST_CALL = timedelta(hours=1)


def tick(services: Services) -> int:
    """Close rounds that are due, open rounds the cadence asks for, send due reminders."""
    done = 0
    with services.uow_factory() as uow:
        closing = list(uow.rounds.due_to_close(services.clock()))
        for round_ in closing:
            done += _close(services, uow, round_)
        if closing:  # all at once: one message per person, never "closed", a question, "closed"
            end_conversations(services, uow, closing)
            from bot import digests

            digests.send_to_subscribers(_office_context(services, uow), "round", rounds=closing)  # one per room
        if services.settings.rounds.auto_open:
            done += _open_due(services, uow)
        for round_ in uow.rounds.open_rounds():
            done += _remind_if_due(services, uow, round_)
        uow.commit()
    return done


def _office_context(services: Services, uow: UnitOfWork) -> Context:
    from bot.core.events import ChannelRef
    from bot.jobs import system_context

    return system_context(services, uow, ChannelRef("system", "", direct=False), None)


def _close(services: Services, uow: UnitOfWork, round_: Round) -> int:
    service.close_round(_office_context(services, uow), round_, digest=False)
    log.info("closed round %s %s at its due date", round_.reporting_line.from_body.code, round_.period)
    return 1


def _open_due(services: Services, uow: UnitOfWork) -> int:
    """Open the round of the current period once `lead_days` before its due date."""
    ctx = _office_context(services, uow)
    today, opened, asked_bodies = ctx.today(), 0, {r.reporting_line.from_body_id for r in uow.rounds.open_rounds()}
    for line in uow.bodies.reporting_lines():
        period = period_of(today, line.per_year)
        if line.from_body_id in asked_bodies or today < period.due - timedelta(days=line.lead_days):
            continue
        if today >= period.due:  # its deadline passed already (the clock moved on): nobody could answer
            continue
        if uow.rounds.find(line, period.label) is not None or not service.in_scope(ctx, line):
            continue
        service.open_round(ctx, line, period.due)
        asked_bodies.add(line.from_body_id)
        opened += 1
        log.info("opened round %s %s from the cadence", line.from_body.code, period.label)
    return opened


def _remind_if_due(services: Services, uow: UnitOfWork, round_: Round) -> int:
    """Send the latest reminder that is due and not yet sent; earlier missed ones are skipped."""
    tz = services.settings.general.timezone
    now = services.clock()
    due = [(days, when) for days, when in reminder_times(due_day(round_.due_at, tz),
                                                        services.settings.rounds.reminder_days, tz)
           if round_.opens_at <= when <= now]
    if not due:
        return 0
    keys = [(f"round:{round_.id}:remind:{days}", when) for days, when in due]
    latest_key, latest_when = keys[-1]
    if uow.ops.done(latest_key):
        return 0
    if round_.due_at - now < LAST_CALL:
        for key, when in keys:
            if not uow.ops.done(key):
                uow.ops.mark_done(key, "round_reminder", when, now, sent=False, reason="closes too soon")
        log.info("round %s closes within %s: reminder skipped", round_.period, LAST_CALL)
        return 0
    count = remind_round(services, uow, round_)
    for key, when in keys:
        if not uow.ops.done(key):
            uow.ops.mark_done(key, "round_reminder", when, now, sent=key == latest_key, people=count)
    log.info("reminded %d people in round %s", count, round_.period)
    return 1


def remind_round(services: Services, uow: UnitOfWork, round_: Round) -> int:
    """Remind each person with unanswered items who is not absent today; re-ask their step."""
    count = 0
    for person_id in uow.rounds.waiting_people(round_):
        person = uow.session.get(Person, person_id)
        ctx = person_context(services, uow, person) if person else None
        if person is None or ctx is None or person.absent_on(ctx.today()):
            continue
        ctx.bulk = True
        pending = uow.rounds.pending_for(person.id)
        for upd in pending:
            upd.snoozed_until = None
        # a deputy holds items handed to them, not "your recommendations"
        handed = any(u.recommendation.owner_id != person.id for u in pending)
        ctx.reply("round_reminder", count=len(pending), due=due_day(round_.due_at, ctx.tz), handed=handed)
        state = uow.conversations.active_of(person.id, conversation.NAME)
        if state is not None:
            services.conversations.ask(_conv(ctx, state))
        elif pending:
            conversation.begin(ctx, person, [u.id for u in pending])
        count += 1
    return count


def _conv(ctx: Context, state: ConversationState):  # noqa: ANN202
    from bot.conversations.engine import ConvContext

    return ConvContext(ctx, state, conversation.ROUND)


def prompt_batch(services: Services, limit: int = PROMPT_BATCH) -> int:
    """Ask the next batch of people about their items (the fan-out); returns people asked."""
    with services.uow_factory() as uow:
        updates = uow.rounds.unprompted(limit * 20)
        if not updates:
            return 0
        _preload(uow, updates)
        now, asked = services.clock(), 0
        with uow.session.no_autoflush:  # one flush per batch, not one per query
            for person_id, group in groupby(updates, key=lambda u: u.asked_id):
                items = list(group)
                if asked >= limit and asked > 0:
                    break
                _prompt(services, uow, person_id, items, now)
                asked += 1
        uow.commit()
    return asked


def _preload(uow: UnitOfWork, updates: Sequence[StatusUpdate]) -> None:
    """The batch's people (with their identities), items and rounds in three queries, not a few
    lazy loads per person (issue #20: the fan-out over 2,000 owners)."""
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    people = {u.asked_id for u in updates if u.asked_id}
    uow.session.scalars(select(Person).where(Person.id.in_(people))
                        .options(selectinload(Person.identities))).all()
    uow.session.scalars(select(StatusUpdate).where(StatusUpdate.id.in_([u.id for u in updates]))
                        .options(selectinload(StatusUpdate.recommendation),
                                 selectinload(StatusUpdate.round))).all()


def _prompt(services: Services, uow: UnitOfWork, person_id: int | None, items: list[StatusUpdate],
            now: datetime) -> None:
    person = uow.session.get(Person, person_id) if person_id else None
    ctx = person_context(services, uow, person) if person else None
    for upd in items:
        upd.prompted_at = now
    if person is None or ctx is None:
        log.warning("person %s cannot be reached on any running transport; not asked", person_id)
        return
    ctx.bulk = True
    handed = [u for u in items if u.delegated_to_id == person.id and u.author_id is None]
    handed_by = _handed_by(uow, handed[0], person) if handed else None
    conversation.offer(ctx, person, [u.id for u in items], handed_by=handed_by)


def _handed_by(uow: UnitOfWork, upd: StatusUpdate, person: Person) -> Person | None:
    """Who handed this item to `person`: the last hand-over to them (a deputy may hand it on),
    else the owner."""
    from sqlalchemy import select

    entry = uow.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "hand_over", AuditEntry.entity == "recommendation",
                                 AuditEntry.entity_ref == upd.recommendation.code)
        .order_by(AuditEntry.id.desc()).limit(5)).all()
    for row in entry:
        details = (row.details or {}).get("new") or {}
        if details.get("to") == person.handle and details.get("round") == upd.round_id and row.actor_id:
            return uow.session.get(Person, row.actor_id)
    owner = upd.recommendation.owner_id
    return uow.session.get(Person, owner) if owner and owner != person.id else None


def end_conversations(services: Services, uow: UnitOfWork, rounds: list[Round]) -> None:
    """After rounds closed: drop their items from open conversations. Each person whose current
    item closed is told once; the conversation goes on with items of rounds still open, else it
    ends as "closed" (a late answer is then told how to report anyway, see `on_late`)."""
    ids = {upd.id for round_ in rounds for upd in uow.rounds.updates(round_)}
    periods = ", ".join(sorted({r.period for r in rounds}))
    for state in uow.conversations.all_active():
        if state.name != conversation.NAME or not ids & set(state.data.get("queue", [])):
            continue
        queue = state.data["queue"]
        current = queue[state.data["pos"]] if state.data["pos"] < len(queue) else None
        rest = [i for i in queue if i not in ids and _still_open(uow, i)]
        closed = [i for i in queue if i in ids]
        person = uow.session.get(Person, state.person_id)
        ctx = person_context(services, uow, person) if person else None
        if not rest or ctx is None:
            services.conversations.end(state, "closed")
            state.data = {**state.data, "closed": closed}
            if ctx is not None:
                ctx.reply("round_closed_for_you", period=periods)
            continue
        order = [i for i in state.data.get("order") or queue if i in rest]
        state.data = {**state.data, "queue": rest, "order": order,
                      "pos": 0 if current not in rest else rest.index(current)}
        if current not in rest:
            state.data = {**state.data, "item": {}, "mi": 0, "editing": False}
            ctx.reply("round_closed_for_you", period=periods)
            services.conversations.jump(_conv(ctx, state), "status")


def _still_open(uow: UnitOfWork, update_id: int) -> bool:
    upd = uow.session.get(StatusUpdate, update_id)
    return upd is not None and upd.state == "pending" and (upd.round is None or upd.round.state == "open")
