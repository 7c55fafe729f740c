"""The outside tester's second walk of issue #17's rounds (findings-rounds2.md, F4–F11) as
regression tests, driven through the router as each person would type it; each failed before its fix."""
from __future__ import annotations

import os
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tests.helpers.harness import ROOT, Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


async def test_f4_an_unknown_persons_help_lists_only_what_he_may_do(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        text = await bot.text("fremd", "hilfe")
        lines = [line.strip("•-* ") for line in text.splitlines()]
        for word in ("meine", "meldung", "korrigieren", "abwesend bis", "folgen", "digest", "abos",
                     "aufgaben", "meine daten", "zustimmung"):
            assert not any(line.startswith(word + " ") or line.startswith(word + " –") for line in lines), \
                (word, text)
        assert "hilfe" in text and "wer bin ich" in text and "ich bin" in text, text
        assert "Geschäftsführung" not in text and "Geschäftsstelle" in text, text
        # a known follower still sees the follower's commands
        assert "folgen" in await bot.text("testmann", "hilfe")


async def test_f5_a_dm_following_twice_hears_of_a_release_once(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("testmann", "folgen alles")
        await bot.say("testmann", "folgen HF2-06 änderungen")
        assert "HF2-06" in await bot.text("testmann", "abos")
        print(await bot.text("testmann", "fortschritt HF2-06 55"))
        sent = await bot.say("koordination", "freigeben alle")
        print("\n".join(m.text("plain") for m in sent))
        told = [text for text in bot.to("dm:testmann", sent) if "HF2-06" in text]
        assert len(told) == 1, told


async def test_f5_a_dm_following_everything_and_a_field_gets_one_digest(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("testmann", "folgen alles")
        await bot.say("testmann", "folgen HF2")
        await bot.say("testmann", "folgen HF2-06")
        await bot.say("testmann", "fortschritt HF2-06 55")
        await bot.say("koordination", "freigeben alle")
        bot.clock.now = datetime(2026, 12, 7, 8, 0, tzinfo=timezone.utc)  # first Monday, 09:00 in Köln
        sent = await bot.tick()
        digests = [text for text in bot.to("dm:testmann", sent) if "HF2-06" in text]
        assert len(digests) == 1, digests
        assert "HF1" in digests[0]  # the wider one: everything


async def test_f6_a_metric_in_percent_takes_the_percent_sign(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        prompt = await bot.answers("platzhalter", "aktualisieren HF4-02", "2", "unverändert")
        assert "Anteil Geflüchteter in Wohnungen" in prompt and "Wie ist der aktuelle Wert?" in prompt, prompt
        assert "Was ist seit der letzten Meldung geschehen?" in await bot.text("platzhalter", "55 %")
        assert "Anteil Geflüchteter" in await bot.text("platzhalter", "zurück")
        assert "geschehen" in await bot.text("platzhalter", "56 Prozent")
        assert "Anteil Geflüchteter" in await bot.text("platzhalter", "zurück")
        assert "keine Zahl" in await bot.text("platzhalter", "%")  # the unit alone is still no number


async def test_f7_the_absence_example_lies_two_weeks_ahead_and_a_far_day_is_questioned(db_url: str) -> None:
    june = datetime(2027, 6, 16, 7, 0, tzinfo=timezone.utc)
    async with Bot(make_settings(db_url), now=june) as bot:
        # the round of 2027-Q2 opened by cadence as the bot started (the tester's 16.06.2027)
        german = "\n".join(bot.to("dm:testmann"))
        english = "\n".join(bot.to("dm:ersatz"))
        assert "„abwesend bis 30.06.2027“" in german and "10.3." not in german, german
        assert "“away until 30 Jun 2027”" in english and "10 Mar" not in english, english
        far = await bot.text("ersatz", "away until 10 Mar")
        assert "10 Mar 2028" in far and "more than three months" in far and "“away until 30 Jun 2027”" in far, far
        near = await bot.text("ersatz", "away until 30 Jun 2027")
        assert "away until 30 Jun 2027" in near and "more than three months" not in near, near
        past = await bot.text("testmann", "abwesend bis 1.6.2027")
        assert "in der Vergangenheit" in past and "„abwesend bis 30.06.2027“" in past, past


def test_f8_the_import_dry_run_speaks_german_and_so_does_a_missing_argument(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, db_url: str) -> None:
    """The command line as the office runs it (no chat: `sachstand import --prüfen`, `sachstand report`)."""
    from bot.cli import main

    for key in [k for k in os.environ if k.startswith("SACHSTAND_")]:
        monkeypatch.delenv(key)
    config = tmp_path / "c.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "d.db"}"\n[logging]\nlevel = "WARNING"\n',
                      encoding="utf-8")
    assert main(["--config", str(config), "import", str(ROOT / "examples" / "koeln.yaml"), "--no-progress"]) == 0
    capsys.readouterr()
    sheet = tmp_path / "t.csv"
    sheet.write_text("Code;Titel;Handlungsfeld;Gremium;Verantwortlich;Organisationseinheit;Zeitziel;Status;"
                     "Fortschritt\nHF1-03;Neuer Titel;;;-;;-;;55\n", encoding="utf-8")
    assert main(["--config", str(config), "import", str(sheet), "--prüfen", "--no-progress"]) == 0
    out = capsys.readouterr().out.replace("\u00a0", " ")
    assert "HF1-03: Titel Herkunftssprachlichen" in out and "→ Neuer Titel" in out, out
    assert "HF1-03: Zeitziel 31.08.2026 → –" in out, out
    assert "HF1-03: Fortschritt 100 % → 55 %" in out, out
    assert "HF1-03: Verantwortlich Max Mustermann → –" in out, out
    assert "time_target" not in out and "mustermann →" not in out, out
    with pytest.raises(SystemExit):
        main(["--config", str(config), "report", "sachstand"])
    err = capsys.readouterr().err
    assert "the following arguments are required" not in err and "error:" not in err, err
    assert "Es fehlen" in err and "period" in err and "--out" in err, err


async def test_f9_voting_from_the_dm_an_english_speaker_is_told_english_words(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.app.scheduler.shutdown()
        await bot.text("exempel", "sitzung planen EG3")
        await bot.say("exempel", "umfrage EG3")
        told = await bot.text("phantasie", "vote 1")
        assert "“vote EG3 1 3”" in told and "abstimmen" not in told, told
        assert "Your choice" in await bot.text("phantasie", "vote EG3 1")
        # a wrong number typed in the German room: said where the confirmation goes, in her language
        room = "#eg-gesundheit-soziales"
        sent = await bot.say("phantasie", "vote 9", room=room)
        assert not bot.to(room, sent), bot.to(room, sent)
        assert any("There is no option 9" in text for text in bot.to("dm:phantasie", sent)), sent


async def _eg3_with_minutes(bot: Bot) -> None:
    """EG3 met on 01.12.2026 and its minutes are written: the next meeting approves them."""
    await bot.app.scheduler.shutdown()
    await bot.say("exempel", "sitzung anlegen EG3 01.12.2026 10:00 90min Rathaus")
    bot.clock.now = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
    await bot.tick()
    await bot.answers("exempel", "1 3", "keine", "keine", "Bericht angenommen.", "fertig", "ja")


async def test_f10_an_english_invitation_names_the_standing_items_in_english_at_her_time(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.say("koordination", "person ändern @phantasie zeitzone Europe/London")
        await _eg3_with_minutes(bot)
        sent = await bot.say("exempel", "sitzung anlegen EG3 11.01.2027 09:00 90min Rathaus")
        [english] = [t for t in bot.to("dm:phantasie", sent) if "Invitation" in t]
        assert "1. Status of the recommendations" in english, english
        assert "2. Approval of the minutes of meeting 1 (1 Dec 2026)" in english, english
        assert "Sachstand" not in english and "Genehmigung" not in english and "01.12.2026" not in english
        assert "When: Monday, 11 Jan 2027, 08:00–09:30" in english, english  # London, an hour behind Köln
        [german] = [t for t in bot.to("dm:testmann", sent) if "Einladung" in t]
        assert "1. Sachstand der Empfehlungen" in german and "Sitzung (01.12.2026)" in german, german
        assert "Montag, 11.01.2027, 09:00–10:30" in german, german


async def test_f11_a_member_following_everything_gets_the_invitation_alone(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.app.scheduler.shutdown()
        for who in ("testmann", "ersatz"):  # a member of EG3 and someone who is not
            await bot.say(who, "folgen alles")
            await bot.say(who, "folgen EG3")
        sent = await bot.say("exempel", "sitzung anlegen EG3 11.01.2027 09:00 90min Rathaus")
        member = bot.to("dm:testmann", sent)
        assert len(member) == 1 and "Einladung" in member[0], member
        follower = bot.to("dm:ersatz", sent)
        assert len(follower) == 1, follower
        assert "EG3 – Expertengruppe Gesundheit" in follower[0] and "EG3 – EG3" not in follower[0], follower
