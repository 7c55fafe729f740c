"""GDPR (#9.2): a person's data exported as JSON, erased with history kept anonymously, free-text
answers blanked after the retention period, and publication consent given and withdrawn by the
person, with the withdrawal visible at once in every public output."""
from __future__ import annotations

import json
from datetime import timedelta

import aiohttp
import pytest
from sqlalchemy import select

from storage.models import (AuditEntry, ConversationState, Membership, OutboxMessage, Person, Release,
                            StatusUpdate, Subscription)
from tests.helpers.harness import Bot, make_settings

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
HAPPENED, NEXT, BLOCKER = "Zwei Kurse mit Frau Yilmaz gestartet.", "Dritten Kurs planen.", "Kinderbetreuung fehlt."
SUMMARY = "Zwei Teilzeitkurse laufen."


async def _answer_round(bot: Bot) -> None:
    """testmann owns HF2-04 and answers EG2's round; the coordinator releases the summary."""
    await bot.say("koordination", "runde starten EG2 frist 15.12.2026")
    for answer in ("2", "75", HAPPENED, NEXT, BLOCKER, SUMMARY, "ja", "ja"):
        await bot.text("testmann", answer)
    pending = await bot.text("koordination", "freigabe")
    for number in [part.split("]")[0] for part in pending.split("[")[1:]]:
        await bot.text("koordination", f"freigeben {number}")


def _export_of(messages: list) -> dict:
    files = [a for m in messages for a in m.attachments if a.filename.endswith(".json")]
    assert len(files) == 1 and files[0].mimetype == "application/json"
    return json.loads(files[0].data)


