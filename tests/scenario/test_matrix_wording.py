"""What the Matrix tester saw in the words of polls and lists (findings F2, F8, F9, F10; issue #14).

- F2: every poll carries the step's question, not only its header (settings step 3 asked
  "Einstellungen (3/4)" on its own card).
- F8: a date poll in an encrypted room, where the bot offers a poll, does not tell people to react
  (reactions are readable by the homeserver, and the bot does not count them there).
- F9: `sitzung planen` numbers its dates once: an <ol> in Matrix HTML, not "<li>1) …".
- F10: a click in a German body's room is answered in the room's language, not the voter's
  English; the confirmation that reaches the voter by DM is in theirs.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from types import SimpleNamespace

import pytest

from bot.core.events import ChannelRef, IncomingMessage, OutgoingMessage, PersonRef
from bot.transports.matrix import polls
from bot.transports.matrix.transport import MatrixTransport
from tests.helpers.harness import Bot, MemoryTransport, make_settings

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
ROOM = "#eg-arbeit-wirtschaft"
_clicks = itertools.count(1)


@dataclass
class StyledTransport(MemoryTransport):
    """The memory transport offering choices the way a Matrix room does."""

    style: str = "poll"

    def choice_style(self, channel_id: str) -> str:
        return self.style


async def click(bot: Bot, user: str, value: str, room: str = ROOM) -> list[OutgoingMessage]:
    before = len(bot.transport.sent)
    await bot.app.dispatch(IncomingMessage(ChannelRef("console", room), PersonRef("console", user), value,
                                           f"wording-click{next(_clicks)}", kind="action", addressed=False))
    await bot.app.settle()
    return bot.transport.sent[before:]


@SQLITE
async def test_every_settings_poll_carries_its_question(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        [first] = await bot.say("testmann", "einstellungen")
        await bot.say("testmann", "1")
        [third] = await bot.say("testmann", "unverändert")
    assert polls.poll_question(first.text("plain")) == (
        "Einstellungen (1/4) – In welcher Sprache soll ich Ihnen schreiben?")
    assert polls.poll_question(third.text("plain")) == (
        "Einstellungen (3/4) – Darf Ihr Name in öffentlichen Ausgaben erscheinen (Statusseite, Feeds, Kalender)?")
    # the text fallback of the poll (clients without polls) asks it too
    ids = polls.answer_ids(b"k", "t", 2)
    assert polls.start_content(polls.poll_question(third.text("plain")), third.choices, ids)["body"].startswith(
        "Einstellungen (3/4) – Darf Ihr Name")


@SQLITE
async def test_a_date_poll_says_how_to_vote_where_it_is_posted(db_url: str) -> None:
    for style, says, never in (("poll", "in der Umfrage", "reagieren"), ("reaction", "mit seiner Nummer reagieren",
                                                                         "Umfrage ab")):
        transport = StyledTransport(style=style)
        async with Bot(make_settings(db_url.replace(".db", f"-{style}.db")), transport=transport) as bot:
            await bot.say("koordination", "sitzung planen EG2", room=ROOM)
            [poll] = [m for m in await bot.say("koordination", "umfrage EG2", room=ROOM) if m.choices]
        for fmt in ("plain", "matrix"):
            assert says in poll.text(fmt) and never not in poll.text(fmt), (style, poll.text(fmt))
        assert "„abstimmen 1 3“" in poll.text("matrix")


def test_the_matrix_transport_offers_polls_in_encrypted_rooms_and_reactions_elsewhere() -> None:
    transport = MatrixTransport.__new__(MatrixTransport)  # only what choice_style reads
    transport.settings = SimpleNamespace(encryption=True)  # type: ignore[assignment]
    transport.client = SimpleNamespace(rooms={  # type: ignore[assignment]
        "!e:k": SimpleNamespace(room_id="!e:k", canonical_alias="#eg-arbeit-wirtschaft:k", encrypted=True),
        "!p:k": SimpleNamespace(room_id="!p:k", canonical_alias=None, encrypted=False)})
    assert transport.choice_style("#eg-arbeit-wirtschaft:k") == "poll" == transport.choice_style("!e:k")
    assert transport.choice_style("!p:k") == "reaction"
    transport.settings = SimpleNamespace(encryption=False)  # type: ignore[assignment]
    assert transport.choice_style("!e:k") == "reaction"


@SQLITE
async def test_proposed_dates_are_numbered_once(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        [planned] = await bot.say("koordination", "sitzung planen EG2", room=ROOM)
    html, plain = planned.text("matrix"), planned.text("plain")
    assert "<ol>" in html and "<ul>" not in html and "<li>1)" not in html, html
    assert "\n  1) " in plain and "5) " in plain and "•" not in plain, plain


@SQLITE
async def test_a_click_in_a_german_room_is_answered_in_german_and_confirmed_in_english(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("ersatz", "sprache en")
        await bot.say("beispiel", "sitzung anlegen EG2 14.12.2026 10:00")
        from sqlalchemy import select

        from storage.models import Meeting
        with bot.app.uow_factory() as uow:
            meeting_id = uow.session.scalars(select(Meeting)).one().id
        accepted = await click(bot, "ersatz", f"zusagen {meeting_id}")
        assert bot.to(ROOM, accepted) == []  # confirmed privately, in her language
        assert any("will come to EG2" in t for t in bot.to("dm:ersatz", accepted)), [m.text() for m in accepted]
        await bot.say("beispiel", "sitzung absagen EG2")
        late = await click(bot, "ersatz", f"absagen {meeting_id}")  # the room's invitation, now cancelled
    assert bot.to(ROOM, late) == ["Diese Sitzung kann nicht mehr geändert werden."], [m.text() for m in late]
