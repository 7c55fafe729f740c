"""Audit log (#9.3): every change by anyone leaves one entry naming actor, action and object;
coordinators filter it (`protokoll person @x objekt HF2-07 seit 1.11.`) and export it (CSV, JSON)."""
from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import func, select

from storage.models import AuditEntry
from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
ROOM = "#eg-arbeit-wirtschaft"  # EG2's room in the example
# who says what, and the one entry it must leave: (actor, action, object)
CHANGES = [
    ("koordination", "status HF2-03 verzögert", ("koordination", "set_status", "HF2-03")),
    ("testmann", "fortschritt HF2-06 50", ("testmann", "set_progress", "HF2-06")),
    ("beispiel", "empfehlung anlegen HF2-98 Sprachkurse im Betrieb", ("beispiel", "create_recommendation", "HF2-98")),
    ("beispiel", "empfehlung ändern HF2-98 zeitziel 31.12.2027", ("beispiel", "edit_time_target", "HF2-98")),  # not public yet: applies at once
    ("beispiel", "zuweisen HF2-98 @testmann", ("beispiel", "edit_owner", "HF2-98")),
    ("koordination", "zielgröße HF2-98 Kurse ziel 10", ("koordination", "add_metric", "HF2-98")),
    ("koordination", "maßnahme anlegen HF2-98 HF2-98-M1 Mentoring", ("koordination", "create_measure", "HF2-98-M1")),
    ("koordination", "maßnahme ändern HF2-98-M1 gewicht 2", ("koordination", "edit_HF2-98-M1:weight", "HF2-98")),
    ("koordination", 'gremium anlegen AK9 arbeitskreis "Arbeitskreis Probe"', ("koordination", "create_body", "AK9")),
    ("koordination", "gremium takt AK9 2", ("koordination", "body_cadence", "AK9")),
    ("koordination", "gremium berichtet AK9 GF 2", ("koordination", "reporting_line", "AK9")),
    ("koordination", "mitglied hinzufügen AK9 @probe", ("koordination", "add_member", "AK9")),
    ("koordination", "vorsitz AK9 @probe", ("koordination", "set_chair", "AK9")),
    ("koordination", "mitglied entfernen AK9 @probe", ("koordination", "remove_member", "AK9")),
    ("beispiel", "sitzung anlegen EG2 14.01.2027 10:00", ("beispiel", "create_meeting", "EG2")),
    ("testmann", "zusagen EG2", ("testmann", "rsvp", "EG2")),
    ("testmann", 'top vorschlagen EG2 "Fachkräfteforum"', ("testmann", "propose_item", "EG2")),
    ("beispiel", "top annehmen EG2 2 öffentlich", ("beispiel", "accept_item", "EG2")),
    ("beispiel", "sitzung verschieben EG2 15.01.2027 10:00", ("beispiel", "change_meeting", "EG2")),
    ("beispiel", "sitzung absagen EG2", ("beispiel", "cancel_meeting", "EG2")),
    ("beispiel", "sitzung planen EG2", ("beispiel", "propose_dates", "EG2")),
    ("beispiel", "umfrage EG2", ("beispiel", "open_poll", "EG2")),
    ("testmann", "abstimmen EG2 1", ("testmann", "vote", "EG2")),
    ("testmann", "folgen HF2", ("testmann", "follow", "field:HF2")),
    ("testmann", "entfolgen HF2", ("testmann", "unfollow", "field:HF2")),
    ("testmann", "abwesend bis 10.12.2026", ("testmann", "absence", "testmann")),
    ("testmann", "sprache de", ("testmann", "set_language", "testmann")),
    ("testmann", "zustimmung ja", ("testmann", "set_consent", "testmann")),
    ("koordination", "runde starten EG2 frist 15.12.2026", ("koordination", "open_round", "EG2 2026-Q4")),
    ("koordination", "runde erinnern EG2", ("koordination", "remind_round", "EG2 2026-Q4")),
    ("testmann", "später", ("testmann", "snooze", "testmann")),
    ("koordination", "freigeben 1", ("koordination", "release_released", "1")),
    ("koordination", "zurückhalten 2", ("koordination", "release_withheld", "2")),
    ("koordination", "runde schließen EG2", ("koordination", "close_round", "EG2 2026-Q4")),
    ("koordination", "person export @testmann", ("koordination", "export_person", "testmann")),
]


