"""Moderation of public questions from chat, data minimisation, and export/erasure.

States: new → (forwarded →) published | rejected. Nothing is public before `publish`; an
answer given before publication is published with the question. An e-mail address is kept until
the office has answered the author and says so (`frage erledigt N`: `replied`), or the question is
rejected, and after `[questions] email_retention_days` at the latest (`minimise`, a scheduler
tick) — not at publication: the author asked for an answer by e-mail (issue #18).

For the GDPR export and erasure: `export_for(uow, person=…, email=…)` lists a person's or an
address's submissions (and what a person did as moderator); `erase_for(…)` deletes the
submissions written from that address and removes the person from the moderation records."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select, update

from bot.core.commands import N_
from bot.core.events import ChannelRef, Choice
from storage.db import rowcount
from storage.models import Body, Person, PublicQuestion, Recommendation

if TYPE_CHECKING:
    from bot.core.context import Context, Services
    from storage.uow import UnitOfWork

log = logging.getLogger(__name__)
MAX_ANSWER = 4000


class QuestionError(Exception):
    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message)
        self.message, self.values = message, values


# -- where submissions are announced ---------------------------------------------------------


def rooms(ctx: Context, rec: Recommendation | None) -> dict[ChannelRef, bool]:
    """The coordinating office's rooms (True: they moderate), and the responsible body's if so
    configured (False: for their information; the office decides)."""
    bodies = [b for b in ctx.uow.bodies.all() if b.coordinating]
    if rec is not None and rec.body is not None and ctx.services.settings.questions.notify_body_rooms:
        bodies.append(rec.body)
    found: dict[ChannelRef, bool] = {}
    for body in bodies:
        for room in body.rooms:
            channel = ChannelRef(room.transport, room.room_id)
            if room.transport in ctx.services.formats and channel not in found:
                found[channel] = body.coordinating
    return found


def moderation_choices(ctx: Context, q: PublicQuestion, locale: str) -> list[Choice]:
    t = ctx.services.translations.gettext
    choices = [Choice(f"frage veröffentlichen {q.id}", t(locale, N_("Publish")), "1")]
    if q.state == "new":
        choices.append(Choice(f"frage weiterleiten {q.id}", t(locale, N_("Forward to the owner")), "2"))
    choices.append(Choice(f"frage ablehnen {q.id}", t(locale, N_("Reject")), "3"))
    return choices


def announce(ctx: Context, q: PublicQuestion, template: str = "question_new", **values: Any) -> int:
    """Post a question (new, or with an answer waiting) to the moderating rooms, with buttons."""
    rec = recommendation(ctx.uow, q)
    locale = ctx.services.settings.general.locale
    targets = rooms(ctx, rec) if template == "question_new" else {
        c: True for c, moderate in rooms(ctx, rec).items() if moderate}  # answers: to the office only
    for channel, moderate in targets.items():
        ctx.send(channel, template, locale, choices=moderation_choices(ctx, q, locale) if moderate else [],
                 asks=f"question:{q.id}", q=q, rec=rec, moderate=moderate, **values)
    if not targets:
        log.warning("public question %s: no office room on a running transport to announce it in", q.id)
    return len(targets)


def notify_new(services: Services, uow: UnitOfWork, q: PublicQuestion) -> int:
    """Called by the web form (no chat event): announce with a system context."""
    from bot.jobs import system_context

    channel = ChannelRef(next(iter(services.formats), "console"), "")
    return announce(system_context(services, uow, channel, None), q)


def recommendation(uow: UnitOfWork, q: PublicQuestion) -> Recommendation | None:
    return uow.session.get(Recommendation, q.recommendation_id) if q.recommendation_id else None


def public_url(ctx: Context, q: PublicQuestion) -> str:
    base = str(ctx.services.settings.web.public_base_url).rstrip("/") + "/"
    rec = recommendation(ctx.uow, q)
    return f"{base}empfehlungen/{rec.code}.html#frage-{q.id}" if rec else f"{base}index.html#frage-{q.id}"


# -- moderation -----------------------------------------------------------------------------


def find(ctx: Context, number: int, states: tuple[str, ...] = ("new", "forwarded", "published")) -> PublicQuestion:
    q = ctx.uow.questions.get(number)
    if q is None or q.state not in states:
        if q is not None and q.state == "rejected":
            raise QuestionError(N_("Question {number} was rejected."), number=number)
        raise QuestionError(N_("There is no open question {number}; “fragen” lists them."), number=number)
    return q


def _decided(ctx: Context, q: PublicQuestion, state: str) -> None:
    old = q.state
    q.state, q.decided_at = state, ctx.now()
    q.decided_by_id = ctx.person.id if ctx.person else None
    q.updated_at = ctx.now()
    ctx.uow.audit.record(ctx.person, f"question_{state}", "public_question", str(q.id), old=old, new=state)


def publish(ctx: Context, q: PublicQuestion) -> None:
    if q.state == "published":
        raise QuestionError(N_("Question {number} is already published."), number=q.id)
    _decided(ctx, q, "published")
    q.published_at = ctx.now()


def answer(ctx: Context, q: PublicQuestion, text: str) -> None:
    """Store the answer; on a published question it is public at once, otherwise with the question."""
    text = text.strip()
    if len(text) > MAX_ANSWER:
        raise QuestionError(N_("That is {length} characters; at most {limit} fit here. Please shorten it."),
                            length=len(text), limit=MAX_ANSWER)
    old = q.answer
    q.answer, q.answered_at = text, ctx.now()
    q.answered_by_id = ctx.person.id if ctx.person else None
    q.updated_at = ctx.now()
    ctx.uow.audit.record(ctx.person, "question_answer", "public_question", str(q.id), old=old, new=text)


def owes_reply(q: PublicQuestion) -> bool:
    """The author gave an address and is owed an answer the office has not yet marked as sent: once it
    is answered, or published without an answer yet (site finding F5: it dropped out of every list)."""
    return q.email is not None and q.state != "rejected" and (bool(q.answer) or q.state == "published")


def replied(ctx: Context, q: PublicQuestion) -> None:
    """`frage erledigt N`: the office answered the author by e-mail; the address has done its job."""
    if q.email is None:
        raise QuestionError(N_("Question {number} has no e-mail address (any more)."), number=q.id)
    erase_email(q, ctx.now())
    q.updated_at = ctx.now()
    ctx.uow.audit.record(ctx.person, "question_replied", "public_question", str(q.id))


def forward(ctx: Context, q: PublicQuestion, to: Person) -> bool:
    """Ask the person (by DM) to answer; False if they are not reachable on a running transport."""
    rec = recommendation(ctx.uow, q)
    if ctx.send_to_person(to, "question_forwarded", q=q, rec=rec) is None:
        return False
    q.state, q.forwarded_to_id, q.updated_at = "forwarded", to.id, ctx.now()
    ctx.uow.audit.record(ctx.person, "question_forward", "public_question", str(q.id), to=to.handle)
    return True


def reject(ctx: Context, q: PublicQuestion, reason: str) -> None:
    if q.state == "published":
        raise QuestionError(N_("Question {number} is published; it can no longer be rejected."), number=q.id)
    _decided(ctx, q, "rejected")
    q.reject_reason = reason.strip()[:500]
    erase_email(q, ctx.now())  # no answer will come: the address has no purpose left


def may_answer(ctx: Context, q: PublicQuestion) -> bool:
    if ctx.standing.coordinator:
        return True
    return ctx.person is not None and q.forwarded_to_id == ctx.person.id and q.state != "published"


# -- data minimisation, export, erasure -----------------------------------------------------


def erase_email(q: PublicQuestion, now: datetime) -> None:
    if q.email is not None:
        q.email, q.email_erased_at = None, now


def minimise(services: Services) -> int:
    """Delete e-mail addresses no longer needed, and sender keys older than the rate window."""
    cfg = services.settings.questions
    now = services.clock()
    with services.uow_factory() as uow:
        stale = now - timedelta(days=cfg.email_retention_days)
        done = or_(PublicQuestion.state == "rejected", PublicQuestion.created_at < stale)
        emails = rowcount(uow.session.execute(update(PublicQuestion).where(PublicQuestion.email.is_not(None), done)
                                              .values(email=None, email_erased_at=now)))
        window = now - timedelta(minutes=cfg.rate_window_minutes)
        uow.session.execute(update(PublicQuestion).where(PublicQuestion.sender_key.is_not(None),
                                                         PublicQuestion.created_at < window)
                            .values(sender_key=None))
        uow.commit()
    if emails:
        log.info("deleted %d e-mail addresses of public questions", emails)
    return emails or 0


EXPIRY_NOTICE_DAYS = 7  # the office hears of an owed answer this long before its address is deleted


def warn_expiring(services: Services) -> int:
    """Tell the office, once, of every owed e-mail answer whose address will be deleted within a week
    (site2 F12: it expired unnoticed after 90 days). Returns how many were told."""
    from bot.jobs import system_context

    cfg = services.settings.questions
    now = services.clock()
    soon = now - timedelta(days=cfg.email_retention_days - min(EXPIRY_NOTICE_DAYS, cfg.email_retention_days - 1))
    told, locale = 0, services.settings.general.locale
    with services.uow_factory() as uow:
        due = uow.session.scalars(select(PublicQuestion).where(PublicQuestion.email.is_not(None),
                                                               PublicQuestion.created_at < soon)
                                  .order_by(PublicQuestion.id)).all()
        ctx = system_context(services, uow, ChannelRef("system", ""), None)
        for q in due:
            key = f"question-email-expiry:{q.id}"
            if not owes_reply(q) or uow.ops.done(key):
                continue
            rec, expires = recommendation(uow, q), q.created_at + timedelta(days=cfg.email_retention_days)
            for channel, moderate in rooms(ctx, rec).items():
                if moderate:
                    ctx.send(channel, "question_email_expiring", locale, q=q, rec=rec, expires=expires)
            uow.ops.mark_done(key, "question", now, now)
            told += 1
        uow.commit()
    return told


def _address(person: Person | None, email: str | None) -> str | None:
    return (email or (person.email if person is not None else None) or None)


def export_for(uow: UnitOfWork, person: Person | None = None, email: str | None = None) -> list[dict[str, Any]]:
    """Everything stored about a person's or an e-mail address's public questions."""
    address = _address(person, email)
    rows = uow.questions.of(email=address, person_id=person.id if person else None)
    out = []
    for q in rows:
        roles = [r for r, pid in (("answered", q.answered_by_id), ("forwarded_to", q.forwarded_to_id),
                                  ("decided", q.decided_by_id)) if person is not None and pid == person.id]
        if address and q.email and q.email.lower() == address.strip().lower():
            roles.insert(0, "author")
        rec = recommendation(uow, q)
        entry: dict[str, Any] = {
            "id": q.id, "recommendation": rec.code if rec else None, "text": q.text, "state": q.state,
            "answer": q.answer, "created_at": q.created_at.isoformat(),
            "published_at": q.published_at.isoformat() if q.published_at else None, "roles": roles}
        if "author" in roles:  # the author's own data; a moderator's export holds no one else's
            entry.update({"name": q.name, "show_name": q.show_name, "email": q.email,
                          "consent_at": q.consent_at.isoformat()})
        elif q.show_name and q.published_at:  # what anyone can read on the public page
            entry["name"] = q.name
        out.append(entry)
    return out


def erase_for(uow: UnitOfWork, person: Person | None = None, email: str | None = None) -> int:
    """Delete the submissions written from the address; unlink the person from moderation.
    Returns the number of submissions deleted. The caller commits."""
    address = _address(person, email)
    deleted = 0
    if address:
        for q in uow.questions.of(email=address):
            uow.session.delete(q)
            deleted += 1
    if person is not None:
        for column in ("answered_by_id", "forwarded_to_id", "decided_by_id"):
            uow.session.execute(update(PublicQuestion).where(getattr(PublicQuestion, column) == person.id)
                                .values({column: None}))
    uow.flush()
    return deleted


def office_body(uow: UnitOfWork) -> Body | None:
    return uow.session.scalar(select(Body).where(Body.coordinating.is_(True)).order_by(Body.id))
