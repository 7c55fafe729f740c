"""`freigabe` shows each entry in its context (issue #18): who reported it and when, what the
public sees now and what it would see after, and that a summary is in English; a chair's edit of
a recommendation's title, description or time target waits for the office's release unless
`[site] chair_edits_need_release = false`."""
from __future__ import annotations

import re

import pytest

from bot.public.site import Site
from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
ENGLISH = "Two part-time courses with childcare are running and the third one has been delayed."
NEW_TITLE = "Teilzeitqualifizierung geflüchteter Frauen mit Kinderbetreuung"


def _page(bot: Bot, code: str) -> str:
    with bot.app.uow_factory() as uow:
        page = Site(bot.app.services).page(uow, f"empfehlungen/{code}.html")
        assert page is not None
        return page.body.decode()


async def test_freigabe_shows_who_when_now_after_and_the_language(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("koordination", "runde starten EG2 frist 15.12.2026")
        for answer in ("3", "75", "Kurse laufen.", "Weiter.", "Räume fehlen.", ENGLISH, "ja", "ja"):
            await bot.text("testmann", answer)
        pending = (await bot.text("koordination", "freigabe")).replace("\xa0", " ")
        number = re.search(r"\[(\d+)\] HF2-04: verzögert", pending)
        assert number, pending
        assert "gemeldet von Paul Testmann, 23.11.2026" in pending
        assert f"öffentlich jetzt: nichts freigegeben → nach Freigabe: verzögert, 40 % – „{ENGLISH}“" in pending
        assert f"Die Zusammenfassung ist auf Englisch" in pending and f"freigabe text {number[1]}" in pending

        await bot.text("koordination", f"freigabe text {number[1]} Zwei Teilzeitkurse laufen, ein dritter verzögert sich.")
        pending = (await bot.text("koordination", "freigabe")).replace("\xa0", " ")
        assert "Englisch" not in pending and "Zusammenfassung auf Deutsch" in pending
        await bot.text("koordination", f"freigeben {number[1]}")

        # a correction of the status afterwards: "now" is the released state
        await bot.text("koordination", "status HF2-04 in umsetzung")
        pending = (await bot.text("koordination", "freigabe")).replace("\xa0", " ")
        assert "gemeldet von Interkulturelles Referat (Geschäftsführung), 23.11.2026" in pending
        assert ("öffentlich jetzt: verzögert, 40 % – „Zwei Teilzeitkurse laufen, ein dritter verzögert sich.“ → "
                "nach Freigabe: in Umsetzung, 40 %") in pending


async def test_a_chairs_catalog_edit_waits_for_release(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        old_title = re.search(r"<h1>HF2-04 ([^<]+)</h1>", _page(bot, "HF2-04"))[1]  # type: ignore[index]
        said = await bot.text("beispiel", f"empfehlung ändern HF2-04 titel {NEW_TITLE}")  # the chair of EG2
        assert "wartet auf die Freigabe" in said
        assert await bot.text("beispiel", "empfehlung ändern HF2-04 zeitziel 31.12.2027")
        assert NEW_TITLE not in _page(bot, "HF2-04") and "31.12.2027" not in _page(bot, "HF2-04")
        with bot.app.uow_factory() as uow:
            rec = uow.catalog.recommendation("HF2-04")
            assert rec is not None and rec.title == old_title  # nor inside: the edit is a proposal

        pending = (await bot.text("koordination", "freigabe")).replace("\xa0", " ")
        title = re.search(r"\[(\d+)\] HF2-04: Titel „" + NEW_TITLE + "“", pending)
        target = re.search(r"\[(\d+)\] HF2-04: Zeitziel 31.12.2027", pending)
        assert title and target, pending
        assert "gemeldet von Ayşe Beispiel, 23.11.2026" in pending
        assert f"öffentlich jetzt: „{old_title}“ → nach Freigabe: „{NEW_TITLE}“" in pending
        assert "öffentlich jetzt: 30.09.2026 → nach Freigabe: 31.12.2027" in pending
        await bot.text("koordination", f"freigeben {title[1]}")
        page = _page(bot, "HF2-04")
        assert f"<h1>HF2-04 {NEW_TITLE}</h1>" in page and "31.12.2027" not in page
        assert "Verlauf" in page and NEW_TITLE not in page.split('id="verlauf"')[1].split("</ol>")[0]  # no status entry
        history = await bot.text("koordination", "verlauf HF2-04")
        assert NEW_TITLE in history and "Ayşe Beispiel" in history  # who proposed it

        # the office's own edits are public at once
        await bot.text("koordination", "empfehlung ändern HF2-04 beschreibung Kurse in Teilzeit.")
        assert "Kurse in Teilzeit." in _page(bot, "HF2-04")


async def test_without_release_a_chairs_edit_is_public_at_once(db_url: str) -> None:
    async with Bot(make_settings(db_url, site__chair_edits_need_release="false")) as bot:
        await bot.text("beispiel", f"empfehlung ändern HF2-04 titel {NEW_TITLE}")
        assert f"<h1>HF2-04 {NEW_TITLE}</h1>" in _page(bot, "HF2-04")
        assert "Nichts wartet" in await bot.text("koordination", "freigabe")


async def test_a_number_given_twice_is_released_and_counted_once(db_url: str) -> None:
    """Site finding F9: `freigeben 16 16` said "Freigegeben: 2"."""
    async with Bot(make_settings(db_url)) as bot:
        await bot.text("koordination", "status HF2-04 blockiert")
        pending = await bot.text("koordination", "freigabe")
        number = re.search(r"\[(\d+)\] HF2-04", pending)
        assert number, pending
        assert "Freigegeben: 1." in await bot.text("koordination", f"freigeben {number[1]} {number[1]}")


async def test_freigabe_shows_the_metric_values_a_release_publishes(db_url: str) -> None:
    """Site finding F12: releasing a report publishes its target-metric values; `freigabe` did not say so."""
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("koordination", "runde starten EG2 frist 15.12.2026")
        for answer in ("3", "75", "Kurse laufen.", "Weiter.", "Räume fehlen.", "Zwei Kurse laufen.", "ja", "ja"):
            await bot.text("testmann", answer)
        pending = (await bot.text("koordination", "freigabe")).replace("\xa0", " ")
        assert re.search(r"Zielgröße [^:\n]+: öffentlich jetzt [\d,.–]+ → nach Freigabe: 75\b", pending), pending
