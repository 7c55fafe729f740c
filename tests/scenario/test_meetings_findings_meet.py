"""The outside tester's year of meetings (findings-meet.md, F1–F14) as regression tests, through
the real router as a secretary and members would type it; each failed before its fix."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from storage.models import Meeting
from tests.helpers.harness import Bot, make_settings

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
ROOM = "#eg-arbeit-wirtschaft"
UTC = timezone.utc


def _meetings(bot: Bot) -> list[Meeting]:
    with bot.app.uow_factory() as uow:
        rows = list(uow.session.scalars(select(Meeting).order_by(Meeting.starts_at)))
        for row in rows:
            uow.session.expunge(row)
        return rows


@SQLITE
async def test_f5_ten_uhr_is_a_time_on_creation_and_on_a_change(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        created = await bot.text("beispiel", "sitzung anlegen EG2 20.04.2027 10 Uhr 90min Bürgerzentrum")
        assert "keine Uhrzeit" not in created, created
        first = _meetings(bot)[0]
        assert first.starts_at == datetime(2027, 4, 20, 8, 0, tzinfo=UTC) and first.place == "Bürgerzentrum"
        await bot.say("beispiel", "sitzung anlegen EG2 18.05.2027 14:00 Rathaus")
        sent = await bot.say("beispiel", "sitzung verschieben EG2 2 10 Uhr")
        told = bot.to("dm:testmann", sent)
        assert told and "Wo: 10 Uhr" not in told[0] and "Wo: Rathaus" in told[0], told
        assert "18.05.2027, 10:00–11:30" in told[0], told[0]
        second = _meetings(bot)[1]
        assert second.starts_at == datetime(2027, 5, 18, 8, 0, tzinfo=UTC) and second.place == "Rathaus"
        # with one meeting ahead, "10 Uhr" is the time too, not "meeting no. 10"
        await bot.say("beispiel", "sitzung absagen EG2 2")
        await bot.say("beispiel", "sitzung verschieben EG2 14 Uhr")
        first = _meetings(bot)[0]
        assert first.starts_at == datetime(2027, 4, 20, 12, 0, tzinfo=UTC) and first.place == "Bürgerzentrum"


@SQLITE
async def test_f6_a_change_that_changes_nothing_tells_nobody(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", "sitzung anlegen EG2 17.02.2027 14:00 Rathaus")
        sequence = _meetings(bot)[0].sequence
        sent = await bot.say("beispiel", "sitzung verschieben EG2 17.02.2027 14:00")
        assert "Nichts geändert" in "\n".join(m.text("plain") for m in sent)
        assert not bot.to("dm:testmann", sent) and not bot.to(ROOM, sent)
        assert _meetings(bot)[0].sequence == sequence
