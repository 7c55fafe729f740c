"""Private choices in an encrypted body room (issue #14), with a member on Element's own stack:
matrix-js-sdk 43 + Rust crypto in "exclude insecure devices" mode (tests/helpers/js_client.py).

EG3's room is encrypted. The office puts the meeting dates to a poll: a native MSC3381 poll that
js-sdk's own parser (the one Element renders with) reads as a poll with several answers; the member
votes two dates with the response js-sdk's PollResponseEvent builds, then changes to one (the
latest response counts, as in Element); the chair's decision ends the date poll and the invitation
asks for the RSVP by poll, answered by poll. The homeserver holds nothing of the bot's there but
ciphertext: not one plaintext reaction.
"""
from __future__ import annotations

import asyncio

import pytest
from conftest import BOT, PASSWORD
from helpers_element import element, tap
from helpers_matrix import bot_message, planning_period
from helpers_polls import END, RESPONSE, START, TEXT, bot_plaintext, raw_events
from matrix_member import Member

from storage.models import DatePoll, Meeting, Person, PollVote, Rsvp
from tests.helpers.js_client import JsClient
from tests.helpers.synapse import SERVER_NAME

pytestmark = pytest.mark.matrix
ALIAS = "#koeln-eg-gesundheit-soziales:koeln.example"  # EG3's room in examples/koeln.yaml
EG3_OTHERS = ("schablone", "annahme", "skizze", "phantasie")  # with testmann (nio), not logged in here
# exempel, EG3's chair, is the js-sdk member: no other test logs in as him with js-sdk (a second js-sdk
# login of a user who already has cross-signing keys is a device its owner has not signed)
ENCRYPTION = [{"type": "m.room.encryption", "state_key": "", "content": {"algorithm": "m.megolm.v1.aes-sha2"}}]

async def _eg3_room(k: Member) -> str:
    created = await k.client.room_create(alias=ALIAS[1:].split(":", 1)[0], invite=[BOT, f"@exempel:{SERVER_NAME}"],
                                         initial_state=ENCRYPTION)
    room = created.room_id  # type: ignore[union-attr]

    async def joined() -> None:
        while not (room in k.client.rooms and BOT in k.client.rooms[room].users):
            await asyncio.sleep(0.1)
    await asyncio.wait_for(joined(), 60)
    return room


