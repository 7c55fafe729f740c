"""A chair's catalog edits reach the public site only through the office's release (site finding F1):
a new recommendation, target metric or measure, a changed unit, owner or body, a changed measure —
not only title, description and time target. `freigabe` shows what each would publish."""
from __future__ import annotations

import re

import aiohttp
import pytest

from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
CHAIR_EDITS = ("empfehlung anlegen HF2-07 Geheimer Entwurf des Vorsitzes",
               "maßnahme anlegen HF2-03 HF2-03-M9 Heimliche Maßnahme",
               "zielgröße HF2-03 Geheimziel ziel 999 einheit Stück basis 1",
               "empfehlung ändern HF2-03 einheit Amt für Unfug",
               "maßnahme ändern HF2-04-M1 status blockiert")


async def _public(base: str) -> str:
    """Everything a reader can fetch about HF2-03, HF2-04 and HF2-07: pages, search, JSON."""
    out = []
    async with aiohttp.ClientSession() as http:
        for path in ("", "empfehlungen/HF2-03.html", "empfehlungen/HF2-04.html", "empfehlungen/HF2-07.html",
                     "suche.html?q=HF2", "api/status.json", "en/empfehlungen/HF2-03.html"):
            async with http.get(base + path) as resp:
                out.append(f"{resp.status} {await resp.text()}")
    return "\n".join(out)


async def test_a_chairs_new_items_and_changes_wait_for_release(db_url: str) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:
        await bot.app.scheduler.shutdown()
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        said = [await bot.text("beispiel", line) for line in CHAIR_EDITS]  # the chair of EG2
        for reply in said:
            assert "freigabe" in reply.casefold(), reply
        public = await _public(base)
        for secret in ("Geheimer Entwurf", "Geheimziel", "Heimliche Maßnahme", "HF2-03-M9", "Amt für Unfug"):
            assert secret not in public, secret
        # the target 999, not the digits inside the form's random token (a hex string)
        assert not re.search(r"(?<![0-9a-f])999(?![0-9a-f])", public)
        assert "404 " in public  # HF2-07 does not exist for the public yet
        async with aiohttp.ClientSession() as http, http.get(base + "empfehlungen/HF2-04.html") as resp:
            measures = (await resp.text()).split('id="massnahmen"')[1].split("</table>")[0]
        assert "blockiert" not in measures

        pending = (await bot.text("koordination", "freigabe")).replace("\xa0", " ")
        assert "HF2-07: Neue Empfehlung „Geheimer Entwurf des Vorsitzes“" in pending
        assert "HF2-03: Neue Maßnahme HF2-03-M9 „Heimliche Maßnahme“" in pending
        assert "HF2-03: Neue Zielgröße „Geheimziel“: Ziel 999 Stück, Ausgangswert 1" in pending
        assert "→ nach Freigabe: „Amt für Unfug“" in pending
        assert re.search(r"HF2-04: Maßnahme HF2-04-M1, Stand blockiert", pending), pending
        assert "Import" not in pending or "HF2-07" not in pending.split("Import")[1]  # created in chat, not imported
        assert "gemeldet von Ayşe Beispiel" in pending

        await bot.text("koordination", "freigeben alle")
        public = await _public(base)
        for shown in ("Geheimer Entwurf des Vorsitzes", "Heimliche Maßnahme", "Geheimziel", "Amt für Unfug"):
            assert shown in public, shown
        async with aiohttp.ClientSession() as http, http.get(base + "empfehlungen/HF2-04.html") as resp:
            measures = (await resp.text()).split('id="massnahmen"')[1].split("</table>")[0]
        assert "blockiert" in measures


async def test_the_office_may_switch_the_release_of_chair_edits_off(db_url: str) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0",
                                 site__chair_edits_need_release="false")) as bot:
        await bot.app.scheduler.shutdown()
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        for line in CHAIR_EDITS:
            await bot.text("beispiel", line)
        public = await _public(base)
        for shown in ("Geheimer Entwurf des Vorsitzes", "Heimliche Maßnahme", "Geheimziel", "Amt für Unfug"):
            assert shown in public, shown
        assert "Nichts wartet" in await bot.text("koordination", "freigabe")
