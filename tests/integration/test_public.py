"""The public status site over HTTP (issue #7): only released content, Atom that parses,
JSON, conditional GET, and a static export with the same bytes."""
from __future__ import annotations

import json
import re
from pathlib import Path

import aiohttp
import feedparser
import pytest

from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
SECRET = "Interner Entwurf: noch nicht abgestimmt"
PUBLIC = "Zwei Teilzeitkurse laufen."


async def _answer_with_summary(bot: Bot, summary: str) -> None:
    await bot.say("koordination", "runde starten EG2 frist 15.12.2026")
    for answer in ("2", "75", "Kurse laufen.", "Weiter.", "keine", summary, "ja", "ja"):
        await bot.text("testmann", answer)


async def _get(base: str, path: str, **headers: str) -> tuple[int, bytes, dict[str, str]]:
    async with aiohttp.ClientSession() as http, http.get(base + path, headers=headers) as resp:
        return resp.status, await resp.read(), resp.headers.copy()  # type: ignore[return-value]


async def test_only_released_content_is_public(db_url: str, tmp_path: Path) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        await _answer_with_summary(bot, SECRET)
        for path in ("", "empfehlungen/HF2-04.html", "feed.atom", "api/status.json"):
            status, body, _ = await _get(base, path)
            assert status == 200 and SECRET.encode() not in body, path
        status, page, headers = await _get(base, "empfehlungen/HF2-04.html")
        assert "Noch kein Stand freigegeben" in page.decode() and headers["Content-Type"].startswith("text/html")

        pending = await bot.text("koordination", "freigabe")
        number = pending.split("[")[1].split("]")[0]
        await bot.text("koordination", f"freigabe text {number} {PUBLIC}")
        await bot.text("koordination", f"freigeben {number}")

        _, page, headers = await _get(base, "empfehlungen/HF2-04.html")
        text = page.decode()
        assert PUBLIC in text and "in Umsetzung" in text and SECRET not in text
        feed = feedparser.parse((await _get(base, "feed.atom"))[1])
        assert not feed.bozo and feed.version == "atom10"
        assert [e.title for e in feed.entries] == [
            "HF2-04 Arbeitsmarktintegration geflüchteter Frauen durch Teilzeitqualifizierung mit "
            "Kinderbetreuung: in Umsetzung, 40 %"]  # progress from its measures
        assert feed.entries[0].content[0].value == PUBLIC
        status_json = json.loads((await _get(base, "api/status.json"))[1])
        hf2 = next(f for f in status_json["fields"] if f["code"] == "HF2")
        item = next(r for r in hf2["recommendations"] if r["code"] == "HF2-04")
        assert (item["status"], item["summary"]) == ("in_progress", PUBLIC)
        assert all(r["status"] is None for r in hf2["recommendations"] if r["code"] != "HF2-04")

        # conditional GET: the same ETag or date answers 304 without a body
        assert (await _get(base, "empfehlungen/HF2-04.html", **{"If-None-Match": headers["ETag"]}))[0] == 304
        since = headers["Last-Modified"]
        assert (await _get(base, "empfehlungen/HF2-04.html", **{"If-Modified-Since": since}))[0] == 304
        assert (await _get(base, "empfehlungen/XX-99.html"))[0] == 404

        from bot.public.export import export

        written = await bot.app.run_sync(export, bot.app, tmp_path)
        assert written >= 35
        # the same bytes, except the question form's target and per-visitor token (issue #8): a static
        # site cannot take a POST, so its form posts to the bot's web server
        exported = (tmp_path / "empfehlungen" / "HF2-04.html").read_bytes()
        assert b'action="http://127.0.0.1:8080/fragen"' in exported and b'name="token" value=""' in exported
        assert _form_neutral(exported) == _form_neutral(page)
        assert _form_neutral((tmp_path / "index.html").read_bytes()) == _form_neutral((await _get(base, ""))[1])
        assert (tmp_path / "gremien.html").read_bytes() == (await _get(base, "gremien.html"))[1]


def _form_neutral(page: bytes) -> bytes:
    page = re.sub(rb'<form method="post" action="[^"]*"', b'<form method="post" action=""', page)
    # the search form, too: a static page cannot search, its form asks the bot's server (issue #18)
    page = re.sub(rb'<form class="search" method="get" action="[^"]*"', b'<form class="search" method="get" action=""', page)
    return re.sub(rb'name="token" value="[^"]*"', b'name="token" value=""', page)


async def test_names_only_with_consent(db_url: str) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        with bot.app.uow_factory() as uow:
            rec = uow.catalog.recommendation("HF2-04")
            assert rec is not None and rec.owner is not None
            name, consent = rec.owner.name, rec.owner.publication_consent
        page = (await _get(base, "empfehlungen/HF2-04.html"))[1].decode()
        assert (name in page) == consent
        await bot.text("testmann", "einstellungen")
        for answer in ("1", "unverändert", "nein" if consent else "ja", "ja"):
            await bot.text("testmann", answer)
        page = (await _get(base, "empfehlungen/HF2-04.html"))[1].decode()
        assert (name in page) != consent  # the change of consent shows at once
