"""The Matrix transport's pure parts: events in, contents out (no server needed)."""
from __future__ import annotations

from bot.core.events import ChannelRef, Choice, OutgoingMessage
from bot.transports.matrix.content import choice_for_reaction, keycap, message_content, reaction_content
from bot.transports.matrix import polls
from bot.transports.matrix.media import image_info
from bot.transports.matrix.parse import Addressing, Asked, answered_event, parse_event
from bot.transports.matrix.rooms import inviter_allowed

ME = "@sachstand:koeln.example"
HOW = Addressing(ME, ("!sachstand", "!s"), ("Sachstand", "sachstand"))
CHOICES = [Choice("de", "Deutsch", "1"), Choice("en", "English", "2")]


def text_event(body: str, **content: object) -> dict:
    return {"type": "m.room.message", "sender": "@testmann:koeln.example", "event_id": "$e1",
            "content": {"msgtype": "m.text", "body": body, **content}}


def test_in_a_room_only_prefixed_or_mentioning_messages_are_addressed() -> None:
    assert parse_event(text_event("!sachstand hilfe"), "!r", False, HOW).text == "hilfe"
    msg = parse_event(text_event("!s liste überfällig"), "!r", False, HOW)
    assert (msg.text, msg.addressed) == ("liste überfällig", True)
    msg = parse_event(text_event("Sachstand: wer bin ich"), "!r", False, HOW)
    assert (msg.text, msg.addressed) == ("wer bin ich", True)
    msg = parse_event(text_event("hilfe", **{"m.mentions": {"user_ids": [ME]}}), "!r", False, HOW)
    assert msg.addressed
    msg = parse_event(text_event("!spaß beiseite"), "!r", False, HOW)  # not the alias followed by a space
    assert not msg.addressed
    assert not parse_event(text_event("Guten Morgen"), "!r", False, HOW).addressed
    assert not parse_event(text_event("Sachstandsbericht ist fertig"), "!r", False, HOW).addressed
    assert parse_event(text_event("@sachstand:koeln.example hilfe"), "!r", False, HOW).text == "hilfe"


def test_in_a_dm_everything_is_addressed_and_a_prefix_keeps_a_command_a_command() -> None:
    msg = parse_event(text_event("hilfe"), "!dm", True, HOW)
    assert (msg.text, msg.addressed, msg.channel) == ("hilfe", True, ChannelRef("matrix", "!dm", True))
    assert parse_event(text_event("!s einstellungen"), "!dm", True, HOW).text == "!einstellungen"


def test_edits_carry_the_new_text_and_the_replaced_event() -> None:
    event = text_event("* Europe/Berlin", **{"m.new_content": {"msgtype": "m.text", "body": "Europe/Berlin"},
                                            "m.relates_to": {"rel_type": "m.replace", "event_id": "$old"}})
    msg = parse_event(event, "!dm", True, HOW)
    assert (msg.kind, msg.text, msg.replaces) == ("edit", "Europe/Berlin", "$old")


def test_a_reaction_to_the_open_question_becomes_its_choice_value() -> None:
    event = {"type": "m.reaction", "sender": "@testmann:koeln.example", "event_id": "$r",
             "content": {"m.relates_to": {"rel_type": "m.annotation", "event_id": "$q", "key": "2\ufe0f\u20e3"}}}
    msg = parse_event(event, "!dm", True, HOW, question=lambda e: Asked(CHOICES) if e == "$q" else None)
    assert (msg.kind, msg.text) == ("reaction", "en")
    assert parse_event(event, "!dm", True, HOW, question=lambda e: None) is None  # an old question
    assert choice_for_reaction(CHOICES, "2\u20e3") == CHOICES[1]  # without variation selector
    assert choice_for_reaction(CHOICES, "👍") is None


def test_own_notices_media_and_broken_events_are_not_commands() -> None:
    own = text_event("hilfe")
    own["sender"] = ME
    assert parse_event(own, "!r", True, HOW).is_own
    assert parse_event({**text_event("x"), "content": {"msgtype": "m.notice", "body": "x"}}, "!r", True, HOW) is None
    assert parse_event({**text_event("x"), "content": {"msgtype": "m.image", "body": "a.png"}}, "!r", True, HOW) is None
    assert parse_event({"type": "m.room.message", "content": "kaputt"}, "!r", True, HOW) is None
    assert parse_event({**text_event("x"), "content": {"msgtype": "m.text", "body": 5}}, "!r", True, HOW) is None


def test_reply_fallback_quotes_are_stripped() -> None:
    event = text_event("> <@a:b> alte Nachricht\n\n!s hilfe", **{"m.relates_to": {"m.in_reply_to": {"event_id": "$x"}}})
    assert parse_event(event, "!r", False, HOW).text == "hilfe"


