"""Following and releasing (issue #7): rooms follow scopes; nothing is public before a
coordinator releases it; followers hear of released changes."""
from __future__ import annotations

import pytest

from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
ROOM = "#eg-arbeit-wirtschaft"


async def test_follow_unfollow_and_list(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        saved = await bot.text("testmann", "folgen HF2", room=ROOM)
        assert "folgt jetzt HF2" in saved and "Digests, Sitzungshinweise, Statusänderungen (de)" in saved
        assert "Digests (en)" in await bot.text("testmann", "folgen EG-Arbeit digests en", room=ROOM)
        listed = await bot.text("ersatz", "subscriptions", room=ROOM)
        assert "HF2: digests, meeting notices, status changes (de)" in listed and "EG2: digests (en)" in listed
        assert "weder ein Handlungsfeld" in await bot.text("testmann", "folgen XYZ9", room=ROOM)
        assert "verstehe ich nicht" in await bot.text("testmann", "folgen HF2 täglich", room=ROOM)
        stopped = await bot.text("testmann", "entfolgen HF2", room=ROOM)
        assert "Dieser Raum folgt HF2 Ausbildung, Arbeit und Wirtschaft nicht mehr" in stopped
        assert "Hier folgt niemand" in await bot.text("testmann", "entfolgen HF2", room=ROOM)
        assert "Sie folgen hier jetzt allem." in await bot.text("testmann", "folgen")  # in a DM, everything


async def test_release_edit_withhold_and_notify(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.text("ersatz", "folgen HF2-04", room=ROOM)
        await bot.say("koordination", "runde starten EG2 frist 15.12.2026")
        for answer in ("2", "75", "Kurse laufen.", "Weiter.", "keine", "Zwei Kurse laufen <b>gut</b>.", "ja", "ja"):
            await bot.text("testmann", answer)
        assert "Nicht erlaubt" in await bot.text("testmann", "freigabe")
        pending = await bot.text("koordination", "freigabe")
        assert "HF2-04: in Umsetzung" in pending and "Zwei Kurse laufen <b>gut</b>." in pending
        number = pending.split("[")[1].split("]")[0]
        assert not any("Zwei Kurse" in t for t in bot.to(ROOM))  # nothing announced before the release
        before = len(bot.to(ROOM))
        assert "keine Nummer" in await bot.text("koordination", "freigeben drei")
        assert "wartet nicht" in await bot.text("koordination", "freigeben 999")
        await bot.text("koordination", f"freigabe text {number} Zwei Teilzeitkurse laufen.")
        assert "Freigegeben: 1" in await bot.text("koordination", f"freigeben {number}")
        notices = bot.to(ROOM)[before:]
        assert len(notices) == 1 and "Zwei Teilzeitkurse laufen." in notices[0] and "in progress" in notices[0]
        assert "Nichts wartet" in await bot.text("koordination", "freigabe")
        assert "wartet nicht" in await bot.text("koordination", f"zurückhalten {number}")


async def test_followers_hear_of_meetings_and_their_changes(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.text("ersatz", "folgen EG2 sitzungen", room="#beirat")
        await bot.text("ersatz", "folgen EG2 digests", room="#integrationsrat")  # no meeting notices
        await bot.text("koordination", 'sitzung anlegen EG2 14.03.2027 10:00 90min "Rathaus, Raum 12"')
        notices = bot.to("#beirat")
        assert any("EG2" in t and "Rathaus, Raum 12" in t for t in notices)
        assert not any("Rathaus" in t for t in bot.to("#integrationsrat"))
        await bot.text("koordination", "sitzung absagen EG2")
        assert "Cancelled" in bot.to("#beirat")[-1]  # in the subscription's language
