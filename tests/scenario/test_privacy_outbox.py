"""Erasing a person also clears them from the messages the outbox keeps for others (issue #15,
point 4): a room's notice, the office's round status, a meeting's answers — delivered rows
included — name them no more, in any format."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from storage.models import OutboxMessage
from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
ROOM = "#eg-arbeit-wirtschaft"


async def test_erased_person_is_gone_from_delivered_outbox_rows(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("koordination", "runde starten EG2 frist 15.12.2026")
        for answer in ("2", "75", "Kurse laufen.", "Weiter.", "keine", "keine", "ja"):
            await bot.text("testmann", answer)
        await bot.say("koordination", "runde status EG2")
        await bot.say("beispiel", "sitzung anlegen EG2 14.01.2027 10:00 90min \"Rathaus\"")
        await bot.say("testmann", "zusagen EG2", ROOM)
        await bot.say("beispiel", "sitzung EG2", ROOM)
        await bot.say("koordination", "gremium EG2")

        def rows() -> list[str]:
            with bot.app.uow_factory() as uow:
                return [json.dumps(r.payload, ensure_ascii=False) for r in uow.session.scalars(select(OutboxMessage))
                        if r.state == "sent"]

        before = [r for r in rows() if "Paul Testmann" in r]
        assert len(before) >= 3  # the person is named in messages to others (room, office, chair)
        await bot.text("koordination", "person löschen @testmann")
        assert "Gelöscht" in await bot.text("koordination", "ja")
        after = rows()
        assert not [r for r in after if "Testmann" in r or "paul.testmann" in r or "@testmann" in r]
        assert any("ehemalig" in r for r in after)


async def test_sec2_f6_an_account_named_like_the_handle_is_scrubbed_too(db_url: str) -> None:
    """Second outside attack, F6: "… ist jetzt mit console:boese verknüpft." stayed in a delivered row
    and in the audit log when the account's id equals the handle."""
    from storage.models import AuditEntry

    async with Bot(make_settings(db_url)) as bot:
        await bot.say("koordination", 'person anlegen @boese "Eve Böse" eve@example.org')
        await bot.say("koordination", "person verknüpfen @boese console:boese")
        await bot.text("koordination", "person löschen @boese")
        assert "Gelöscht" in await bot.text("koordination", "ja")
        with bot.app.uow_factory() as uow:
            kept = [json.dumps(r.payload, ensure_ascii=False) for r in uow.session.scalars(select(OutboxMessage))]
            audit = [json.dumps(a.details, ensure_ascii=False) for a in uow.session.scalars(select(AuditEntry))]
        assert not [r for r in kept + audit if "console:boese" in r], [r for r in kept + audit if "boese" in r][:3]