def test_outgoing_content_is_a_notice_with_html_reply_and_pills() -> None:
    html = '<b>Hallo</b> <a href="https://matrix.to/#/@testmann:koeln.example">Paul</a>'
    msg = OutgoingMessage(ChannelRef("matrix", "!r"), {"plain": "Hallo Paul", "matrix": html})
    content = message_content(msg, "$cmd")
    assert content["msgtype"] == "m.notice" and content["body"] == "Hallo Paul"
    assert content["format"] == "org.matrix.custom.html" and content["formatted_body"] == html
    assert content["m.relates_to"] == {"m.in_reply_to": {"event_id": "$cmd"}}
    assert content["m.mentions"] == {"user_ids": ["@testmann:koeln.example"]}
    assert "m.relates_to" not in message_content(msg)
    assert keycap("1") == "1\ufe0f\u20e3" and keycap("10") == "\U0001f51f" and keycap("👍") == "👍"
    assert reaction_content("$q", "2")["m.relates_to"]["key"] == "2\ufe0f\u20e3"


def test_allowed_inviters_are_user_ids_or_servers() -> None:
    assert inviter_allowed("@a:koeln.example", [])
    assert inviter_allowed("@a:koeln.example", ["koeln.example"])
    assert inviter_allowed("@a:koeln.example", ["@a:koeln.example"])
    assert not inviter_allowed("@b:koeln.example", ["@a:koeln.example"])
    assert not inviter_allowed("@a:evil.example", ["koeln.example"])


def test_an_encrypted_reaction_as_element_sends_it_parses_like_a_plain_one() -> None:
    from nio.events import Event

    decrypted = Event.parse_decrypted_event({
        "type": "m.reaction", "sender": "@testmann:koeln.example", "event_id": "$r", "origin_server_ts": 1,
        "content": {"m.relates_to": {"rel_type": "m.annotation", "event_id": "$q", "key": "1\ufe0f\u20e3"}}})
    msg = parse_event(decrypted.source, "!dm", True, HOW, question=lambda e: Asked(CHOICES))
    assert (msg.kind, msg.text) == ("reaction", "de")


class _Device:
    def __init__(self, device_id: str, verified: bool = False) -> None:
        self.device_id, self.verified, self.blacklisted = device_id, verified, False


class _Client:
    user_id, device_id = ME, "BOT"

    def __init__(self, devices: dict[str, list[_Device]]) -> None:
        self.devices = devices
        self.device_store = self

    def active_user_devices(self, user_id: str) -> list[_Device]:
        return self.devices.get(user_id, [])

    def verify_device(self, device: _Device) -> None:
        device.verified = True

    def blacklist_device(self, device: _Device) -> None:
        device.blacklisted = True


class _Room:
    def __init__(self, *users: str) -> None:
        self.users = dict.fromkeys(users)


def test_trust_policies() -> None:
    from bot.transports.matrix.trust import apply_trust_policy

    def run(policy: str) -> list[tuple[str, bool, bool]]:
        new, known, own = _Device("NEW"), _Device("OK", verified=True), _Device("BOT")
        client = _Client({"@testmann:koeln.example": [new, known], ME: [own]})
        apply_trust_policy(client, _Room("@testmann:koeln.example", ME), policy)
        return [(d.device_id, d.verified, d.blacklisted) for d in (new, known, own)]

    assert run("tofu") == [("NEW", True, False), ("OK", True, False), ("BOT", False, False)]
    assert run("all") == [("NEW", False, False), ("OK", True, False), ("BOT", False, False)]
    assert run("verified") == [("NEW", False, True), ("OK", True, False), ("BOT", False, False)]


# -- polls (MSC3381), the form of choices in encrypted rooms --------------------------------
DATES = [Choice(f"abstimmen EG2 +{n}", f"Mo. 0{n}.12.2026 09:00–10:30", str(n), several="abstimmen EG2 {keys}")
         for n in range(1, 6)]


def response(poll_id: str, answers: object, stable: bool = False) -> dict:
    key = "m.poll.response" if stable else "org.matrix.msc3381.poll.response"
    return {"type": key, "sender": "@testmann:koeln.example", "event_id": "$v",
            "content": {"m.relates_to": {"rel_type": "m.reference", "event_id": poll_id}, key: {"answers": answers}}}


