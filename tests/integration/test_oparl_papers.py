"""Delivered reports as OParl papers (issue #21): the bot delivers the PDF along each reporting
line; nothing of it is public until a coordinator releases it (`bericht freigeben N`); then it
is an OParl Paper (paper type, date, originator, the consultation at the receiving body's next
planned meeting) with its File (size, SHA-1/SHA-512, download URL), all valid against the
OParl 1.1 schemas, and the file downloads with exactly those bytes."""
from __future__ import annotations

import hashlib
import io
import json
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import aiohttp
import jsonschema
import pikepdf
import pytest

from storage.models import AgendaItem, Meeting
from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
SCHEMAS = Path(__file__).resolve().parents[3] / "shared" / "reference" / "oparl-1.1" / "schema"
if not SCHEMAS.exists():
    SCHEMAS = Path("/work/shared/reference/oparl-1.1/schema")


def _validate(obj: dict[str, Any]) -> None:
    kind = obj["type"].rsplit("/", 1)[1]
    jsonschema.validate(obj, json.loads((SCHEMAS / f"{kind}.json").read_text()))
    assert obj["created"] <= obj["modified"] and obj["license"]


async def _get(url: str) -> tuple[int, bytes, Any]:
    async with aiohttp.ClientSession() as http, http.get(url) as r:
        return r.status, await r.read(), r.headers.copy()


async def test_a_released_report_is_an_oparl_paper_with_its_downloadable_pdf(db_url: str) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        with bot.app.uow_factory() as uow:  # the Integrationsrat meets after the half-year: a consultation
            council = uow.bodies.by_code("IR")
            assert council is not None
            start = datetime(2027, 2, 10, 16, tzinfo=timezone.utc)
            meeting = Meeting(body_id=council.id, title="1. Sitzung 2027", starts_at=start,
                              ends_at=start + timedelta(hours=3), place="Rathaus", uid="ir-2027-1@test",
                              state="planned")
            meeting.agenda = [AgendaItem(title="Halbjahresbericht der Steuerungsgruppe", position=1, public=True,
                                         state="accepted")]
            uow.session.add(meeting)
            uow.commit()
            meeting_id, item_id = meeting.id, meeting.agenda[0].id

        bot.clock.now = datetime(2027, 1, 1, 8, tzinfo=timezone.utc)  # Q4 and H2 have ended
        delivered = [m for m in await bot.tick() if m.attachments]
        files = {a.filename: a for m in delivered for a in m.attachments}
        assert "halbjahresbericht-sg-2026-H2.pdf" in files and "sachstandsbericht-eg2-2026-Q4.pdf" in files
        assert {a.mimetype for a in files.values()} == {"application/pdf"}
        half = next(m for m in delivered if m.attachments[0].filename == "halbjahresbericht-sg-2026-H2.pdf")
        assert "barrierefreie PDF-Datei" in half.text() and "bericht freigeben" in half.text()

        status, page, _ = await _get(base + "oparl/v1.1/body/1/paper")
        assert status == 200 and json.loads(page)["data"] == []  # nothing public before a release
        listing = "\n".join(m.text() for m in await bot.say("koordination", "berichte"))
        line = next(x for x in listing.splitlines() if "Halbjahresbericht der Steuerungsgruppe 2026-H2" in x)
        assert "nicht öffentlich" in line
        number = int(line.split("[")[1].split("]")[0])
        assert (await _get(f"{base}berichte/{number}/halbjahresbericht-sg-2026-H2.pdf"))[0] == 404

        assert "Noch kein Bericht ist freigegeben." in (await _get(base + "berichte.html"))[1].decode()
        # F10: first what a release means, then the release; "nein" keeps it internal
        warned = "\n".join(m.text() for m in await bot.say("koordination", f"bericht freigeben {number}"))
        assert "im Wortlaut" in warned and f"„bericht freigeben {number} ja“" in warned, warned
        assert "intern" in "\n".join(m.text() for m in await bot.say("koordination", f"bericht freigeben {number} nein"))
        assert (await _get(f"{base}berichte/{number}/halbjahresbericht-sg-2026-H2.pdf"))[0] == 404
        answer = "\n".join(m.text() for m in await bot.say("koordination", f"bericht freigeben {number} ja"))
        assert f"Bericht {number} freigegeben" in answer
        assert "schon öffentlich" in "\n".join(m.text() for m in await bot.say("koordination", f"bericht freigeben {number}"))

        papers = json.loads((await _get(base + "oparl/v1.1/body/1/paper"))[1])["data"]
        assert len(papers) == 1
        paper = papers[0]
        _validate(paper)
        assert paper == json.loads((await _get(paper["id"].replace("http://127.0.0.1:8080/", base)))[1])
        assert paper["paperType"] == "Mitteilung" and paper["date"] == "2027-01-01"
        assert paper["name"] == "Halbjahresbericht der Steuerungsgruppe 2026-H2"
        assert paper["originatorOrganization"] == ["http://127.0.0.1:8080/oparl/v1.1/organization/SG"]
        [consultation] = paper["consultation"]
        _validate(consultation)
        assert consultation["meeting"].endswith(f"/meeting/{meeting_id}")
        assert consultation["agendaItem"].endswith(f"/agendaItem/{item_id}")
        assert consultation["organization"] == ["http://127.0.0.1:8080/oparl/v1.1/organization/IR"]

        file = paper["mainFile"]
        _validate(file)
        assert file == json.loads((await _get(file["id"].replace("http://127.0.0.1:8080/", base)))[1])
        assert file["mimeType"] == "application/pdf" and file["fileName"] == "halbjahresbericht-sg-2026-H2.pdf"
        status, body, headers = await _get(file["downloadUrl"].replace("http://127.0.0.1:8080/", base))
        assert status == 200 and headers["Content-Type"] == "application/pdf"
        assert headers["Content-Disposition"] == 'attachment; filename="halbjahresbericht-sg-2026-H2.pdf"'
        assert len(body) == file["size"] and hashlib.sha1(body).hexdigest() == file["sha1Checksum"]
        assert hashlib.sha512(body).hexdigest() == file["sha512Checksum"]
        assert body == files["halbjahresbericht-sg-2026-H2.pdf"].data  # the file that was delivered
        pdf = pikepdf.open(io.BytesIO(body))
        assert str(pdf.docinfo.Title) == paper["name"] and "/StructTreeRoot" in pdf.Root

        # F8: the public site links the released report (German and English), and only it
        link = f'href="berichte/{number}/halbjahresbericht-sg-2026-H2.pdf"'
        listing_de = (await _get(base + "berichte.html"))[1].decode()
        assert link in listing_de and "Halbjahresbericht der Steuerungsgruppe 2026-H2</a>" in listing_de
        assert listing_de.count('href="berichte/') == 1 and 'href="berichte.html" aria-current="page"' in listing_de
        listing_en = (await _get(base + "en/berichte.html"))[1].decode()
        assert f'href="../berichte/{number}/' in listing_en and "<h1>Reports</h1>" in listing_en
        assert 'href="berichte.html"' in (await _get(base + "index.html"))[1].decode()  # in the navigation
        others = [p for p in range(1, 10) if p != number]  # the other reports stay unpublished
        for other in others:
            assert (await _get(f"{base}oparl/v1.1/paper/{other}"))[0] == 404
            assert (await _get(f"{base}oparl/v1.1/file/{other}"))[0] == 404
        # the static copy (`sachstand publish`) holds the page and the released file, not the others
        from bot.public.export import export
        out = Path(tempfile.mkdtemp())
        export(bot.app, out)
        assert (out / "berichte" / str(number) / "halbjahresbericht-sg-2026-H2.pdf").read_bytes() == body
        assert [p.name for p in (out / "berichte").iterdir()] == [str(number)] and link in (out / "berichte.html").read_text()
        # F9: a paper to a body with no meeting planned still says whom it is addressed to
        line = next(x for x in listing.splitlines() if "Sachstandsbericht 2026-Q4 – Expertengruppe Ausbildung" in x)
        eg2 = int(line.split("[")[1].split("]")[0])
        await bot.say("koordination", f"bericht freigeben {eg2} ja")
        paper = json.loads((await _get(f"{base}oparl/v1.1/paper/{eg2}"))[1])
        [consultation] = paper["consultation"]
        _validate(consultation)
        assert "meeting" not in consultation and consultation["role"] == "Kenntnisnahme"
        assert consultation["organization"] == ["http://127.0.0.1:8080/oparl/v1.1/organization/GF"]
        assert json.loads((await _get(f"{base}oparl/v1.1/consultation/{eg2}"))[1]) == consultation


