"""Finding F14c of the outside attack of 2 December 2026: a meeting's place is free text and is
kept as typed — quotes, backslashes and spacing were eaten by the argument splitting — while a
quoted dial-in link is still recognised as the link."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from storage.models import Meeting
from tests.helpers.harness import Bot, make_settings

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _meeting(bot: Bot) -> tuple[str, str]:
    with bot.app.uow_factory() as uow:
        meeting = uow.session.scalars(select(Meeting).order_by(Meeting.id.desc())).first()
        assert meeting is not None
        return meeting.place, meeting.online_url


@SQLITE
async def test_f14c_the_place_is_kept_as_typed_and_a_quoted_link_is_still_the_link(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", 'sitzung anlegen EG2 22.01.2027 10:00 Raum "Großer Saal" a,b\\ x')
        assert _meeting(bot) == ('Raum "Großer Saal" a,b\\ x', "")
        await bot.say("beispiel", 'sitzung anlegen EG2 25.01.2027 10:00 90min "Rathaus, Raum 12"')
        assert _meeting(bot) == ("Rathaus, Raum 12", "")  # one quoted place loses only its quotes
        await bot.say("beispiel", 'sitzung anlegen EG2 27.01.2027 10:00 "https://meet.example/x?pwd=1234" '
                                  'Haus  „B“  <i>2</i>')
        assert _meeting(bot) == ("Haus  „B“  <i>2</i>", "https://meet.example/x?pwd=1234")
        # a change of place alone: as typed too, the link kept
        await bot.say("beispiel", 'sitzung ort EG2 3 Saal "Nord" \\o/')
        assert _meeting(bot) == ('Saal "Nord" \\o/', "https://meet.example/x?pwd=1234")


@SQLITE
async def test_sec2_f1_a_dial_in_link_however_written_is_the_link_and_a_pin_never_the_place(db_url: str) -> None:
    """Second outside attack, F1: `<https://…>` (how Slack delivers every URL), a link without its
    scheme and a PIN typed into the place went public as the place, in the calendars and on the site."""
    from bot.transports.slack.text import typed

    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", "sitzung anlegen EG2 22.01.2027 10:00 Rathaus <https://meet.example.org/j/7?pwd=A333>")
        assert _meeting(bot) == ("Rathaus", "https://meet.example.org/j/7?pwd=A333")
        await bot.say("beispiel", "sitzung anlegen EG2 25.01.2027 10:00 Rathaus meet.example.org/j/55?pwd=B222 trotzdem")
        assert _meeting(bot) == ("Rathaus", "https://meet.example.org/j/55?pwd=B222")
        refused = await bot.text("beispiel", "sitzung anlegen EG2 27.01.2027 10:00 Rathaus Einwahl 0221 12345 PIN 334455 trotzdem")
        assert "Einwahldaten" in refused and "334455" not in _meeting(bot)[0], refused
        assert await bot.text("beispiel", "sitzung anlegen EG2 29.01.2027 10:00 Pinakothek, Raum 2.07 trotzdem")
        assert _meeting(bot) == ("Pinakothek, Raum 2.07", "")
    # Slack hands the text as it arrives: links in brackets, & < > as entities
    assert typed("sitzung anlegen EG3 Rathaus <https://meet.example/x?a=1&amp;pwd=9> &lt;b&gt; <@U1> "
                 "<https://a.example/p|a.example/p> <mailto:x@y.example|x@y.example> <https://b.example|hier>") == \
        "sitzung anlegen EG3 Rathaus https://meet.example/x?a=1&pwd=9 <b> <@U1> https://a.example/p x@y.example " \
        "hier https://b.example"
