"""`fragen`, `frage N`, `frage veröffentlichen|antworten|weiterleiten|ablehnen N …`: moderating the
questions and comments the public leaves on the status page (bot/questions/)."""
from __future__ import annotations


from bot.conversations.engine import ConversationEngine
from bot.core.argtypes import Number, PersonMention, Text
from bot.core.commands import Arg, Command, CommandRegistry, N_
from bot.core.context import Context
from bot.core.roles import Role
from bot.questions import service
from bot.questions.service import QuestionError
from storage.models import Person, PublicQuestion


def _fail(ctx: Context, exc: QuestionError) -> None:
    ctx.notice(exc.message, **exc.values)


def _show(ctx: Context, q: PublicQuestion, template: str = "question_detail") -> None:
    ctx.reply(template, choices=service.moderation_choices(ctx, q, ctx.locale) if q.state in ("new", "forwarded")
              else None, asks=f"question:{q.id}", q=q, rec=service.recommendation(ctx.uow, q),
              email=ctx.standing.coordinator and ctx.channel.direct,  # an address only in a DM, not a room
              owed=service.owes_reply(q))


def list_open(ctx: Context) -> None:
    items = [(q, service.recommendation(ctx.uow, q)) for q in ctx.uow.questions.open()]
    owed = [(q, service.recommendation(ctx.uow, q)) for q in ctx.uow.questions.reply_owed()
            if q.state not in ("new", "forwarded")]
    ctx.reply("question_list", items=items, owed=owed, email=ctx.channel.direct)


def _owed(ctx: Context, q: PublicQuestion) -> None:
    """Tell the office that the author waits for an answer by e-mail (the address only in a DM)."""
    if not service.owes_reply(q):
        return
    if ctx.channel.direct:
        ctx.notice("An answer by e-mail is owed to {address}. Once you have sent it: “frage erledigt {number}” "
                   "(the address is then deleted).", address=q.email, number=q.id)
    else:
        ctx.notice("An answer by e-mail is owed (“frage {number}” in a direct message shows the address). Once "
                   "you have sent it: “frage erledigt {number}”.", number=q.id)


def replied(ctx: Context, number: int) -> None:
    try:
        q = service.find(ctx, number, ("new", "forwarded", "published"))
        service.replied(ctx, q)
    except QuestionError as exc:
        _fail(ctx, exc)
        return
    ctx.notice("Question {number}: marked as answered by e-mail; the address is deleted.", number=q.id)


def show(ctx: Context, number: int) -> None:
    try:
        q = service.find(ctx, number, ("new", "forwarded", "published", "rejected"))
    except QuestionError as exc:
        _fail(ctx, exc)
        return
    _show(ctx, q)


def publish(ctx: Context, number: int) -> None:
    try:
        q = service.find(ctx, number)
        service.publish(ctx, q)
    except QuestionError as exc:
        _fail(ctx, exc)
        return
    message = (N_("Question {number} is published with its answer: {url}") if q.answer
               else N_("Question {number} is published (without an answer yet; add one with "
                       "“frage antworten {number} …”): {url}"))
    ctx.notice(message, number=q.id, url=service.public_url(ctx, q))
    _owed(ctx, q)


def answer(ctx: Context, number: int, text: str) -> None:
    try:
        q = service.find(ctx, number)
        if not service.may_answer(ctx, q):
            ctx.notice("Only the office, or the person a question was forwarded to, may answer it.")
            return
        service.answer(ctx, q, text)
    except QuestionError as exc:
        _fail(ctx, exc)
        return
    if q.state == "published":
        ctx.notice("The answer to question {number} is published: {url}", number=q.id, url=service.public_url(ctx, q))
        if ctx.standing.coordinator:
            _owed(ctx, q)
    elif ctx.standing.coordinator:
        _show(ctx, q, "question_answered")  # the answer with the buttons: publish it with the question
    else:
        service.announce(ctx, q, "question_answered", by=ctx.person.name if ctx.person else "")
        ctx.notice("Thank you. The office reviews your answer and publishes it with the question.")


