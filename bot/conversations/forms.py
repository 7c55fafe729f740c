"""A whole conversation as one form, for transports that have forms (Slack modals).

The form is built from the conversation's steps — one field per step: a select for a
choice step, a text input otherwise — and a submission runs every step's own answer
parser in order, so the rules are the conversation's, not a second copy. All fields
are checked at once; any error means nothing is stored. Without errors the result is
applied exactly as the conversation's `finish` applies it.

A step named in CONFIRM_STEPS (the "check and say yes" step) is no field: the form's
submit button is the confirmation.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.core.events import ChannelRef, Choice, IncomingMessage, PersonRef
from bot.core.router import build_context

from .engine import DONE, Conversation, ConvContext, Invalid, Step

if TYPE_CHECKING:
    from bot.core.context import Context, Services
    from storage.models import ConversationState

CONFIRM_STEPS = frozenset({"confirm"})


@dataclass(frozen=True)
class FormField:
    name: str  # the step's name; also the key of its answer in a submission
    label: str  # localised: what the step expects (its help text)
    kind: str  # "select" | "text"
    options: tuple[Choice, ...] = ()
    initial: str = ""  # current value, when the conversation already has one
    optional: bool = False  # skippable steps may stay empty


@dataclass(frozen=True)
class Form:
    conversation: str
    state_id: int
    fields: tuple[FormField, ...]
    channel_id: str = ""


@dataclass
class FormResult:
    errors: dict[str, str] = field(default_factory=dict)  # field name → localised message
    queued: int = 0  # messages queued for sending (the conversation's confirmation)

    @property
    def ok(self) -> bool:
        return not self.errors


def form_steps(conversation: Conversation) -> tuple[Step, ...]:
    return tuple(s for s in conversation.steps if s.name not in CONFIRM_STEPS)


def first_question_templates(conversations: dict[str, Conversation]) -> dict[str, str]:
    """Template of each conversation's first question → conversation name (to offer a form)."""
    return {c.steps[0].question: name for name, c in conversations.items() if c.steps}


def describe(cc: ConvContext) -> Form:
    fields = []
    for step in form_steps(cc.conversation):
        options = tuple(step.choices(cc)) if step.choices else ()
        current = cc.data.get(step.name)
        initial = _initial(current, options)
        fields.append(FormField(step.name, cc.ctx.t(step.help), "select" if options else "text",
                                options, initial, step.skippable))
    return Form(cc.conversation.name, cc.state.id, tuple(fields), cc.state.channel_id)


def _initial(current: Any, options: tuple[Choice, ...]) -> str:
    if current is None or isinstance(current, bool):
        return ""  # a yes/no stored as a bool has no unambiguous option value
    text = str(current)
    if options and not any(o.value == text for o in options):
        return ""
    return text


def validate_and_apply(cc: ConvContext, answers: dict[str, str]) -> dict[str, str]:
    """Run each step's parser in order; on success finish the conversation. Returns errors."""
    errors: dict[str, str] = {}
    for step in form_steps(cc.conversation):
        value = (answers.get(step.name) or "").strip()
        if not value:
            if not step.skippable:
                errors[step.name] = cc.ctx.t(step.help)
            continue
        cc.state.step = step.name
        try:
            step.answer(cc, value)
        except Invalid as exc:
            errors[step.name] = cc.ctx.t(exc.message, **exc.values)
    if errors:
        return errors
    state = cc.state
    state.history = [*state.history, state.step]
    state.step, state.status = DONE, "done"
    state.version += 1
    cc.conversation.finish(cc)
    return {}


# -- entry points for transports: each opens its own unit of work (run in the worker thread) --

def _context(services: Services, uow: Any, transport: str, user_id: str, state: ConversationState | None,
             event_id: str) -> Context:
    person = uow.people.by_identity(transport, user_id)
    channel = ChannelRef(transport, state.channel_id if state else "", direct=True)
    message = IncomingMessage(channel, PersonRef(transport, user_id), "", event_id, kind="action")
    return build_context(services, uow, message, person)


def _active_state(services: Services, uow: Any, transport: str, user_id: str,
                  state_id: int | None) -> ConversationState | None:
    from storage.models import ConversationState

    person = uow.people.by_identity(transport, user_id)
    if person is None:
        return None
    if state_id is not None:
        state = uow.session.get(ConversationState, state_id)
    else:
        states = [s for s in uow.conversations.all_active()
                  if s.person_id == person.id and s.transport == transport]
        state = states[-1] if states else None
    if (state is None or state.person_id != person.id or state.status != "active"
            or state.name not in services.conversations.conversations):
        return None
    return state


def load_form(services: Services, transport: str, user_id: str, state_id: int | None = None) -> Form | None:
    """The form for a person's active conversation (a given one, or the latest), or None."""
    with services.uow_factory() as uow:
        state = _active_state(services, uow, transport, user_id, state_id)
        if state is None:
            return None
        ctx = _context(services, uow, transport, user_id, state, "form-open")
        conv = services.conversations.conversations[state.name]
        return describe(ConvContext(ctx, state, conv))


def submit_form(services: Services, transport: str, user_id: str, state_id: int,
                answers: dict[str, str], event_id: str = "") -> FormResult | None:
    """Validate a submission; store and confirm it only when every field is valid.

    None: the conversation is no longer active (finished, cancelled or timed out meanwhile).
    """
    with services.uow_factory() as uow:
        state = _active_state(services, uow, transport, user_id, state_id)
        if state is None:
            return None
        ctx = _context(services, uow, transport, user_id, state, event_id or f"form-{state_id}")
        conv = services.conversations.conversations[state.name]
        errors = validate_and_apply(ConvContext(ctx, state, conv), answers)
        if errors:
            return FormResult(errors)  # leaving the unit of work rolls back every change
        uow.commit()
        return FormResult(queued=len(ctx.outgoing))
