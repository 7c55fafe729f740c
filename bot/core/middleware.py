"""Small single-purpose middleware (Bolt style) and the final dispatch step."""
from __future__ import annotations

import difflib
import logging
import re

from storage.models import Body, Meeting, PublicQuestion, Recommendation

from . import pending_choices
from .commands import CONVERSATION_WORDS, N_, Command, Invocation, UsageError
from .context import Context
from .router import Next
from .roles import Role

log = logging.getLogger(__name__)
_CODE = re.compile(r"[A-Za-z]{1,6}\d{0,3}-\d{1,3}[a-z]?")
MAX_MESSAGE = 16_000  # characters; longer messages are refused politely, not parsed


def drop_own_messages(ctx: Context, next_: Next) -> None:
    if not ctx.message.is_own:
        next_()


def drop_duplicates(ctx: Context, next_: Next) -> None:
    """Slack retries and Matrix re-deliveries carry the same event id: handle it once."""
    event_id = ctx.message.event_id
    if event_id and ctx.uow.ops.seen(ctx.channel.transport, event_id):
        log.info("dropping duplicate event %s", event_id)
        return
    next_()


def refuse_oversized(ctx: Context, next_: Next) -> None:
    length = len(ctx.message.text)
    if length > MAX_MESSAGE and (ctx.message.addressed or ctx.channel.direct):
        ctx.notice("Your message is too long ({length} characters; at most {limit}). "
                   "Nothing was changed.", length=length, limit=MAX_MESSAGE)
        return
    if length <= MAX_MESSAGE:
        next_()


def dispatch(ctx: Context) -> None:
    """Conversation answer, command, or nothing (room chatter not addressed to the bot)."""
    text = ctx.message.text.strip()
    if ctx.message.kind == "late":
        _late_vote(ctx, text)
        return
    if ctx.channel.direct and ctx.person is not None and not text.startswith("!"):
        state = ctx.uow.conversations.active(ctx.channel.transport, ctx.channel.id, ctx.person.id)
        # A button or reaction whose value is a command (an invitation's "zusagen 7") is that command,
        # never the typed answer to an open step ("Was ist geschehen?" ← "zusagen 7").
        clicked_command = ctx.message.kind in ("action", "reaction") and ctx.services.registry.match(text)
        if state is not None and not clicked_command:
            if ctx.message.kind == "edit" and not ctx.services.conversations.accepts_edit(
                    state, ctx.message.replaces):
                return  # an edit of an answer already taken, or of chatter: changes nothing
            ctx.command = f"conversation:{state.name}"
            pending_choices.take(ctx, "")  # the open step is the question now: a numbered list before it is over
            ctx.services.conversations.handle(ctx, state, text, instead=lambda: _command_instead(ctx, text))
            return
        # a click beside an open step (an RSVP mid-conversation) leaves the step's question open
        ctx.step_open = state is not None
    if ctx.message.kind in ("action", "reaction"):
        # a button or reaction carries its choice's value: a self-describing command ("zusagen 7")
        if ctx.services.registry.match(text):
            run_command(ctx, text)
        return
    if not (ctx.message.addressed or ctx.channel.direct) or ctx.message.kind != "message":
        return
    # "2" answering the numbered question just asked ("Welche ist gemeint?") is that choice (F6)
    chosen = pending_choices.take(ctx, text)
    run_command(ctx, chosen or text.removeprefix("!").strip())
    if text.startswith("!") and ctx.channel.direct and ctx.person is not None:
        # `!hilfe` inside a conversation is a command by intent; the open step is asked again after it
        state = ctx.uow.conversations.active(ctx.channel.transport, ctx.channel.id, ctx.person.id)
        if state is not None:
            ctx.services.conversations.ask_again(ctx, state)


def _late_vote(ctx: Context, text: str) -> None:
    """A vote on a poll that has ended counts for nothing (it is not the open step's answer, nor
    an old RSVP): the voter is told so, privately when it came from a room, and where the choice is
    a command ("zusagen 7") how to say it still."""
    command = text if ctx.services.registry.match(text) else ""
    ctx.step_open = True  # it answers nothing: an open step (and its poll) stays open
    if ctx.channel.direct:
        ctx.services.conversations.speak_as_chosen(ctx)
    if ctx.channel.direct or ctx.person is None or ctx.send_to_person(ctx.person, "poll_closed",
                                                                       command=command) is None:
        ctx.reply("poll_closed", command=command)


