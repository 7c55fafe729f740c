"""Conversation engine (PTB's ConversationHandler, but persisted on every transition).

A conversation is a named list of steps. Each step asks (prompt) and parses the answer
(answer → next step name). The state row — step, answers so far, history for `zurück`,
deadline — is written in the same transaction as the message that moved it, so a
restarted bot continues at the same step.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from bot.core.commands import CONVERSATION_WORDS, N_
from bot.core.context import Context
from bot.core.events import ChannelRef, Choice
from storage.models import ConversationState, Person

DONE = "__done__"
OPEN_ANSWER = "_open_answer"  # in state.data: the rejected answer an edit may still correct
DETOUR = "_detour"  # in state.data: where an edit from a summary returns, and the history it had there
FALLBACKS = CONVERSATION_WORDS


class Invalid(Exception):
    """The answer does not fit the step: say what is expected, change nothing."""

    def __init__(self, message: str, **values: object) -> None:
        super().__init__(message)
        self.message = message
        self.values = values


@dataclass(frozen=True)
class Step:
    name: str
    question: str  # template name
    answer: Callable[[ConvContext, str], str]  # returns the next step's name (or DONE)
    help: str  # msgid: what this step expects
    choices: Callable[[ConvContext], list[Choice]] | None = None
    skippable: bool = False
    values: Callable[[ConvContext], dict[str, Any]] | None = None
    on_skip: Callable[[ConvContext], str] | None = None  # where `überspringen` leads (default: next)
    # values for `help`'s placeholders (the parts one may change at a confirm step, for this item)
    help_values: Callable[[ConvContext], dict[str, Any]] | None = None
    # the help of the position within the step, when it differs (a minutes' approval item)
    help_of: Callable[[ConvContext], str] | None = None


@dataclass(frozen=True)
class Conversation:
    name: str
    steps: tuple[Step, ...]
    finish: Callable[[ConvContext], None]
    timeout: timedelta = timedelta(days=3)
    on_timeout: str = "conversation_timeout"  # template sent when the deadline passes
    # words that work at any step (`später`, `abwesend bis …`): return True when handled
    intercept: Callable[[ConvContext, str], bool] | None = None
    on_cancel: str = N_("Cancelled. Nothing of this conversation was saved.")
    # data keys that say where within a step one is (the index of a repeated step, e.g. each
    # target metric): kept with every history entry so `zurück` returns to exactly what was asked
    position: tuple[str, ...] = ()
    # the data key of a language chosen in this conversation: the rest of it speaks that language
    locale_key: str | None = None
    # an answer that arrives after the conversation was closed from outside (its round closed):
    # says what happened and how to go on; returns True when it answered
    on_late: Callable[[Context, ConversationState], bool] | None = None
    # steps that question the answer just given (a plausibility doubt): never a `zurück` target,
    # because once answered they belong to a value that may no longer be current
    transient: tuple[str, ...] = ()
    # a refused answer ends with "Nothing was changed." (a settings form); a long conversation
    # whose answers are only kept until confirmed goes on without it
    unchanged_note: bool = True

    def step(self, name: str) -> Step:
        return next(s for s in self.steps if s.name == name)

    def after(self, name: str) -> str:
        names = [s.name for s in self.steps]
        index = names.index(name) + 1
        return names[index] if index < len(names) else DONE


@dataclass
class ConvContext:
    ctx: Context
    state: ConversationState
    conversation: Conversation
    extra: dict[str, Any] = field(default_factory=dict)
    fresh: bool = False  # the answer began a new part: `zurück` must not cross into the last

    @property
    def data(self) -> dict[str, Any]:
        return self.state.data

    def set(self, **values: Any) -> None:
        self.state.data = {**self.state.data, **values}  # reassign: JSON columns track assignment

    def choices(self) -> list[Choice]:
        step = self.conversation.step(self.state.step)
        return step.choices(self) if step.choices else []

    def detour(self) -> None:
        """The answer leaves this step (a summary: `ändern punkt 7`) to change something and come
        back: once back, `zurück` goes where it went from here before — to the question before the
        summary, not into the change just made (findings-meet2 F7)."""
        self.set(**{DETOUR: {"step": self.state.step, "history": list(self.state.history)}})


def step_help(cc: ConvContext, step: Step) -> str:
    """What a step expects, in the person's language, with its placeholders filled."""
    msgid = step.help_of(cc) if step.help_of else step.help
    return cc.ctx.t(msgid, **(step.help_values(cc) if step.help_values else {}))


def _names_all(text: str, options: list[Choice]) -> bool:
    return all(c.label.casefold() in text.casefold() for c in options)


def match_choice(choices: list[Choice], text: str) -> Choice | None:
    """A typed answer: the number, the value or the label (case-insensitive)."""
    wanted = text.strip().casefold().rstrip(".")
    for choice in choices:
        if wanted in (choice.key.casefold(), choice.value.casefold(), choice.label.casefold()):
            return choice
    return None


def numbered(pairs: list[tuple[str, str]]) -> list[Choice]:
    return [Choice(value, label, str(i)) for i, (value, label) in enumerate(pairs, start=1)]