@SQLITE
async def test_export_contains_everything_about_the_person(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await _answer_round(bot)
        await bot.text("testmann", "abwesend bis 10.12.2026")
        await bot.text("testmann", "folgen HF2")
        await bot.text("testmann", "zustimmung ja")
        sent = await bot.say("koordination", "person export @testmann")
        mine = await bot.say("testmann", "meine daten")
        refused = await bot.text("testmann", "person export @koordination")

    assert all(m.channel.id == "dm:koordination" for m in sent)
    summary = sent[0].text("plain")
    assert "Datenauskunft: Paul Testmann (@testmann)" in summary and "status_updates: 2" in summary
    data = _export_of(sent)
    assert data["person"]["name"] == "Paul Testmann" and data["person"]["email"] == "paul.testmann@example.org"
    assert {"transport": "console", "external_id": "testmann"}.items() <= data["identities"][0].items() or any(
        i["transport"] == "console" and i["external_id"] == "testmann" for i in data["identities"])
    assert "EG2" in {m["body"] for m in data["memberships"]}
    assert data["settings"]["publication_consent"] is True and data["settings"]["consent_changed_at"]
    assert [a["end"] for a in data["absences"]] == ["2026-12-10"]
    update = next(u for u in data["status_updates"] if u["state"] == "submitted")
    assert (update["recommendation"], update["happened"], update["next_steps"], update["blockers"]) == (
        "HF2-04", HAPPENED, NEXT, BLOCKER)
    assert [s["scope_ref"] for s in data["subscriptions"]] == ["HF2"]
    actions = {a["action"] for a in data["audit"]}
    assert {"submit_update", "absence", "follow", "set_consent"} <= actions
    assert "HF2-04" in data["responsibilities"]["recommendations"]
    assert {"history", "rsvps", "poll_votes", "agenda_proposals", "conversations", "roles"} <= data.keys()
    assert data["questions"] == []  # bot/questions/service.py plugged in (export_for/erase_for)
    # a person asks for their own data: the same document, in their own DM
    assert _export_of(mine)["person"]["handle"] == "testmann" and mine[0].channel.id == "dm:testmann"
    assert "Nicht erlaubt" in refused


@pytest.mark.parametrize("db_url", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
async def test_erasure_anonymises_and_keeps_history(db_url: str) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        await _answer_round(bot)
        await bot.text("testmann", "folgen HF2")
        await bot.text("testmann", "zustimmung ja")
        await bot.text("testmann", "einstellungen")  # an open conversation
        await bot.text("koordination", "mitglied hinzufügen EG3 @testmann")  # others' audit entries name them
        assert "Paul Testmann" in await _page(base, "empfehlungen/HF2-04.html")

        asked = await bot.text("koordination", "person löschen @testmann")
        cancelled = await bot.text("koordination", "abbrechen")
        with bot.app.uow_factory() as uow:
            assert uow.people.by_handle("testmann") is not None
        await bot.text("koordination", "person löschen @testmann")
        done = await bot.text("koordination", "ja")
        stranger = await bot.text("testmann", "wer bin ich")
        history = await bot.text("koordination", "verlauf HF2-04")
        page = await _page(base, "empfehlungen/HF2-04.html")
        oparl = await _page(base, "oparl/v1.1/body/1/person")
        status = await _page(base, "api/status.json")

        with bot.app.uow_factory() as uow:
            s = uow.session
            person = s.scalar(select(Person).where(Person.name == "ehemaliges Mitglied"))
            assert person is not None and person.handle.startswith("ehemalig-") and person.anonymized_at
            assert person.email is None and not person.identities and not person.publication_consent
            assert not s.scalars(select(Membership).where(Membership.person_id == person.id)).all()
            assert not s.scalars(select(ConversationState).where(ConversationState.person_id == person.id)).all()
            assert not s.scalars(select(Subscription).where(Subscription.channel_id == "dm:testmann")).all()
            mail = s.scalars(select(OutboxMessage).where(OutboxMessage.channel_id == "dm:testmann")).all()
            assert [json.loads(json.dumps(m.payload))["texts"]["plain"][:40] for m in mail] == [
                "Ich kenne Sie noch nicht (testmann). Bit"]  # only the answer after the erasure
            update = s.scalar(select(StatusUpdate).where(StatusUpdate.author_id == person.id,
                                                         StatusUpdate.state == "submitted"))
            assert update is not None and update.happened == HAPPENED  # kept for the history, anonymous author
            assert s.scalar(select(Release).where(Release.text == SUMMARY, Release.state == "released"))
            audit = s.scalars(select(AuditEntry)).all()
            leaks = [(a.action, a.actor_label, a.entity_ref, a.details) for a in audit
                     if "testmann" in (a.actor_label + a.entity_ref + json.dumps(a.details))]
            assert not leaks
            assert [a.actor_label for a in audit if a.action == "erase_person"] == ["koordination"]

    assert "löschen?" in asked and "„ehemaliges Mitglied“" in asked and "Abgebrochen" in cancelled
    assert "Gelöscht" in done
    assert "Ich kenne Sie noch nicht" in stranger
    assert "ehemaliges Mitglied" in history and "Testmann" not in history
    for output in (page, oparl, status):
        assert "Testmann" not in output and "paul.testmann" not in output
    assert SUMMARY in page  # released public content stays, without the name


async def _page(base: str, path: str, **headers: str) -> str:
    async with aiohttp.ClientSession() as http, http.get(base + path, headers=headers) as resp:
        assert resp.status == 200, path
        return (await resp.read()).decode()


@SQLITE
async def test_retention_blanks_free_texts_of_closed_rounds_once(db_url: str) -> None:
    async with Bot(make_settings(db_url, privacy__answer_retention_days="30")) as bot:
        await _answer_round(bot)
        await bot.tick()
        with bot.app.uow_factory() as uow:  # the round is still open: nothing is blanked
            assert uow.session.scalar(select(StatusUpdate).where(StatusUpdate.happened == HAPPENED)) is not None
        await bot.text("koordination", "runde schließen EG2")
        bot.clock.now += timedelta(days=29)
        await bot.tick()
        with bot.app.uow_factory() as uow:
            assert uow.session.scalar(select(StatusUpdate).where(StatusUpdate.happened == HAPPENED)) is not None
        bot.clock.now += timedelta(days=2)
        await bot.tick()
        await bot.tick()  # idempotent: a second run finds nothing
        with bot.app.uow_factory() as uow:
            update = uow.session.scalar(select(StatusUpdate).where(StatusUpdate.public_summary == SUMMARY))
            assert update is not None and (update.happened, update.next_steps, update.blockers) == ("", "", "")
            assert update.status is not None and update.metric_values  # the facts stay
            assert uow.session.scalar(select(Release).where(Release.text == SUMMARY)) is not None
            runs = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "retention")).all()
            assert [(r.actor_label, r.details["blanked"]) for r in runs] == [("system", 1)]