def forward(ctx: Context, number: int, who: str | None = None) -> None:
    try:
        q = service.find(ctx, number, ("new", "forwarded"))
    except QuestionError as exc:
        _fail(ctx, exc)
        return
    to = _target(ctx, q, who)
    if to is None:
        return
    if not service.forward(ctx, q, to):
        ctx.notice("{name} cannot be reached here by direct message.", name=to.name)
        return
    ctx.notice("Question {number} went to {name} by direct message. Their answer comes back here for release.",
               number=q.id, name=to.name)


def _target(ctx: Context, q: PublicQuestion, who: str | None) -> Person | None:
    if who:
        transport, sep, external = who.partition(":")
        found = ctx.uow.people.by_identity(transport, external) if sep else ctx.uow.people.by_handle(who)
        if found is None:
            ctx.notice("I do not know {name}. Mention someone the office has added.", name=who[:40])
        return found
    rec = service.recommendation(ctx.uow, q)
    if rec is None or rec.owner is None:
        ctx.notice("Question {number} has no recommendation with a responsible person: name one, like "
                   "“frage weiterleiten {number} @name”.", number=q.id)
        return None
    return rec.owner


def reject(ctx: Context, number: int, reason: str | None = None) -> None:
    try:
        q = service.find(ctx, number, ("new", "forwarded"))
        service.reject(ctx, q, reason or "")
    except QuestionError as exc:
        _fail(ctx, exc)
        return
    ctx.notice("Question {number} is rejected: it is not published, and its e-mail address is deleted.",
               number=q.id)


def register(registry: CommandRegistry, conversations: ConversationEngine) -> None:
    number = Arg("number", Number(message=N_("“{value}” is not a number from the “fragen” list.")), {"de": "Nr", "en": "no"})
    for command in (
        Command("questions", {"de": ("fragen",), "en": ("questions",)},
                N_("Questions and comments from the public page that wait for moderation."), list_open,
                role=Role.COORDINATOR, group="follow"),
        Command("question", {"de": ("frage",), "en": ("question",)},
                N_("One question from the public page, with its e-mail address if given."), show, args=(number,),
                role=Role.COORDINATOR, group="follow", examples=("frage 3",)),
        Command("question_publish", {"de": ("frage veröffentlichen", "frage veroeffentlichen"),
                                     "en": ("question publish",)},
                N_("Publish a question on the status page, with its answer if it has one."), publish,
                args=(number,), role=Role.COORDINATOR, group="follow", examples=("frage veröffentlichen 3",)),
        Command("question_answer", {"de": ("frage antworten", "frage beantworten"), "en": ("question answer",)},
                N_("Answer a question; the answer is published with it."), answer,
                args=(number, Arg("text", Text(), {"de": "Antwort", "en": "answer"}, rest=True)),
                role=Role.COORDINATOR, item_arg="number", item_kind="question", owner_may=True,
                group="follow", examples=("frage antworten 3 Der Kurs beginnt im März.",)),
        Command("question_forward", {"de": ("frage weiterleiten",), "en": ("question forward",)},
                N_("Ask the recommendation's owner (or someone named) by direct message to answer."), forward,
                args=(number, Arg("who", PersonMention(), {"de": "@Person", "en": "@person"}, required=False)),
                role=Role.COORDINATOR, group="follow", examples=("frage weiterleiten 3",)),
        Command("question_replied", {"de": ("frage erledigt",), "en": ("question replied",)},
                N_("Mark a question as answered by e-mail: its address is deleted."), replied,
                args=(number,), role=Role.COORDINATOR, group="follow", examples=("frage erledigt 3",)),
        Command("question_reject", {"de": ("frage ablehnen",), "en": ("question reject",)},
                N_("Reject a question: it is never published."), reject,
                args=(number, Arg("reason", Text(), {"de": "Grund", "en": "reason"}, required=False, rest=True)),
                role=Role.COORDINATOR, group="follow", examples=("frage ablehnen 4 Werbung",)),
    ):
        registry.register(command)