async def test_date_poll_and_rsvp_are_encrypted_polls_answered_from_js_sdk(bot, synapse, member_factory, tmp_path) -> None:  # type: ignore[no-untyped-def]
    for name in ("exempel", *EG3_OTHERS):  # every member of EG3 has an account (each gets the invitation by DM)
        try:
            synapse.register(name, PASSWORD.format(name))
        except Exception:  # registered by an earlier test
            pass
    with bot.uow() as uow:
        eg3 = uow.bodies.by_code("EG3").id
        assert not uow.session.query(Meeting).filter_by(body_id=eg3).count(), "EG3 has a meeting already"
    exempel = f"@exempel:{SERVER_NAME}"
    async with member_factory("koordination") as k, \
            JsClient(synapse.url, exempel, PASSWORD.format("exempel"), isolation="only_signed",
                     log_path=tmp_path / "js.log") as t:
        room = await _eg3_room(k)
        await t.wait_event(room_id=room, type_="m.room.member", timeout=60)  # joined (auto-join)
        assert await t.encrypted_room(room)

        mark = k.mark()
        asked = await k.say(room, f"!s sitzung planen EG3 {planning_period()}")
        await k.wait_for(bot_message(room, asked, "Terminvorschläge für EG3"), mark)
        await k.say(room, "!s umfrage EG3")
        poll = await t.wait_event(room_id=room, sender=BOT, type_=START, timeout=60)
        assert poll["encrypted"] and poll["decrypted"], poll
        assert poll["shield"]["colour"] == "NONE", poll["shield"]  # cross-signed bot: no warning
        content = poll["content"]
        assert content["m.poll.start"] == content[START] and TEXT in content and content["body"]
        parsed = element({"type": poll["type"], "event_id": poll["event_id"], "content": content}, [])
        assert parsed["max"] == 5 and len(parsed["answers"]) == 5, parsed  # several answers allowed
        assert parsed["kind"] == "org.matrix.msc3381.poll.disclosed"
        assert "Terminumfrage für die nächste Sitzung von EG3" in parsed["question"], parsed
        ids = [a["id"] for a in content[START]["answers"]]
        assert len(set(ids)) == 5 and not set(ids) & {str(n) for n in range(6)}  # opaque answer ids

        # the chair taps the 2nd and 4th date; the bot confirms by DM (the room stays quiet)
        dates = parsed["answers"]
        await tap(t, room, poll, dates[1], dates[3])
        noted = await t.wait_event(sender=BOT, contains="Notiert, Dr. Jonas Exempel: Optionen 2, 4.", timeout=60)
        assert noted["room_id"] != room and noted["decrypted"]
        # he changes his mind in the poll: the latest response counts, the earlier votes go
        await tap(t, room, poll, dates[2])
        await t.wait_event(sender=BOT, contains="Notiert, Dr. Jonas Exempel: Optionen 3.", timeout=60)
        with bot.uow() as uow:
            open_poll = uow.session.query(DatePoll).filter_by(body_id=eg3, state="open").one()
            person = uow.session.query(Person).filter_by(handle="exempel").one()
            mine = sorted(o.position for o in open_poll.options
                          for _ in uow.session.query(PollVote).filter_by(option_id=o.id, person_id=person.id))
            assert mine == [3], mine

        # the office fixes the meeting: the date poll ends, the invitation asks by poll
        mark = k.mark()
        await k.say(room, "!s sitzung festlegen EG3")
        invitation = await k.wait_for(bot_message(room, contains="Einladung: EG3"), mark)
        ended = await t.wait_event(room_id=room, sender=BOT, type_=END, timeout=60)
        assert ended["content"]["m.relates_to"] == {"rel_type": "m.reference", "event_id": poll["event_id"]}
        rsvp = await t.wait_event(room_id=room, sender=BOT, type_=START, contains="Einladung: EG3", timeout=60)
        answers = element({"type": rsvp["type"], "event_id": rsvp["event_id"], "content": rsvp["content"]}, [])
        assert answers["answers"] == ["Ja", "Nein", "Vielleicht"] and answers["max"] == 1, answers
        await tap(t, room, rsvp, "Nein")
        await t.wait_event(sender=BOT, contains="Dr. Jonas Exempel kommt nicht zu EG3 am", timeout=60)
        with bot.uow() as uow:
            meeting = uow.session.query(Meeting).filter_by(body_id=eg3).one()
            person = uow.session.query(Person).filter_by(handle="exempel").one()
            assert uow.session.query(Rsvp).filter_by(meeting_id=meeting.id, person_id=person.id).one().answer == "no"
        assert invitation.event.decrypted

        # what the homeserver holds of the room: every event of the bot is ciphertext
        held = raw_events(synapse.url, k.client.access_token, room)
        assert len([e for e in held if e["sender"] == BOT and e["type"] == "m.room.encrypted"]) >= 6
        assert bot_plaintext(held) == [], bot_plaintext(held)
        # beside the ciphertext only what Megolm needs and the relation the spec keeps in the clear
        # (docs/matrix.md, "Was der Homeserver sieht"): which event a poll end refers to, nothing else
        clear = {k for e in held if e["sender"] == BOT and e["type"] == "m.room.encrypted" for k in e["content"]}
        assert clear <= {"algorithm", "ciphertext", "device_id", "sender_key", "session_id", "m.relates_to"}, clear
        relations = [e["content"]["m.relates_to"] for e in held
                     if e["sender"] == BOT and "m.relates_to" in e.get("content", {})]
        assert relations and all(set(r) <= {"rel_type", "event_id", "m.in_reply_to"} for r in relations), relations
        assert not [e for e in held if e["type"] in ("m.reaction", START, RESPONSE, END)]