def test_a_poll_start_is_what_element_renders_with_a_text_fallback_and_opaque_answer_ids() -> None:
    ids = polls.answer_ids(b"s" * 32, "txn1", len(CHOICES))
    assert ids == polls.answer_ids(b"s" * 32, "txn1", 2)  # a resend after a crash: the ids the server kept
    assert len(set(ids)) == 2 and ids != polls.answer_ids(b"s" * 32, "txn2", 2)
    assert not set(ids) & {"1", "2", "de", "en", "Deutsch", "English", "0", "a", "b"}
    content = polls.start_content("Sprache?", CHOICES, ids)
    poll = content["org.matrix.msc3381.poll.start"]
    assert content["m.poll.start"] == poll  # the stable key beside the unstable one
    assert poll["kind"] == "org.matrix.msc3381.poll.disclosed" and poll["max_selections"] == 1
    assert poll["question"]["org.matrix.msc1767.text"] == "Sprache?"
    assert [(a["id"], a["org.matrix.msc1767.text"]) for a in poll["answers"]] == list(zip(ids, ["Deutsch", "English"]))
    assert content["body"] == content["org.matrix.msc1767.text"] == "Sprache?\n1. Deutsch\n2. English"
    assert polls.start_content("Wann?", DATES, polls.answer_ids(b"s", "t", 5))[
        "org.matrix.msc3381.poll.start"]["max_selections"] == 5  # a date poll: several answers
    end = polls.end_content("$poll", "Sprache?")
    assert end["m.relates_to"] == {"rel_type": "m.reference", "event_id": "$poll"}
    assert "org.matrix.msc3381.poll.end" in end and end["org.matrix.msc1767.text"]


def test_the_question_of_a_poll_is_the_heading_and_what_is_asked() -> None:
    plain = "HF2-04 – Sprachkurse (1/2)\nStatus jetzt: geplant\n\nWie ist der Status?\n1) geplant\n2) in Umsetzung"
    assert polls.poll_question(plain) == "HF2-04 – Sprachkurse (1/2) – Wie ist der Status?"
    assert polls.poll_question("Einladung: EG2\nDo. 10.12.") == "Einladung: EG2"
    assert len(polls.poll_question("x" * 1000)) <= polls.MAX_QUESTION and polls.poll_question("") == "?"


def test_a_poll_response_becomes_the_value_of_its_choice_and_a_date_poll_all_votes_at_once() -> None:
    ids = polls.answer_ids(b"k", "t", 2)
    asked = {"$poll": Asked(CHOICES, ids)}
    msg = parse_event(response("$poll", [ids[1]]), "!dm", True, HOW, question=asked.get)
    assert (msg.kind, msg.text) == ("action", "en")
    assert parse_event(response("$poll", [ids[0]], stable=True), "!dm", True, HOW, question=asked.get).text == "de"
    assert answered_event(response("$poll", [ids[0]])) == "$poll"
    stable = {"type": "m.poll.response", "sender": "@t:koeln.example", "event_id": "$s",  # MSC3381's final form
              "content": {"m.relates_to": {"rel_type": "m.reference", "event_id": "$poll"}, "m.selections": [ids[1]]}}
    assert parse_event(stable, "!dm", True, HOW, question=asked.get).text == "en"
    date_ids = polls.answer_ids(b"k", "d", 5)
    dates = {"$dates": Asked(DATES, date_ids)}
    msg = parse_event(response("$dates", [date_ids[4], date_ids[2]]), "!r", False, HOW, question=dates.get)
    assert msg.text == "abstimmen EG2 3 5"  # the response replaces one's earlier votes, like typing it
    assert parse_event(response("$dates", [date_ids[1]]), "!r", False, HOW, question=dates.get).text == "abstimmen EG2 2"


def test_spoiled_or_stale_poll_responses_change_nothing() -> None:
    ids = polls.answer_ids(b"k", "t", 2)
    asked = {"$poll": Asked(CHOICES, ids)}
    for answers in ([], ["1"], [ids[0], "forged"], "x", [5], None):
        assert parse_event(response("$poll", answers), "!dm", True, HOW, question=asked.get) is None, answers
    assert parse_event(response("$old", [ids[0]]), "!dm", True, HOW, question=asked.get) is None  # ended
    broken = response("$poll", [ids[0]])
    broken["content"]["m.relates_to"] = {"rel_type": "m.annotation", "event_id": "$poll"}
    assert parse_event(broken, "!dm", True, HOW, question=asked.get) is None


def test_an_image_gets_its_size_and_a_thumbnail_no_larger_than_800_by_600() -> None:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (1600, 900), "white").save(out, format="PNG")
    info = image_info(out.getvalue())
    assert info is not None and (info.width, info.height) == (1600, 900)
    assert (info.thumbnail_width, info.thumbnail_height) == (800, 450)
    with Image.open(io.BytesIO(info.thumbnail)) as thumb:
        assert thumb.size == (800, 450) and thumb.format == "PNG"
    small = io.BytesIO()
    Image.new("RGB", (40, 30)).save(small, format="PNG")
    assert (image_info(small.getvalue()).thumbnail_width, image_info(small.getvalue()).thumbnail_height) == (40, 30)
    assert image_info(b"not an image") is None


def test_a_decrypted_poll_response_keeps_what_parsing_needs() -> None:
    from nio.events import Event

    ids = polls.answer_ids(b"k", "t", 2)
    decrypted = Event.parse_decrypted_event({**response("$poll", [ids[0]]), "origin_server_ts": 1})
    assert answered_event(decrypted.source) == "$poll"
    msg = parse_event(decrypted.source, "!dm", True, HOW, question={"$poll": Asked(CHOICES, ids)}.get)
    assert (msg.kind, msg.text) == ("action", "de")