@SQLITE
async def test_withdrawn_consent_leaves_every_public_output_at_once(db_url: str) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        await _answer_round(bot)
        assert "Nicht erlaubt" not in await bot.text("testmann", "zustimmung ja")
        paths = ("", "empfehlungen/HF2-04.html", "feed.atom", "api/status.json", "oparl/v1.1/body/1/person",
                 "oparl/v1.1/person/{id}", "calendar/all.ics", "calendar/EG2.ics", "gremien.html")
        with bot.app.uow_factory() as uow:
            person_id = uow.people.by_handle("testmann").id  # type: ignore[union-attr]
        before = {p: await _page(base, p.format(id=person_id)) for p in paths if p != "oparl/v1.1/person/{id}"}
        assert "Paul Testmann" in before["empfehlungen/HF2-04.html"]
        assert "Paul Testmann" in before["api/status.json"] and "Paul Testmann" in before["oparl/v1.1/body/1/person"]
        async with aiohttp.ClientSession() as http, http.get(f"{base}empfehlungen/HF2-04.html") as resp:
            etag = resp.headers["ETag"]

        answer = await bot.text("testmann", "zustimmung nein")
        assert "erscheint in keiner öffentlichen Ausgabe mehr" in answer
        for path in paths:
            if path == "oparl/v1.1/person/{id}":
                async with aiohttp.ClientSession() as http, http.get(base + path.format(id=person_id)) as resp:
                    assert resp.status == 404
                continue
            assert "Testmann" not in await _page(base, path), path  # cached pages are rendered again
        async with aiohttp.ClientSession() as http, http.get(f"{base}empfehlungen/HF2-04.html",
                                                             headers={"If-None-Match": etag}) as resp:
            assert resp.status == 200  # a browser's cached copy with the name is not confirmed
        with bot.app.uow_factory() as uow:
            entry = uow.session.scalars(select(AuditEntry).where(AuditEntry.action == "set_consent")
                                        .order_by(AuditEntry.id.desc())).first()
            assert entry is not None and entry.details == {"old": True, "new": False}


@SQLITE
async def test_other_modules_plug_into_export_and_erasure(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The hook for public questions (bot/questions/service.py on its own branch): a module in
    PLUGINS with export_for/erase_for becomes a section of the export and is erased with the person."""
    import sys
    import types

    from bot.privacy import sections

    erased: list[str] = []
    plugin = types.ModuleType("bot.fragen.service")
    plugin.export_for = lambda uow, person: [{"question": f"Frage von {person.handle}"}]  # type: ignore[attr-defined]
    plugin.erase_for = lambda uow, person: erased.append(person.handle) or 1  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "bot.fragen.service", plugin)
    monkeypatch.setattr(sections, "PLUGINS", (*sections.PLUGINS, "bot.fragen.service"))
    async with Bot(make_settings(db_url)) as bot:
        data = _export_of(await bot.say("koordination", "person export @testmann"))
        await bot.text("koordination", "person löschen @testmann")
        await bot.text("koordination", "ja")
    assert data["fragen"] == [{"question": "Frage von testmann"}]
    assert erased == ["testmann"]  # called while the person is still whole