async def test_every_change_leaves_one_entry_with_actor_action_object(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.app.scheduler.shutdown()  # only the commands write
        for speaker, text, expected in CHANGES:
            with bot.app.uow_factory() as uow:
                last = uow.session.scalar(select(func.max(AuditEntry.id))) or 0
            answer = await bot.text(speaker, text)
            assert "Nicht erlaubt" not in answer and "schiefgegangen" not in answer, (text, answer)
            with bot.app.uow_factory() as uow:
                new = uow.session.scalars(select(AuditEntry).where(AuditEntry.id > last)).all()
                got = [(e.actor_label, e.action, e.entity_ref) for e in new]
                actor_ids = {e.actor_id for e in new}
            assert got == [expected], f"{text!r} → {answer[:200]!r}"
            assert None not in actor_ids, text  # the actor is the person, not only a label


async def test_protokoll_filters_and_export(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.app.scheduler.shutdown()
        for speaker, text, _ in CHANGES[:8] + CHANGES[23:28]:
            await bot.text(speaker, text)
        by_person = await bot.text("koordination", "protokoll person @testmann")
        by_object = await bot.text("koordination", "protokoll objekt HF2-98")
        since = await bot.text("koordination", "protokoll seit 1.11. person @beispiel 2")
        empty = await bot.text("koordination", "protokoll seit 31.12.2099")
        wrong = await bot.text("koordination", "protokoll gestern")
        refused = await bot.text("testmann", "protokoll")
        csv_sent = await bot.say("koordination", "protokoll export person @testmann")
        json_sent = await bot.say("koordination", "protokoll export objekt HF2-98 json")
        in_room = await bot.say("koordination", "protokoll export", room=ROOM)

    # in words, with names (issue #17); the export files keep the action codes
    assert "Änderungsprotokoll" in by_person and "folgt HF2" in by_person
    assert "Zustimmung zur Namensnennung" in by_person
    assert "Interkulturelles Referat" not in by_person and "Ayşe Beispiel" not in by_person
    assert "Empfehlung HF2-98 „Sprachkurse im Betrieb“ angelegt" in by_object
    assert "HF2-98: Verantwortlich: – → Paul Testmann" in by_object and "HF2-03" not in by_object
    assert "Maßnahme HF2-98-M1 zu HF2-98 angelegt" in by_object  # HF2-98-M1 belongs to HF2-98
    assert since.count("•") == 2 and "Paul Testmann ·" not in since
    assert "Noch keine Einträge" in empty and "•" not in empty
    assert "„gestern“ ist kein Filter" in wrong and "Aufruf: änderungsprotokoll" in wrong  # renamed in #16
    assert "Nicht erlaubt" in refused

    (file,) = [a for m in csv_sent for a in m.attachments]
    assert file.filename == "protokoll.csv" and file.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(file.data.decode("utf-8-sig")), delimiter=";"))
    assert [r["action"] for r in rows] == ["set_progress", "follow", "unfollow", "absence", "set_language",
                                           "set_consent"]
    assert {r["actor"] for r in rows} == {"testmann"} and all(r["at"] and r["ref"] for r in rows)
    assert json.loads(rows[1]["details"])["new"]["kinds"]  # details as JSON in one column
    (file,) = [a for m in json_sent for a in m.attachments]
    entries = json.loads(file.data)
    assert file.filename == "protokoll.json" and {e["ref"] for e in entries} == {"HF2-98", "HF2-98-M1"}
    # said in a room: the file goes by DM, the room only hears where it went
    assert [m.channel.id for m in in_room if m.attachments] == ["dm:koordination"]
    assert any("Direktnachricht" in m.text("plain") for m in in_room if m.channel.id == ROOM)
