"""The second outside tester's year of meetings (findings-meet2.md) as regression tests, through
the real router as a secretary and members would type it; each failed before its fix."""
from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from storage.models import Meeting, Person, Rsvp
from tests.helpers.harness import Bot, make_settings

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
ROOM = "#eg-arbeit-wirtschaft"
UTC = timezone.utc


def _answers(bot: Bot) -> dict[tuple[str, int], str]:
    with bot.app.uow_factory() as uow:
        return {(uow.session.get_one(Person, r.person_id).handle, uow.session.get_one(Meeting, r.meeting_id).number):
                r.answer for r in uow.session.scalars(select(Rsvp)) if r.answer}


@SQLITE
async def test_f17_a_typed_answer_names_its_meeting_and_a_bare_one_asks(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", 'sitzung anlegen EG2 14.01.2027 10:00 "Rathaus, Raum 12"')
        sent = await bot.say("beispiel", 'sitzung anlegen EG2 18.02.2027 10:00 "Rathaus, Raum 12"')
        # each invitation tells the words that answer that very meeting, in the reader's language
        assert "„zusagen EG2 2“, „absagen EG2 2“ oder „vielleicht EG2 2“" in bot.to("dm:testmann", sent)[0]
        assert "“accept EG2 2”, “decline EG2 2” or “maybe EG2 2”" in bot.to("dm:ersatz", sent)[0]
        assert "„zusagen EG2 2“" in bot.to(ROOM, sent)[0]

        asked = await bot.text("testmann", "zusagen")  # two meetings ahead: which one?
        assert "Für welche gilt Ihre Antwort?" in asked and "„zusagen EG2 1“" in asked, asked
        assert "zusagen EG2 2" in asked or "18.02.2027" in asked
        assert await bot.text("ersatz", "accept EG2") and _answers(bot) == {}  # asked, not answered
        told = await bot.text("testmann", "zusagen EG2 2")
        assert "kommt zu EG2 am 18.02.2027" in told, told
        told = await bot.text("ersatz", "decline EG2 18.02.")
        assert "cannot come to EG2" in told and "Too many words" not in told, told
        room = bot.to("dm:vorschau", await bot.say("vorschau", "vielleicht", room=ROOM)) + \
            bot.to(ROOM, bot.transport.sent[-3:])
        assert _answers(bot) == {("testmann", 2): "yes", ("ersatz", 2): "no"}, room  # asked in the room too
        await bot.say("vorschau", "vielleicht 14.01.", room=ROOM)
        assert _answers(bot)[("vorschau", 1)] == "maybe"
        # a reminder tells the same words
        bot.clock.now = datetime(2027, 2, 11, 8, 0, tzinfo=UTC)
        reminded = bot.to("dm:skizze", await bot.tick())
        assert any("„zusagen EG2 2“" in text for text in reminded), reminded


@SQLITE
async def test_f23_a_command_typed_at_a_result_is_no_result(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", "sitzung anlegen EG2 07.12.2026 10:00 90min Rathaus")
        await bot.say("testmann", 'top vorschlagen EG2 "Fachkräfteforum"')
        await bot.say("beispiel", "top annehmen EG2 2 öffentlich")
        bot.clock.now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
        await bot.tick()
        for answer in ("1 3", "keine", "keine"):
            await bot.say("beispiel", answer)
        # the bot's own advice, typed at "Punkt 1 von 2": it starts nothing over and is not item 1's result
        told = await bot.text("beispiel", "niederschrift schreiben EG2")
        assert "schon" in told and "Punkt 1 von 2" in told, told
        told = await bot.text("beispiel", "tagesordnung EG2")  # another command: it runs, the item is asked again
        assert "EG2 hat keine Sitzung geplant" in told and "Punkt 1 von 2" in told, told
        told = await bot.text("beispiel", "niederschrift schreiben")  # wrong arguments: refused, not stored
        assert "ist ein Befehl" in told and "Punkt 2 von 2" not in told, told
        await bot.say("beispiel", "Bericht angenommen.")
        told = await bot.text("beispiel", "Sachstand der Sitzung: Forum im März.")  # a sentence is a result
        assert "Aufgabe 1" in told, told
        summary = await bot.text("beispiel", "fertig")
        assert "niederschrift schreiben" not in summary.split("Niederschrift", 1)[-1].split("„ja“")[0], summary
        assert "1. Sachstand der Empfehlungen: Bericht angenommen." in summary, summary
        assert "Forum im März" in summary, summary


@SQLITE
async def test_f1_f2_a_period_without_a_year_is_this_years_and_a_past_one_is_said(db_url: str) -> None:
    async with Bot(make_settings(db_url), now=datetime(2027, 1, 11, 8, 0, tzinfo=UTC)) as bot:
        planned = await bot.text("beispiel", "sitzung planen EG2 ab 10.1. bis 28.2.")
        assert ".02.2027" in planned and "2028" not in planned, planned
        past = await bot.text("beispiel", "sitzung planen EG2 2026-Q4")
        assert "Der Zeitraum 2026-Q4 liegt in der Vergangenheit." in past and "31.12.2026" not in past, past
        late = await bot.text("beispiel", "sitzung planen EG2 ab 1.1.2027 bis 20.1.2027")
        assert "endet vor dem 25.01.2027" in late, late


@SQLITE
async def test_f6_which_meeting_is_answered_by_its_number_in_the_list(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        for day in ("25.02.2027", "18.02.2027", "11.03.2027"):
            await bot.say("beispiel", f'sitzung anlegen EG2 {day} 09:00 "Raum 1"')
        asked = await bot.text("beispiel", "sitzung verschieben EG2 11:00")
        # the list leads with the date; its own numbers are not mixed up with the meetings' numbers
        assert "1) 18.02.2027 09:00 (2. Sitzung)" in asked and "2) 25.02.2027 09:00 (1. Sitzung)" in asked, asked
        assert "Antworten Sie mit 1 bis 3 aus dieser Liste" in asked, asked
        moved = await bot.text("beispiel", "2")
        assert "kenne ich nicht" not in moved, moved
        by_number = {m.number: m for m in _all(bot)}
        assert by_number[1].starts_at == datetime(2027, 2, 25, 10, 0, tzinfo=UTC), by_number[1].starts_at
        assert by_number[2].starts_at == datetime(2027, 2, 18, 8, 0, tzinfo=UTC)  # the other one unchanged
        # the list is for the very next message only: a later "2" is no choice of it
        await bot.say("beispiel", "sitzung absagen EG2")
        await bot.say("beispiel", "tagesordnung EG2 1")
        assert "kenne ich nicht" in await bot.text("beispiel", "2")
        assert all(m.state != "cancelled" for m in _all(bot))
        # in the body's room, and for the RSVP question in a DM, the same
        await bot.say("beispiel", "sitzung absagen EG2", ROOM)
        await bot.say("beispiel", "3", ROOM)
        assert {m.number for m in _all(bot) if m.state == "cancelled"} == {3}
        await bot.say("testmann", "zusagen")
        assert "kommt zu EG2 am 18.02.2027" in await bot.text("testmann", "1")


def _all(bot: Bot) -> list[Meeting]:
    return bot.meetings()


@SQLITE
async def test_f21_line_separators_bidi_and_invisible_titles_forge_no_agenda_line(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", "sitzung anlegen EG2 07.12.2026 10:00 90min Rathaus")
        told = await bot.text("testmann", "top vorschlagen EG2 Harmlos\u2028    • 10. Auflösung (öffentlich)")
        assert "\u2028" not in told and "Harmlos     • 10. Auflösung (öffentlich)" in told, told  # one line
        await bot.say("testmann", "top vorschlagen EG2 Zeile2\u202egnalrevo")
        refused = await bot.text("testmann", "top vorschlagen EG2 \u200b\u200b")
        assert "Titel, den man lesen kann" in refused, refused
        agenda = await bot.text("beispiel", "tagesordnung EG2")
        assert "\u2028" not in agenda and "\u202e" not in agenda and "Zeile2gnalrevo" in agenda, agenda
        assert len([line for line in agenda.splitlines() if "Auflösung" in line]) == 1, agenda
        assert "4." not in agenda, agenda  # the invisible title was no item
        await bot.say("beispiel", "top annehmen EG2 2 öffentlich")
        with bot.app.uow_factory() as uow:  # the feeds and invitations are rendered from these titles
            titles = [a.title for m in uow.session.scalars(select(Meeting)) for a in m.agenda]
        assert all("\u2028" not in t and "\u202e" not in t and t.strip("\u200b") for t in titles), titles
        moved = await bot.text("beispiel", "sitzung ort EG2 Raum\u20291\u202e2")
        with bot.app.uow_factory() as uow:
            place = uow.session.scalars(select(Meeting)).one().place
        assert place == "Raum 12", (place, moved)
        # in the minutes, a result keeps its lines but loses the bidi override
        bot.clock.now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
        await bot.tick()
        for answer in ("1 3", "keine", "\u200b"):
            told = await bot.text("beispiel", answer)
        assert "Gäste" in told or "Namen" in told, told  # an invisible list of guests is asked again
        await bot.say("beispiel", "keine")
        await bot.say("beispiel", "Bericht\u2028angenommen\u202e.")
        summary = await _finish(bot)
        assert "\u202e" not in summary and "\u2028" not in summary and "Bericht\nangenommen." in summary, summary


async def _finish(bot: Bot) -> str:
    told = ""
    for answer in ("Forum im März.", "fertig"):
        told = await bot.text("beispiel", answer)
    return told


@SQLITE
async def test_f9_who_attended_cannot_be_excused_too(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", "sitzung anlegen EG2 07.12.2026 10:00 90min Rathaus")
        await bot.say("ersatz", "decline")
        bot.clock.now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
        asked = "\n".join(bot.to("dm:beispiel", await bot.tick()))
        people = {m[2]: m[1] for m in re.finditer(r"(\d+)\) (.+)", asked)}
        present = [people[name] for name in list(people)[:3]]
        apologies = await bot.text("beispiel", " ".join(present))
        # the question lists those who may have sent apologies, with their numbers, and who declined
        assert list(people)[0] not in apologies and list(people)[3] in apologies, apologies
        assert "Lena Ersatz – hat die Einladung abgelehnt" in apologies or "Lena Ersatz" in list(people)[:3], apologies
        refused = await bot.text("beispiel", " ".join(present))
        assert f"{list(people)[0]}, {list(people)[1]}, {list(people)[2]}: als anwesend eingetragen" in refused, refused
        assert "Gäste" not in refused, refused
        assert "Gäste" in await bot.text("beispiel", people[list(people)[3]])


@SQLITE
async def test_f13_f3_a_title_may_begin_with_a_number_and_end_with_a_quote(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", "sitzung anlegen EG2 14.01.2027 10:00 Rathaus")
        told = await bot.text("testmann", "top vorschlagen EG2 3 Zimmer Wohnungen fehlen")  # one meeting ahead
        assert "als Punkt 2 vorgeschlagen: 3 Zimmer Wohnungen fehlen." in told, told
        told = await bot.text("testmann", 'top vorschlagen EG2 Mietspiegel & "Zweckentfremdung"')
        assert 'Mietspiegel & "Zweckentfremdung".' in told, told
        await bot.say("beispiel", "sitzung anlegen EG2 18.02.2027 10:00 Rathaus")
        told = await bot.text("testmann", "top vorschlagen EG2 2 Zimmer Wohnungen fehlen")  # two ahead, "2" is one
        assert "am 18.02.2027 als Punkt 2 vorgeschlagen: Zimmer Wohnungen fehlen." in told, told
        assert "„2“ am Anfang nannte die 2. Sitzung" in told and '"2 Zimmer Wohnungen fehlen"' in told, told
        asked = await bot.text("testmann", "top vorschlagen EG2 5 Zimmer fehlen")  # no meeting 5: the title's
        assert "Welche ist gemeint?" in asked, asked
        told = await bot.text("testmann", "1")
        assert "am 14.01.2027 als Punkt 4 vorgeschlagen: 5 Zimmer fehlen." in told, told
        told = await bot.text("testmann", 'top vorschlagen EG2 18.02. "4 Zimmer fehlen"')
        assert "vorgeschlagen: 4 Zimmer fehlen." in told, told


@SQLITE
async def test_f16_a_members_own_organisation_is_shown_when_the_membership_names_none(db_url: str) -> None:
    from tests.scenario.test_meetings_defects import _gremien

    async with Bot(make_settings(db_url)) as bot:
        await bot.say("koordination", 'person anlegen @mueller "Eva Müller" eva.mueller@stadt.de Amt für <i>Wohnen</i>')
        await bot.say("koordination", "mitglied hinzufügen EG2 @mueller")
        await bot.say("koordination", 'person anlegen @weber "Ina Weber" ina@example.org Welcome Centre')
        await bot.say("koordination", "mitglied hinzufügen EG2 @weber Nachbarschaftsverein")
        page = _gremien(bot)
        assert "Amt für &lt;i&gt;Wohnen&lt;/i&gt;" in page, page  # the person's own, escaped
        assert "Nachbarschaftsverein" in page and "Welcome Centre" not in page  # the membership's wins
        body = await bot.text("koordination", "gremium EG2")
        assert "Eva Müller – Amt für <i>Wohnen</i>" in body and "Ina Weber – Nachbarschaftsverein" in body, body


@SQLITE
async def test_f7_f8_back_from_the_summary_and_what_was_answered_before(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", "sitzung anlegen EG2 07.12.2026 10:00 90min Rathaus")
        await bot.say("testmann", 'top vorschlagen EG2 "Quartiersfonds"')
        await bot.say("beispiel", "top annehmen EG2 2 öffentlich")
        bot.clock.now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
        await bot.tick()
        for answer in ("1 3", "keine", "keine", "Bericht.", "Fonds geprüft.", "Flyer; @testmann; 30.06.2027",
                       "Stellungnahme; EG3; 30.04.2027", "fertig"):
            await bot.say("beispiel", answer)
        item = await bot.text("beispiel", "ändern punkt 2")
        assert "Bisher: Fonds geprüft." in item, item  # F8: the answer given is shown
        await bot.say("beispiel", "Fonds wird mit 60.000 € ausgestattet")
        await bot.say("beispiel", "ändern aufgaben")
        summary = await bot.text("beispiel", "zurück")  # from "Aufgabe 3" back to the summary
        assert "Fonds wird mit 60.000 € ausgestattet" in summary and "Aufgabe 3" not in summary, summary
        back = await bot.text("beispiel", "zurück")  # from the summary: the question before it, not item 2 (F7)
        assert "Aufgabe 3" in back and "Punkt 2 von 2" not in back, back
        back = await bot.text("beispiel", "zurück")
        assert "Aufgabe 2" in back and "Bisher: Stellungnahme; EG3; 30.04.2027" in back, back
        summary = await bot.text("beispiel", "löschen")  # F8: a wrong action item removed before saving
        assert "2. Quartiersfonds: Fonds wird mit 60.000 € ausgestattet" in summary, summary
        assert "Flyer" in summary and "Stellungnahme" not in summary, summary


@SQLITE
async def test_f19_a_meeting_not_found_is_answered_with_the_command_typed(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", "sitzung anlegen EG2 07.12.2026 10:00 90min Rathaus")
        await bot.say("beispiel", "sitzung anlegen EG2 14.12.2026 10:00 90min Rathaus")
        told = await bot.text("testmann", "niederschrift EG2 9")
        assert "EG2 hat keine Sitzung „9“." in told and "vor sich" not in told, told
        assert "„niederschrift EG2 2“" in told and "sitzung absagen" not in told, told
        told = await bot.text("testmann", "sitzung EG2 9")
        assert "„sitzung EG2 2“" in told and "sitzung absagen" not in told, told
        told = await bot.text("ersatz", "minutes EG2 9")
        assert "“minutes EG2 2”" in told and "meeting cancel" not in told, told


@SQLITE
async def test_f11_f12_the_next_meeting_alone_approves_the_minutes(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", "sitzung anlegen EG2 07.12.2026 10:00 90min Rathaus")
        bot.clock.now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
        await bot.tick()
        for answer in ("1 3", "keine", "keine", "Bericht.", "Bericht an EG3; EG3; 30.04.2027", "fertig", "ja"):
            await bot.say("beispiel", answer)
        await bot.say("beispiel", "sitzung anlegen EG2 14.01.2027 10:00 90min Rathaus")
        sent = await bot.say("beispiel", "sitzung anlegen EG2 18.02.2027 10:00 90min Rathaus")
        assert not any("Genehmigung" in text for text in bot.to("dm:testmann", sent))  # the 3rd's invitation
        assert "Genehmigung der Niederschrift der 1. Sitzung" in await bot.text("beispiel", "tagesordnung EG2 14.01.")
        later = await bot.text("beispiel", "tagesordnung EG2 18.02.")
        assert "Genehmigung" not in later and "Aufgaben aus früheren Sitzungen" not in later, later
        await bot.say("beispiel", "sitzung absagen EG2 14.01.")  # the next one cancelled: the items move on
        later = await bot.text("beispiel", "tagesordnung EG2 18.02.")
        assert "Genehmigung der Niederschrift der 1. Sitzung" in later and "Aufgaben aus früheren" in later, later


@SQLITE
async def test_f10_a_wrong_answer_is_told_once(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("beispiel", "sitzung anlegen EG2 07.12.2026 10:00 90min Rathaus")
        await bot.say("beispiel", "sitzung anlegen EG2 14.12.2026 10:00 90min Rathaus")
        bot.clock.now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
        await bot.tick()
        for answer in ("1 3", "keine", "keine", "Bericht."):
            await bot.say("beispiel", answer)
        told = await bot.text("beispiel", "Mietspiegel-Entwurf prüfen")
        assert told.count("Einladung verschicken; @testmann") == 1, told
        await bot.say("beispiel", "fertig")
        told = await bot.text("beispiel", "ändern punkt 6")
        assert "Es gibt keinen Punkt 6" in told, told
        await bot.say("beispiel", "ja")
        bot.clock.now = datetime(2026, 12, 14, 12, 0, tzinfo=UTC)
        await bot.tick()
        for answer in ("alle", "keine", "keine", "Bericht."):
            await bot.say("beispiel", answer)
        told = await bot.text("beispiel", "vielleicht")  # at the approval item
        assert "„ja“ oder „nein“" in told and "in wenigen Worten" not in told, told