async def test_with_html_reports_the_delivered_report_is_still_listed_and_releasable_as_pdf(db_url: str) -> None:
    """rep2 F12: with `[digests] report_format = "html"` the rooms got the HTML file, but nothing
    was recorded: `berichte` said no report was delivered and `bericht freigeben 6 ja` found none."""
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0", digests__report_format="html")) as bot:
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        bot.clock.now = datetime(2027, 1, 1, 8, tzinfo=timezone.utc)
        delivered = [m for m in await bot.tick() if m.attachments]
        files = {a.filename: a for m in delivered for a in m.attachments}
        assert "halbjahresbericht-sg-2026-H2.html" in files and {a.mimetype for a in files.values()} == {"text/html"}
        half = next(m for m in delivered if m.attachments[0].filename == "halbjahresbericht-sg-2026-H2.html")
        assert "bericht freigeben" in half.text()
        listing = "\n".join(m.text() for m in await bot.say("koordination", "berichte"))
        line = next(x for x in listing.splitlines() if "Halbjahresbericht der Steuerungsgruppe 2026-H2" in x)
        number = int(line.split("[")[1].split("]")[0])
        answer = "\n".join(m.text() for m in await bot.say("koordination", f"bericht freigeben {number} ja"))
        assert f"Bericht {number} freigegeben" in answer
        status, data, headers = await _get(f"{base}berichte/{number}/halbjahresbericht-sg-2026-H2.pdf")
        assert status == 200 and headers["Content-Type"] == "application/pdf" and data.startswith(b"%PDF-")