def _command_instead(ctx: Context, text: str) -> bool:
    """An answer that does not fit the open step but is a well-formed command runs as one."""
    try:
        invocation = ctx.services.registry.parse(text, ctx.today())
    except UsageError:
        return False
    if invocation is None:
        return False
    command = invocation.command
    if command.answer_like and (not any(v is not None for v in invocation.args.values()) or (
            command.body_arg and _body_in_scope(ctx, command, invocation.args) is None)):
        # its words are everyday words ("vielleicht bald" at "Wie ist der Status?"): typed inside a
        # conversation they are an answer, unless they name a meeting or body that exists
        # ("vielleicht 7", as the invitation's button sends it)
        return False
    run_command(ctx, text)
    return True


def run_command(ctx: Context, text: str) -> None:
    if not text:
        ctx.reply("hello")
        return
    near = near_miss(ctx, text)
    if near is not None:  # `runde start EG1` is not `runde` (status) with two words too many
        ctx.reply("usage", problem=ctx.t("Did you mean “{command}”?", command=near.alias(ctx.locale)),
                  usage=near.usage(ctx.locale), summary=ctx.t(near.summary),
                  examples=near.localised_examples(ctx.locale))
        return
    try:
        invocation = ctx.services.registry.parse(text, ctx.today()) or _bare_code(ctx, text)
    except UsageError as exc:
        _usage(ctx, exc)
        return
    if invocation is None:
        _unknown(ctx, text)
        return
    ctx.command = invocation.command.name
    reason = authorize(ctx, invocation)
    if reason:
        ctx.reply("refused", reason=reason, command=invocation.command.alias(ctx.locale))
        return
    try:
        invocation.command.handler(ctx, **invocation.args)
    except UsageError as exc:
        _usage(ctx, exc)


def near_miss(ctx: Context, text: str) -> Command | None:
    """A command of several words, misspelt, that would otherwise be read as a shorter command
    (`runde start EG1` → `runde` + arguments) or as an argument problem (`runde stat`)."""
    registry = ctx.services.registry
    words = [w.casefold() for w in text.split()]
    found = registry.match(text)
    used = len(words) - len(found[1]) if found else 0
    best: tuple[float, Command] | None = None
    for command in registry:
        for aliases in command.aliases.values():
            for alias in aliases:
                size = len(alias.split())
                if size < 2 or size <= used or len(words) < size:
                    continue
                said, meant = words[:size], alias.casefold().split()
                # word by word: `runde start` ~ `runde starten`, but `protokoll seit` ≁ `protokoll export`
                ratios = [difflib.SequenceMatcher(None, a, b).ratio() for a, b in zip(said, meant, strict=True)]
                score = sum(ratios) / len(ratios)
                if said != meant and min(ratios) >= 0.75 and (best is None or score > best[0]):
                    best = (score, command)
    return best[1] if best else None


def _bare_code(ctx: Context, text: str) -> Invocation | None:
    """In a DM, the code of a recommendation alone starts an update of it (`HF2-07`)."""
    update = ctx.services.registry.commands.get("update")
    if update is None or not ctx.channel.direct or not _CODE.fullmatch(text):
        return None
    if ctx.uow.catalog.recommendation(text) is None:
        return None
    return Invocation(update, {"code": text.upper()}, text)


def authorize(ctx: Context, invocation: Invocation) -> str | None:
    """The one place where roles are enforced. Returns why not, or None.

    The rule itself is `Standing.permits` (bot/core/roles.py); the README's permission table is
    generated from the same rule (bot/permissions.py). Here only the body concerned is found."""
    command = invocation.command
    if command.where == "dm" and not ctx.channel.direct:
        return ctx.t("This command works only in a direct message with me.")
    if command.where == "room" and ctx.channel.direct:
        return ctx.t("This command works only in a body's room.")
    item = _item(ctx, command, invocation.args)
    body = getattr(item, "body", None) if item is not None else _body_in_scope(ctx, command, invocation.args)
    if ctx.standing.permits(command.role, body, _owns(ctx, command, item)):
        return None
    return refusal(ctx, command.role, getattr(body, "code", None))


