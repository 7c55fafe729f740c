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
