"""A whole conversation as one form, for transports that have forms (Slack modals).

The form is built from the conversation's steps — one field per step from where the
conversation stands: a select for a choice step, a text input otherwise. A submission is
answered the way the person would answer in chat: starting at the current step, each
step's own parser takes its field and names the next step, so the rules and the path
(skips, `unverändert`, steps that do not apply) are the conversation's own. Every field
is checked, all errors come back at once, and any error means nothing is stored. Without
errors the confirmation step is answered "ja" and the engine moves on exactly as in chat:
`finish` for a finished conversation, or the next question (e.g. the next item of a round).

A step named in CONFIRM_STEPS (the "check and say yes" step) is no field: the form's
submit button is the confirmation. A step that asks again for itself (one answer per
target metric) cannot take one field; the form says so at that field.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.core.commands import N_
from bot.core.events import ChannelRef, Choice, IncomingMessage, PersonRef
from bot.core.router import build_context

from .engine import DONE, Conversation, ConvContext, Invalid, Step, step_help

if TYPE_CHECKING:
    from bot.core.context import Context, Services
    from storage.models import ConversationState

CONFIRM_STEPS = frozenset({"confirm"})
# "Is that right?" steps asked only after an odd answer (a plausibility check): no field; in a
# form the answer as given is taken (the form showed it before submitting)
CHECK_STEPS = frozenset({"doubt"})
CHECK_WORD = "ja"
CONFIRM_WORD = "ja"  # what the submit button says to the confirmation step
LOOPING = N_("This question needs several answers; please answer it in our conversation.")


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


def form_steps(conversation: Conversation, start: str | None = None) -> tuple[Step, ...]:
    """The steps shown as fields: from `start` (the current step) on, without confirmation."""
    steps = [s for s in conversation.steps if s.name not in CONFIRM_STEPS | CHECK_STEPS]
    names = [s.name for s in steps]
    return tuple(steps[names.index(start):] if start in names else steps)


def first_question_templates(conversations: dict[str, Conversation]) -> dict[str, str]:
    """Template of each conversation's first question → conversation name (to offer a form)."""
    return {c.steps[0].question: name for name, c in conversations.items() if c.steps}


def describe(cc: ConvContext) -> Form:
    fields = []
    for step in form_steps(cc.conversation, cc.state.step):
        options = tuple(step.choices(cc)) if step.choices else ()
        initial = _initial(cc.data.get(step.name), options)
        fields.append(FormField(step.name, step_help(cc, step), "select" if options else "text",
                                options, initial, step.skippable))
    return Form(cc.conversation.name, cc.state.id, tuple(fields), cc.state.channel_id)


def _initial(current: Any, options: tuple[Choice, ...]) -> str:
    if current is None or isinstance(current, (bool, dict, list)):
        return ""  # a yes/no stored as a bool has no unambiguous option value
    text = str(current)
    if options and not any(o.value == text for o in options):
        return ""
    return text


def validate_and_apply(cc: ConvContext, answers: dict[str, str]) -> dict[str, str]:
    """Answer step after step along the conversation's path; all or nothing. Returns errors."""
    conv, state = cc.conversation, cc.state
    steps = form_steps(conv, state.step)
    if not steps:
        return {}
    errors: dict[str, tuple[str, dict[str, object]]] = {}  # translated at the end, in the form's language
    shown_in = cc.ctx.chosen_locale  # a language field answered on the way must not switch the errors
    name, seen = steps[0].name, set()
    while name != DONE and name not in CONFIRM_STEPS:
        step = conv.step(name)
        if name in CHECK_STEPS:
            state.step = name
            name = step.answer(cc, CHECK_WORD)
            continue
        if name in seen:  # a step that repeats itself needs more answers than one field holds
            errors[name] = (LOOPING, {})
            break
        seen.add(name)
        state.step = name
        value = (answers.get(name) or "").strip()
        try:
            if value:
                following = step.answer(cc, value)
            elif step.skippable:
                following = step.on_skip(cc) if step.on_skip else conv.after(name)
            else:
                raise Invalid(step.help)
        except Invalid as exc:
            errors[name] = (exc.message, exc.values)
            following = conv.after(name)  # keep checking the remaining fields
        if following != DONE:
            state.history = [*state.history, name]
        name = following
    if errors:
        cc.ctx.chosen_locale = shown_in
        return {field: cc.ctx.t(message, **values) for field, (message, values) in errors.items()}
    if name in CONFIRM_STEPS:  # the submit button is the "ja" of the confirmation step
        state.step = name
        try:
            name = conv.step(name).answer(cc, CONFIRM_WORD)
        except Invalid as exc:
            return {steps[-1].name: cc.ctx.t(exc.message, **exc.values)}
    cc.ctx.services.conversations.move(cc, name)  # DONE → finish; otherwise ask what comes next
    return {}


# -- entry points for transports: each opens its own unit of work (run in the worker thread) --

def _context(services: Services, uow: Any, transport: str, user_id: str, state: ConversationState | None,
             event_id: str) -> Context:
    person = uow.people.by_identity(transport, user_id)
    channel = ChannelRef(transport, state.channel_id if state else "", direct=True)
    message = IncomingMessage(channel, PersonRef(transport, user_id), "", event_id, kind="action")
    return build_context(services, uow, message, person)


def _active_state(services: Services, uow: Any, transport: str, user_id: str,
                  state_id: int | None, name: str = "") -> ConversationState | None:
    from storage.models import ConversationState

    person = uow.people.by_identity(transport, user_id)
    if person is None:
        return None
    if state_id is not None:
        state = uow.session.get(ConversationState, state_id)
    else:
        states = [s for s in uow.conversations.all_active()
                  if s.person_id == person.id and s.transport == transport and (not name or s.name == name)]
        state = states[-1] if states else None
    if (state is None or state.person_id != person.id or state.status != "active"
            or state.name not in services.conversations.conversations):
        return None
    return state


def load_form(services: Services, transport: str, user_id: str, state_id: int | None = None,
              name: str = "") -> Form | None:
    """The form for a person's active conversation (a given one, or the latest [of a kind]), or None."""
    with services.uow_factory() as uow:
        state = _active_state(services, uow, transport, user_id, state_id, name)
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