def refusal(ctx: Context, needed: Role, body: str | None) -> str:
    """Why not, naming the role that is needed (and the body, where one is concerned)."""
    role = ctx.t(ROLE_NAMES[needed])
    if ctx.person is None:
        return ctx.t("I do not know you yet ({account}), and this needs the role “{role}”. Write "
                     "“ich bin @your-handle” and the coordinating office confirms it, or ask them to "
                     "add you.", role=role, account=f"{ctx.channel.transport}:{ctx.message.sender.id}")
    if needed == Role.CHAIR and body is not None:
        return ctx.t("Only the chair of {body} or a coordinator may do this.", body=body)
    if needed == Role.MEMBER and body is not None:
        return ctx.t("Only members of {code} may do this.", code=body)
    return ctx.t("This needs the role “{role}”.", role=role)


def _item(ctx: Context, command: Command, args: dict[str, object]) -> object:
    """What a command is about, looked up once for the body and owner checks."""
    if not command.item_arg or not args.get(command.item_arg):
        return None
    code = str(args[command.item_arg])
    if command.item_kind == "question":  # a public question, by number: no body; its owner is whom it went to
        return ctx.uow.session.get(PublicQuestion, int(code)) if code.isdecimal() else None
    if command.item_kind == "measure":
        measure = ctx.uow.catalog.measure(code)
        return measure.recommendation if measure is not None else None
    if command.item_kind == "new":  # HF2-08 is created in field HF2
        return ctx.uow.catalog.field(code.rsplit("-", 1)[0]) if "-" in code else None
    return ctx.uow.catalog.recommendation(code)


def _owns(ctx: Context, command: Command, item: object) -> bool:
    """Owners may update their own recommendations (docs/domain.md: Rollen); the person a public
    question was forwarded to may answer it."""
    if not command.owner_may or ctx.person is None:
        return False
    if isinstance(item, Recommendation):
        return item.owner_id == ctx.person.id
    return isinstance(item, PublicQuestion) and item.forwarded_to_id == ctx.person.id


def _body_in_scope(ctx: Context, command: Command, args: dict[str, object]) -> Body | None:
    """The body a command names (a code, a meeting's number from a button, or the first of its
    words: `abstimmen EG2 1 3`), else the body whose room it is said in."""
    ref = _body_ref(args.get(command.body_arg)) if command.body_arg else None
    if ref is not None and ref.isdigit():
        meeting = ctx.uow.session.get(Meeting, int(ref))
        return meeting.body if meeting is not None else None
    if ref:
        return ctx.uow.bodies.by_code(ref)
    if not ctx.channel.direct:
        return ctx.uow.bodies.by_room(ctx.channel.transport, ctx.channel.id)
    return None


def _body_ref(value: object) -> str | None:
    if isinstance(value, list):  # words: a leading body code, if any ("1", "+3" are options)
        first = str(value[0]) if value else ""
        return first.upper() if first and not first.lstrip("+").isdigit() else None
    return str(value) if value else None


ROLE_NAMES = {Role.UNKNOWN: N_("unknown person"), Role.FOLLOWER: N_("follower"), Role.MEMBER: N_("member"),
              Role.CHAIR: N_("chair"), Role.COORDINATOR: N_("coordinator")}


def _usage(ctx: Context, exc: UsageError) -> None:
    values = {k: (v.get(ctx.locale) or v.get("de")) if isinstance(v, dict) else v
              for k, v in exc.values.items()}
    ctx.reply("usage", problem=ctx.t(exc.problem, **values), usage=exc.command.usage(ctx.locale),
              summary=ctx.t(exc.command.summary), examples=exc.command.localised_examples(ctx.locale))


def _unknown(ctx: Context, text: str) -> None:
    if ctx.services.conversations.late_answer(ctx):  # an answer to a conversation closed meanwhile
        return
    word = text.split()[0][:40] if text.split() else ""
    if len(text.split()) == 1 and any(word.casefold() in words for words in CONVERSATION_WORDS.values()):
        ctx.notice("No conversation is going on with you right now, so there is nothing to go back from, "
                   "cancel or skip. Write “hilfe” for the list of commands.")
        return
    names = [c.alias(ctx.locale) for c in ctx.services.registry]
    close = difflib.get_close_matches(word.casefold(), names, n=1)
    ctx.reply("unknown_command", word=word, suggestion=close[0] if close else "")
