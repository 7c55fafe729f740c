"""One permission model (#9.1): the command table in docs/befehle.md is the registry's, and the router does what it says.

Every registered command is said by a coordinator, the chair of EG2, the chair of another body
(EG1), a member of EG2, a follower and an unknown person. Where the table says no, the answer is a
localised refusal that names the needed role and nothing in the database changes (every table but
the outbox and the ledger of processed events, the audit log included); where it says yes, the
command is not refused for a permission reason.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot import permissions
from storage.models import Base, Body, ConversationState, Identity, MemberRole, Membership, Person
from tests.helpers.harness import Bot, make_settings

README = Path(__file__).resolve().parents[2] / "docs" / "befehle.md"
ROOM = "#eg-arbeit-wirtschaft"  # EG2's room in the example
# speaker handle per table column; "tfremd" has no person record
SPEAKERS = {"Koordination": "koordination", "Vorsitz dieses Gremiums": "tvorsitz",
            "Vorsitz eines anderen Gremiums": "tanderer", "Mitglied": "tmitglied", "Folgende": "tfolgend",
            "unbekannte Person": "tfremd"}
# what each command says, about EG2 (field HF2, recommendation HF2-04); other commands use their example
INVOCATIONS = {
    "language": "sprache de", "recommendation": "empfehlung HF2-04", "field": "feld HF2", "list": "liste feld:HF2",
    "set_status": "status HF2-04 verzögert", "set_progress": "fortschritt HF2-04 45", "history": "verlauf HF2-04",
    "rec_create": "empfehlung anlegen HF2-98 Probe", "rec_edit": "empfehlung ändern HF2-04 zeitziel 31.12.2027",
    "assign": "zuweisen HF2-04 @testmann", "metric_add": "zielgröße HF2-04 Probe ziel 10",
    "measure_create": "maßnahme anlegen HF2-04 HF2-04-M9 Probe",
    "measure_edit": "maßnahme ändern {measure} gewicht 1",
    "derive": "fortschritt aus HF2-04 maßnahmen", "round_start": "runde starten EG2", "update": "aktualisieren HF2-04",
    "correct": "korrigieren HF2-04", "absent": "abwesend bis 10.12.2026", "body": "gremium EG2",
    "body_create": 'gremium anlegen AK9 arbeitskreis "Probe"', "member_add": "mitglied hinzufügen EG2 @probe",
    "member_remove": "mitglied entfernen EG2 @probe", "body_chair": "vorsitz EG2 @tvorsitz",
    "vote": "abstimmen EG2 1",
    "meeting_poll": "umfrage EG2", "meeting_confirm": "sitzung festlegen EG2",
    "meeting_create": "sitzung anlegen EG2 14.01.2027 10:00", "meeting_move": "sitzung verschieben EG2 15.01.2027 10:00",
    "rsvp_yes": "zusagen EG2", "rsvp_no": "absagen EG2", "rsvp_maybe": "vielleicht EG2",
    "agenda_propose": "top vorschlagen EG2 Probe", "agenda_accept": "top annehmen EG2 2",
    "agenda_reject": "top ablehnen EG2 2", "agenda_order": "top reihenfolge EG2 1", "follow": "folgen HF2",
    "unfollow": "entfolgen HF2", "digest": "digest HF2", "release": "freigeben alle", "withhold": "zurückhalten 1",
    "release_edit": "freigabe text 1 Probe", "release_import": "freigeben import", "audit": "protokoll",
}
REFUSED = ("Nicht erlaubt", "Nur Mitglieder von", "Das darf nur der Vorsitz")  # never for an allowed command
ROLE_NAMED = ("Nur Mitglieder von", "Das darf nur der Vorsitz", "ist die Rolle „")
UNCHANGED_EXCEPT = {"outbox", "processed_events"}


def _setup(bot: Bot) -> str:
    """Four people with exactly one standing each; returns a measure of HF2-04."""
    with bot.app.uow_factory() as uow:
        bodies = {b.code: b for b in uow.session.scalars(select(Body)).all()}
        for handle, body, role in (("tvorsitz", "EG2", MemberRole.CHAIR), ("tanderer", "EG1", MemberRole.CHAIR),
                                   ("tmitglied", "EG2", MemberRole.MEMBER), ("tfolgend", None, None)):
            person = Person(handle=handle, name=f"Test {handle}", org_unit="Testamt")
            uow.session.add(person)
            uow.session.flush()
            uow.session.add(Identity(person_id=person.id, transport="console", external_id=handle))
            if body:
                uow.session.add(Membership(body_id=bodies[body].id, person_id=person.id, role=role))
        rec = uow.catalog.recommendation("HF2-04")
        assert rec is not None and rec.body is not None and rec.body.code == "EG2" and rec.measures
        assert rec.owner is None or rec.owner.handle not in SPEAKERS.values()
        measure = rec.measures[0].code
        uow.commit()
    return measure


def _snapshot(bot: Bot) -> str:
    digest = hashlib.sha256()
    with bot.app.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in UNCHANGED_EXCEPT:
                continue
            for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                if table.name == "key_values" and str(row[0]).startswith("choices:"):
                    continue  # a numbered question offered is for the next message only: any message forgets it
                digest.update(repr((table.name, tuple(row))).encode())
    return digest.hexdigest()


def _end_conversations(bot: Bot) -> None:
    """An allowed command may open a conversation; the next command must not be taken as its answer."""
    with bot.app.uow_factory() as uow:
        uow.session.execute(update(ConversationState).where(ConversationState.status == "active")
                            .values(status="cancelled"))
        uow.commit()


def test_readme_table_is_generated_from_the_registry() -> None:
    table = permissions.markdown(permissions.registry())
    in_readme = permissions.readme_section(README.read_text(encoding="utf-8"))
    assert in_readme is not None, "docs/befehle.md lacks the permission table markers"
    assert in_readme == table, "docs/befehle.md is stale: run `make permissions` and paste it"


def test_the_cli_prints_the_same_table(capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli import main

    assert main(["permissions"]) == 0
    assert capsys.readouterr().out.strip() == permissions.markdown(permissions.registry())


def test_every_column_has_a_distinct_meaning() -> None:
    """Sanity of the model: the chair of another body is not the chair of this one, and so on."""
    commands = permissions.registry().commands
    cells = {c.title: permissions.cell(commands["round_start"], c.standing) for c in permissions.COLUMNS}
    assert [cells[t] for t in SPEAKERS] == ["✓", "✓", "–", "–", "–", "–"]
    vote = {c.title: permissions.cell(commands["vote"], c.standing) for c in permissions.COLUMNS}
    assert [vote[t] for t in SPEAKERS] == ["✓", "✓", "–", "✓", "–", "–"]
    status = {c.title: permissions.cell(commands["set_status"], c.standing) for c in permissions.COLUMNS}
    assert status["Mitglied"] == "eigene" and status["unbekannte Person"] == "–"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_every_command_as_every_role_through_the_router(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.app.scheduler.shutdown()  # no tick in between: only the commands change anything
        measure = _setup(bot)
        registry = bot.app.services.registry
        columns = {c.title: c for c in permissions.COLUMNS}
        checked = 0
        for command in registry:
            text = INVOCATIONS.get(command.name) or (command.examples[0] if command.examples else command.alias("de"))
            text = text.format(measure=measure)
            room = ROOM if command.where == "room" else None
            # the weakest first, so an allowed command's change does not decide a later refusal
            for title in reversed(list(SPEAKERS)):
                allowed = permissions.cell(command, columns[title].standing) == permissions.YES
                before = _snapshot(bot)
                answer = await bot.text(SPEAKERS[title], text, room=room)
                where = f"{command.name} ({text!r}) as {title}: {answer[:300]!r}"
                if allowed:
                    assert not any(r in answer for r in REFUSED), where
                    _end_conversations(bot)
                else:
                    assert "Nicht erlaubt" in answer and "Es wurde nichts geändert" in answer, where
                    assert any(r in answer for r in ROLE_NAMED), f"no role named: {where}"
                    assert _snapshot(bot) == before, f"a refused command changed something: {where}"
                checked += 1
        assert checked == 6 * len(registry.commands)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_moving_an_item_needs_the_chair_of_the_body_it_moves_to(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.app.scheduler.shutdown()
        _setup(bot)
        before = _snapshot(bot)
        refused = await bot.text("tvorsitz", "empfehlung ändern HF2-04 gremium EG3")
        assert _snapshot(bot) == before
        moved = await bot.text("koordination", "empfehlung ändern HF2-04 gremium EG3")
    assert "Nicht erlaubt" in refused and "Das darf nur der Vorsitz von EG3" in refused
    assert "Nicht erlaubt" not in moved and "EG3" in moved


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_a_refusal_is_in_the_speakers_language(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        english = await bot.text("ersatz", "freigabe")  # an English-speaking member
        german = await bot.text("testmann", "freigabe")
    assert "Not allowed: releases." in english and "This needs the role “coordinator”." in english
    assert "Nothing was changed." in english
    assert "Nicht erlaubt: freigabe." in german and "Dafür ist die Rolle „Koordination“ nötig." in german
