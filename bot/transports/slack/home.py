"""App Home content: queried through the unit of work, rendered from `home.j2` (slack format).

Runs in the worker thread (it touches the database); returns plain data for blocks.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.commands import N_
from bot.core.labels import STATUS_LABELS
from storage.repositories.catalog import RecommendationFilter

if TYPE_CHECKING:
    from bot.core.context import Services
    from storage.models import Meeting, Recommendation

MEETINGS_SHOWN = 5
FORM_LABEL = N_("Fill in as a form")


@dataclass(frozen=True)
class Home:
    text: str  # mrkdwn
    forms: list[tuple[str, str]]  # (button label, conversation state id) per open prompt


def build_home(services: Services, transport: str, user_id: str) -> Home:
    translations, renderer = services.translations, services.renderer
    with services.uow_factory() as uow:
        person = uow.people.by_identity(transport, user_id)
        locale = translations.normalise(person.locale if person and person.locale
                                        else services.settings.general.locale)

        def t(msgid: str) -> str:
            return translations.gettext(locale, msgid)

        prompts: list[str] = []
        forms: list[tuple[str, str]] = []
        recommendations: list[tuple[Recommendation, str]] = []
        meetings: list[Meeting] = []
        if person is not None:
            states = [s for s in uow.conversations.all_active()
                      if s.person_id == person.id and s.transport == transport]
            for n, state in enumerate(states, start=1):
                conversation = services.conversations.conversations.get(state.name)
                if conversation is None:
                    continue
                steps = {s.name: s for s in conversation.steps}
                step = steps.get(state.step, conversation.steps[0])
                prompts.append(t(step.help))  # the open question, in the person's words
                suffix = f" ({n})" if len(states) > 1 else ""
                forms.append((f"📝 {t(FORM_LABEL)}{suffix}", str(state.id)))
            recommendations = [(r, t(STATUS_LABELS[r.status]))
                               for r in uow.catalog.recommendations(RecommendationFilter(owner=person.handle))]
            now = services.clock()
            for membership in uow.people.memberships(person):
                meetings.extend(uow.bodies.upcoming_meetings(membership.body, now, MEETINGS_SHOWN))
            meetings = sorted(meetings, key=lambda m: m.starts_at)[:MEETINGS_SHOWN]
        tz = person.timezone if person and person.timezone else services.settings.general.timezone
        text = renderer.render("home", "slack", locale, tz, prompts=prompts,
                               recommendations=recommendations, meetings=meetings)
        return Home(text, forms)
