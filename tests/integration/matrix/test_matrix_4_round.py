"""A status round on a real Synapse (issue #5): the office opens it in its direct room with the
bot; an owner is asked in an encrypted direct room the bot creates, answers the status by poll
(issue #14: in an encrypted room a choice is an encrypted native poll, never a plaintext
reaction), corrects a refused answer by editing it and types the rest; the office sees the
answers in `runde status`; the homeserver holds nothing of the bot's in that room but ciphertext.
"""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from conftest import BOT
from helpers_matrix import bot_message
from helpers_polls import answer_ids, bot_plaintext, bot_poll, bot_poll_end, poll_of, raw_events, vote
from matrix_member import Seen

from storage.models import Person, Status, StatusUpdate

pytestmark = pytest.mark.matrix
STATUSES = ["nicht begonnen", "in Umsetzung", "verzögert", "blockiert", "umgesetzt", "entfallen"]


async def test_a_round_answered_by_poll_edit_and_typed_answers_in_an_encrypted_dm(bot, synapse, member_factory) -> None:  # type: ignore[no-untyped-def]
    due = date.today() + timedelta(days=21)
    with bot.uow() as uow:  # in the last 14 days of a quarter the cadence opens EG2's round by itself
        assert not [r for r in uow.rounds.open_rounds() if r.reporting_line.from_body.code == "EG2"], \
            "EG2's round is open already (cadence, lead_days 14): this test needs a date outside that window"
    async with member_factory("koordination") as k, member_factory("testmann") as t:
        office = await k.create_room(invite=[BOT], direct=True, encrypted=True)
        await k.wait_joined(office, BOT)
        k_mark, t_mark = k.mark(), t.mark()
        asked = await k.say(office, f"runde starten EG2 frist {due:%d.%m.%Y}")
        opened = await k.wait_for(bot_message(office, asked), k_mark)
        assert f"von EG2, Frist {due:%d.%m.%Y}" in opened.body, opened.body
        assert "5 Empfehlungen, 3 Personen" in opened.body

        # testmann is invited to a new direct room by the bot and asked there
        def from_bot_containing(text: str):  # type: ignore[no-untyped-def]
            return lambda s: s.sender == BOT and s.type == "m.room.message" and text in s.body

        prompt = await t.wait_for(from_bot_containing("Sachstandsrunde"), t_mark)
        dm = prompt.room_id
        assert dm != office and prompt.event.decrypted  # encrypted, readable by testmann's new device
        assert "2 Empfehlungen" in prompt.body and f"bis {due:%d.%m.%Y}" in prompt.body
        room = t.client.rooms[dm]
        assert room.encrypted and set(room.users) == {BOT, t.user_id}  # just the two of them
        question = await t.wait_for(bot_message(dm, contains="HF2-04"), t_mark)
        assert "(1/2)" in question.body and "Wie ist der Status?" in question.body
        assert "2) in Umsetzung" in question.body, question.body
        # the answers are offered as a poll, encrypted like the question (an Element user taps one)
        poll = await t.wait_for(bot_poll(dm, "HF2-04"), t_mark)
        assert poll.event.decrypted and "Wie ist der Status?" in poll_of(poll.content)["question"]["body"]
        assert list(answer_ids(poll.content)) == STATUSES and poll_of(poll.content)["max_selections"] == 1
        assert not set(answer_ids(poll.content).values()) & {"1", "2", "3", "4", "5", "6", *STATUSES}

        mark = t.mark()
        await vote(t, dm, poll, "in Umsetzung")
        # HF2-04's progress comes from its measures: no progress question, on to the target metric
        metric = await t.wait_for(bot_message(dm, contains="Teilnehmerinnen"), mark)
        assert "(1/2)" in metric.body and "Wie ist der aktuelle Wert?" in metric.body
        await t.wait_for(bot_poll_end(dm, poll.event_id), mark)  # answered: Element shows the poll ended
        late = t.mark()
        await vote(t, dm, poll, "entfallen")  # a late vote on the ended poll answers nothing

        async def answer(text: str, expect: str) -> Seen:
            mark = t.mark()
            said = await t.say(dm, text)
            return await t.wait_for(bot_message(dm, said, expect), mark)  # in reply to the answer

        mark = t.mark()
        typo = await t.say(dm, "viele")
        refused = await t.wait_for(bot_message(dm, typo, "ist keine Zahl"), mark)  # the step stays open
        assert "„viele“" in refused.body
        await t.edit(dm, typo, "75")  # the correction of the refused answer answers the step
        await t.wait_for(bot_message(dm, contains="Was ist seit der letzten Meldung geschehen?"), mark)
        assert not [s for s in t.after(late, dm, BOT, "m.room.message") if "entfallen" in s.body]
        await answer("Zwei Kurse gestartet.", "Was sind die nächsten Schritte?")
        await answer("Dritter Kurs im Januar.", "Steht etwas im Weg")
        await answer("keine", "Zusammenfassung")
        check = await answer("keine", "Bitte prüfen")  # no summary: no question about publishing it
        assert "Status: in Umsetzung" in check.body and "75" in check.body, check.body
        assert "Zwei Kurse gestartet." in check.body
        with bot.uow() as uow:  # nothing is saved before the confirmation
            assert [m.current for m in uow.catalog.recommendation("HF2-04").metrics] != [Decimal(75)]

        mark = t.mark()
        said = await t.say(dm, "ja")
        await t.wait_for(bot_message(dm, said, "Gespeichert: HF2-04"), mark)
        second = await t.wait_for(bot_message(dm, contains="HF2-06"), mark)
        assert "(2/2)" in second.body and "Wie ist der Status?" in second.body
        second_poll = await t.wait_for(bot_poll(dm, "HF2-06"), mark)
        with bot.uow() as uow:
            rec = uow.catalog.recommendation("HF2-04")
            assert rec.status == Status.IN_PROGRESS and [m.current for m in rec.metrics] == [Decimal(75)]

        # the second item: its status typed this time
        mark = t.mark()
        await answer("verzögert", "Wie weit ist die Umsetzung, in Prozent?")  # typed: the poll ends too
        await t.wait_for(bot_poll_end(dm, second_poll.event_id), mark)
        await answer("ca. 55 Prozent", "Wie ist der aktuelle Wert?")
        await answer("1.234,5", "Stimmt das?")  # a jump by more than the plausibility factor
        await answer("ja", "Was ist seit der letzten Meldung geschehen?")
        await answer("Beratung läuft.", "Was sind die nächsten Schritte?")
        await answer("Zweite Welle.", "Steht etwas im Weg")
        await answer("Räume fehlen", "Zusammenfassung")
        await answer("keine", "Bitte prüfen")
        await answer("ja", "Vielen Dank für Ihre Meldung")

        mark = k.mark()
        asked = await k.say(office, "runde status EG2")
        status = await k.wait_for(bot_message(office, asked), mark)
        assert "2 von 5 Punkten beantwortet" in status.body, status.body
        assert "Paul Testmann: 2/2 ✓" in status.body, status.body

        # what the homeserver holds of the owner's direct room: of the bot's events, only ciphertext
        held = raw_events(synapse.url, t.client.access_token, dm)
        assert len([e for e in held if e["sender"] == BOT and e["type"] == "m.room.encrypted"]) >= 20
        assert bot_plaintext(held) == [], bot_plaintext(held)
        assert not [e for e in held if e["type"] == "m.reaction"]

    with bot.uow() as uow:
        testmann = uow.session.query(Person).filter_by(handle="testmann").one()
        mine = {u.recommendation.code: u for u in uow.session.query(StatusUpdate)
                .filter(StatusUpdate.round_id.is_not(None), StatusUpdate.author_id == testmann.id)}
        assert set(mine) == {"HF2-04", "HF2-06"}, mine
        assert len({u.round_id for u in mine.values()}) == 1 and mine["HF2-04"].round.state == "open"
        assert {u.state for u in mine.values()} == {"submitted"}
        assert mine["HF2-04"].status == Status.IN_PROGRESS and mine["HF2-06"].status == Status.DELAYED
        assert mine["HF2-04"].happened == "Zwei Kurse gestartet." and mine["HF2-06"].blockers == "Räume fehlen"
        hf206 = uow.catalog.recommendation("HF2-06")
        assert hf206.status == Status.DELAYED and hf206.progress == 55
        assert [m.current for m in hf206.metrics] == [Decimal("1234.5")]