class ConversationEngine:
    def __init__(self) -> None:
        self.conversations: dict[str, Conversation] = {}

    def register(self, conversation: Conversation) -> None:
        self.conversations[conversation.name] = conversation

    def start(self, ctx: Context, name: str, person: Person, channel: ChannelRef,
              data: dict[str, Any] | None = None, ask: bool = True) -> ConversationState:
        """Begin (or restart) a conversation with a person in a DM channel."""
        active = ctx.uow.conversations.active(channel.transport, channel.id, person.id)
        if active is not None:
            self.end(active, "cancelled")
        conv = self.conversations[name]
        state = ctx.uow.conversations.add(ConversationState(
            person_id=person.id, transport=channel.transport, channel_id=channel.id, name=name,
            step=conv.steps[0].name, data=data or {}, history=[],
            deadline=ctx.now() + conv.timeout))
        ctx.uow.flush()
        if ask:
            self.ask(ConvContext(ctx, state, conv))
        return state

    def ask(self, cc: ConvContext) -> None:
        step = cc.conversation.step(cc.state.step)
        values = step.values(cc) if step.values else {}
        cc.ctx.reply(step.question, choices=cc.choices(), step_help=step_help(cc, step),
                     skippable=step.skippable, can_go_back=bool(cc.state.history), **values)

    def ask_again(self, ctx: Context, state: ConversationState) -> None:
        """After a command typed inside a conversation: its open step, asked again."""
        conv = self.conversations.get(state.name)
        if conv is not None and state.status == "active":
            self.ask(ConvContext(ctx, state, conv))

    def handle(self, ctx: Context, state: ConversationState, text: str,
               instead: Callable[[], bool] | None = None) -> None:
        """Answer the open step. `instead` may take an answer that does not fit the step
        (a command such as `runde status`); the conversation then waits where it is."""
        conv = self.conversations.get(state.name)
        if conv is None:  # a conversation type that no longer exists after an upgrade
            self.end(state, "cancelled")
            ctx.notice("That conversation is no longer available; it has been closed.")
            return
        cc = ConvContext(ctx, state, conv)
        if conv.locale_key and state.data.get(conv.locale_key):
            ctx.chosen_locale = state.data[conv.locale_key]
        cc.extra["asked"] = _position(conv, state)  # before the answer moves it on
        fallback = _fallback(text)
        if fallback:
            getattr(self, f"_on_{fallback}")(cc)
            return
        if conv.intercept is not None and conv.intercept(cc, text.strip()):
            return
        step = conv.step(state.step)
        try:
            next_step = step.answer(cc, text.strip())
        except Invalid as exc:
            if instead is not None and instead():
                # a command ran instead of an answer: the step that is still open is asked again
                if state.status == "active" and ctx.uow.conversations.active(
                        state.transport, state.channel_id, state.person_id) is state:
                    self.ask(cc)
                return
            # The step stays open: an edit of this message (Matrix m.replace) may still answer it.
            state.data = {**state.data, OPEN_ANSWER: {"step": state.step,
                                                      "event": ctx.message.replaces or ctx.message.event_id}}
            self.refuse(cc, ctx.t(exc.message, **exc.values))
            return
        self.move(cc, next_step)

    def refuse(self, cc: ConvContext, problem: str) -> None:
        """Say what is wrong and what the step expects, naming its options once: in the problem
        ("Bitte antworten Sie mit 1 (Deutsch) oder 2 (English)."), else in the step's help
        ("Wählen Sie den Status: 1 nicht begonnen, …"), else as a list. The step stays open, and so
        does its question: no new choices, and its poll (Matrix) stays the one to vote in."""
        step = cc.conversation.step(cc.state.step)
        options = cc.choices()
        help_text = step_help(cc, step)
        if options and _names_all(problem, options):
            help_text, options = "", []
        elif options and _names_all(help_text, options):
            options = []
        cc.ctx.reply("step_invalid", problem=problem, step_help="" if help_text == problem else help_text,
                     options=options, unchanged_note=cc.conversation.unchanged_note, step_open=True)

    def speak_as_chosen(self, ctx: Context) -> None:
        """Outside its steps (a late vote) too, the person's open conversation speaks the language
        chosen in it, though not saved yet (`einstellungen`)."""
        if ctx.person is None:
            return
        state = ctx.uow.conversations.active(ctx.channel.transport, ctx.channel.id, ctx.person.id)
        conv = self.conversations.get(state.name) if state is not None else None
        if state is not None and conv is not None and conv.locale_key and state.data.get(conv.locale_key):
            ctx.chosen_locale = state.data[conv.locale_key]

    def late_answer(self, ctx: Context) -> bool:
        """A message after the person's conversation here was closed from outside: answered?"""
        if ctx.person is None or not ctx.channel.direct:
            return False
        state = _latest(ctx, ctx.person.id)
        conv = self.conversations.get(state.name) if state is not None else None
        if state is None or conv is None or state.status != "closed" or conv.on_late is None:
            return False
        return conv.on_late(ctx, state)

    def accepts_edit(self, state: ConversationState, replaces: str) -> bool:
        """An edited message counts as an answer only if it answered the still-open step."""
        open_answer = state.data.get(OPEN_ANSWER) or {}
        return bool(replaces) and open_answer.get("event") == replaces and open_answer.get("step") == state.step

    # -- transitions: only the engine moves a conversation; each one bumps `version`, the
    # optimistic lock checked by the database on every write of the row (storage.models.ops) --

    def move(self, cc: ConvContext, next_step: str) -> None:
        """After an answer: remember where it was asked (for `zurück`), then go on."""
        state = cc.state
        asked = cc.extra.get("asked", _position(cc.conversation, state))
        detour = state.data.get(DETOUR)
        if cc.fresh:
            state.history = []
        elif isinstance(detour, dict) and next_step == detour.get("step") and _step_of(asked) != next_step:
            state.history = list(detour.get("history", []))  # back from a detour: as it was before it
            cc.set(**{DETOUR: None})
        elif _step_of(asked) not in cc.conversation.transient:
            state.history = [*state.history, asked]
        elif state.history and state.history[-1] == _position(cc.conversation, state, next_step):
            # a doubt answered with "correct it": back at the answer it questioned, as with `zurück`
            state.history = state.history[:-1]
        state.deadline = cc.ctx.now() + cc.conversation.timeout
        if next_step == DONE:
            self.end(state, "done")
            cc.conversation.finish(cc)
            return
        _bump(state, step=next_step)
        self.ask(cc)

    def jump(self, cc: ConvContext, step: str, ask: bool = True) -> None:
        """Begin a new part at `step` (another item, an edit): `zurück` does not cross back."""
        cc.state.history = []
        _bump(cc.state, step=step)
        if ask:
            self.ask(cc)

    @staticmethod
    def end(state: ConversationState, status: str) -> None:
        """done | cancelled | timeout | closed (its round closed) | closed_told (a late answer was told)."""
        _bump(state, status=status)

    def _on_help(self, cc: ConvContext) -> None:
        step = cc.conversation.step(cc.state.step)
        cc.ctx.reply("step_help", step_help=step_help(cc, step), skippable=step.skippable,
                     can_go_back=bool(cc.state.history), choices=cc.choices())

    def _on_back(self, cc: ConvContext) -> None:
        # transient steps in a history saved before they were left out are passed over
        history = [e for e in cc.state.history if _step_of(e) not in cc.conversation.transient]
        if not history:
            cc.ctx.notice("This is the first question; there is nothing to go back to.")
            self.ask(cc)
            return
        *rest, previous = history
        if isinstance(previous, dict):  # {"step": …, "at": {position keys}}
            cc.state.step = previous["step"]
            cc.set(**previous.get("at", {}))
        else:  # a plain step name (saved before positions were kept)
            cc.state.step = previous
        cc.state.history = rest
        _bump(cc.state)
        self.ask(cc)

    def _on_cancel(self, cc: ConvContext) -> None:
        self.end(cc.state, "cancelled")
        cc.ctx.notice(cc.conversation.on_cancel)

    def _on_skip(self, cc: ConvContext) -> None:
        step = cc.conversation.step(cc.state.step)
        if not step.skippable:
            cc.ctx.notice("This question cannot be skipped.")
            self.ask(cc)
            return
        self.move(cc, step.on_skip(cc) if step.on_skip else cc.conversation.after(step.name))

    def expire(self, ctx_factory: Callable[[ConversationState], Context | None], now: Any,
               states: list[ConversationState]) -> int:
        """Close conversations whose deadline passed, telling the person once."""
        for state in states:
            self.end(state, "timeout")
            ctx = ctx_factory(state)
            conv = self.conversations.get(state.name)
            if ctx is not None and conv is not None:
                ctx.reply(conv.on_timeout, closes=("",))  # the step's poll ends with it
        return len(states)


def _bump(state: ConversationState, **changes: str) -> None:
    for key, value in changes.items():
        setattr(state, key, value)
    state.version = (state.version or 0) + 1


def _position(conv: Conversation, state: ConversationState, step: str | None = None) -> str | dict[str, Any]:
    """A history entry: the step's name, with its position keys where the conversation has them."""
    if not conv.position:
        return step or state.step
    return {"step": step or state.step, "at": {k: state.data.get(k) for k in conv.position}}


def _step_of(entry: str | dict[str, Any]) -> str:
    return entry["step"] if isinstance(entry, dict) else entry


def _latest(ctx: Context, person_id: int) -> ConversationState | None:
    from sqlalchemy import select

    stmt = (select(ConversationState)
            .where(ConversationState.transport == ctx.channel.transport,
                   ConversationState.channel_id.in_((ctx.channel.id, "")),  # "" before the DM's id was known
                   ConversationState.person_id == person_id)
            .order_by(ConversationState.id.desc()).limit(1))
    return ctx.uow.session.scalars(stmt).first()


def _fallback(text: str) -> str | None:
    word = text.strip().casefold()
    return next((name for name, words in FALLBACKS.items() if word in words), None)
