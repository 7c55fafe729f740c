"""A click or reaction on a meeting invitation in a DM while a round question is open there
(found with the Matrix meeting test, issue #6): it answers the invitation, and it is not taken
as the typed answer to the open step."""
from __future__ import annotations

import pytest

from bot.core.events import ChannelRef, IncomingMessage, PersonRef
from storage.models import ConversationState, Meeting, Person, Rsvp
from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@pytest.mark.parametrize("kind", ["reaction", "action"])
async def test_a_click_on_an_invitation_mid_round_answers_the_invitation(db_url: str, kind: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("koordination", "runde starten EG2")
        await bot.say("testmann", "meldung")
        await bot.say("testmann", "in Umsetzung")
        asked = await bot.text("testmann", "75")
        assert "Was ist seit der letzten Meldung geschehen?" in asked  # a free-text step is open
        await bot.say("beispiel", 'sitzung anlegen EG2 14.12.2026 10:00 90min "Rathaus"')
        with bot.app.uow_factory() as uow:
            meeting_id = uow.session.query(Meeting).one().id

        before = len(bot.transport.sent)
        click = IncomingMessage(ChannelRef("console", "dm:testmann", True), PersonRef("console", "testmann"),
                                f"vielleicht {meeting_id}", f"click-{kind}", kind=kind,  # type: ignore[arg-type]
                                addressed=False)
        await bot.app.dispatch(click)
        await bot.app.settle()
        said = [m.text() for m in bot.transport.sent[before:]]
        assert any("Paul Testmann kommt vielleicht zu EG2" in s for s in said), said

        with bot.app.uow_factory() as uow:
            testmann = uow.session.query(Person).filter_by(handle="testmann").one()
            assert [(r.person_id, r.answer) for r in uow.session.query(Rsvp)] == [(testmann.id, "maybe")]
            [state] = uow.session.query(ConversationState).filter_by(person_id=testmann.id, status="active",
                                                                     name="round").all()
            assert state.step == "happened" and "happened" not in state.data.get("item", {}), state.data

        # the round question still waits for the typed answer
        answered = await bot.text("testmann", "Zwei Kurse gestartet.")
        assert "Was sind die nächsten Schritte?" in answered, answered
