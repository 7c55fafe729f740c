"""First commands through the real router: help, who am I, catalog, bodies, roles."""
from __future__ import annotations

import pytest

from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


async def test_help_is_german_by_default_and_lists_commands(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        text = await bot.text("koordination", "hilfe")
    assert "Sachstand – Befehle" in text
    for usage in ("empfehlung <Code>", "liste [<Filter…>]", "gremium <Gremium>", "wer bin ich", "protokoll"):
        assert usage in text


async def test_help_is_english_for_an_english_speaking_person(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        with bot.app.uow_factory() as uow:
            english = [p.handle for p in uow.people.all() if p.locale == "en"]
        assert english, "the example data has English-speaking people"
        text = await bot.text(english[0], "help")
    assert "Sachstand – commands" in text
    assert "recommendation <code>" in text
    assert "Befehle" not in text


async def test_language_switch_changes_the_answers(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        assert "Ab jetzt" not in await bot.text("testmann", "sprache en")
        text = await bot.text("testmann", "hilfe")
    assert "Sachstand – commands" in text


async def test_whoami_shows_roles_and_bodies(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        mine = await bot.text("koordination", "wer bin ich")
        stranger = await bot.text("zoe", "wer bin ich")
    assert "Koordination" in mine and "GF" in mine
    assert "Ich kenne Sie noch nicht" in stranger


async def test_recommendation_view_shows_owner_target_metrics(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        text = await bot.text("koordination", "empfehlung hf2-01")
        missing = await bot.text("koordination", "empfehlung HF9-99")
        bad = await bot.text("koordination", "empfehlung !!!")
    assert text.startswith("HF2-01 – ") and "Verantwortlich:" in text and "Zeitziel:" in text
    assert "Zielerreichungsgrößen" in text
    assert "HF9-99 gibt es nicht" in missing
    assert "kein Code" in bad and "Aufruf: empfehlung <Code>" in bad


async def test_lists_filter_by_field_status_owner_and_overdue(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        overdue = await bot.text("koordination", "liste überfällig")
        field = await bot.text("koordination", "liste feld:HF3")
        blocked = await bot.text("koordination", "liste status:blockiert")
        wrong = await bot.text("koordination", "liste status:fertigish")
        with bot.app.uow_factory() as uow:
            from storage.repositories import RecommendationFilter
            expected_overdue = {r.code for r in uow.catalog.recommendations(
                RecommendationFilter(overdue_on=bot.clock.now.date()))}
    assert expected_overdue and all(code in overdue for code in expected_overdue)
    assert overdue.count("ÜBERFÄLLIG") == len(expected_overdue)
    assert "HF3-" in field and "HF1-" not in field
    assert "blockiert" in blocked and "in Umsetzung" not in blocked
    assert "kein Status" in wrong and "Aufruf: liste" in wrong


async def test_bodies_and_one_body(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        bodies = await bot.text("testmann", "gremien")
        eg2 = await bot.text("testmann", "gremium EG2")
    assert "EG1" in bodies and "BEIRAT" in bodies and "4× im Jahr" in bodies
    assert "Berichtet an GF" in eg2 and "(Vorsitz)" in eg2


async def test_coordinator_command_refused_for_a_member(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        allowed = await bot.text("koordination", "protokoll")
        refused = await bot.text("testmann", "protokoll")
        unknown = await bot.text("zoe", "liste")
    assert "Änderungsprotokoll" in allowed
    assert "Nicht erlaubt" in refused and "Koordination" in refused
    assert "Ich kenne Sie noch nicht" in unknown


async def test_unknown_command_suggests_a_close_one(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        text = await bot.text("koordination", "gremiun EG2")
    assert "„gremiun“ kenne ich nicht" in text and "gremium" in text


async def test_oversized_message_is_refused_politely(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        text = await bot.text("koordination", "liste " + "x" * 100_000)
    assert "zu lang" in text and "nichts geändert" in text


async def test_room_chatter_is_ignored_but_addressed_commands_work(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        from bot.core.events import ChannelRef, IncomingMessage, PersonRef

        before = len(bot.transport.sent)
        await bot.app.dispatch(IncomingMessage(ChannelRef("console", "#eg-arbeit-wirtschaft"),
                                               PersonRef("console", "testmann"), "Guten Morgen!",
                                               "chat1", addressed=False))
        assert len(bot.transport.sent) == before
        text = await bot.text("testmann", "gremien", room="#eg-arbeit-wirtschaft")
    assert "EG1" in text


async def test_same_event_twice_is_handled_once(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        first = await bot.say("koordination", "gremien", event_id="dup-1")
        second = await bot.say("koordination", "gremien", event_id="dup-1")
    assert len(first) == 1 and second == []


async def test_every_answer_is_rendered_for_matrix_and_slack_with_escaping(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        [msg] = await bot.say("koordination", "empfehlung <script>alert(1)</script>")
    assert "<script>" not in msg.texts["matrix"]
    assert "<script>" not in msg.texts["slack"] and "&lt;script&gt;" in msg.texts["slack"]


async def test_an_owners_help_lists_what_he_may_do_as_owner(db_url: str) -> None:
    """Issue #17: an owner's `hilfe` listed no status/fortschritt/aktualisieren, and `hilfe
    aktualisieren` said the chair's role is needed, yet the commands work for him."""
    async with Bot(make_settings(db_url)) as bot:
        listing = await bot.text("testmann", "hilfe")
        for usage in ("status <Code>", "fortschritt <Code>", "aktualisieren <Code>"):
            line = next(li for li in listing.splitlines() if usage in li)
            assert "für Ihre eigenen Empfehlungen" in line
        one = await bot.text("testmann", "hilfe aktualisieren")
        assert "verantwortliche Person" in one and "HF2-04" in one
        assert "Benötigte Rolle: Vorsitz" not in one
        english = await bot.text("ersatz", "help update")
        assert "person responsible" in english and "HF2-01" in english and "update HF2-07" in english
        assert "aktualisieren HF2-07" not in english  # the example in her language
        assert "Wer darf" not in await bot.text("exempel", "hilfe empfehlung")  # no body role: plain role line


async def test_a_near_miss_gets_the_usage_of_the_command_meant(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        text = await bot.text("koordination", "runde start EG1")
        assert "Meinten Sie „runde starten“?" in text and "runde starten <Gremium>" in text
        assert "runde status" not in text  # not the usage of a different command
        assert "Meinten Sie „runde status“?" in await bot.text("koordination", "runde stat")
        english = await bot.text("ersatz", "round strat EG2")
        assert "Did you mean “round start”?" in english and "round start <body>" in english
        assert "EG2 hatte noch keine Runde" in await bot.text("koordination", "runde EG2")  # no false alarm
