"""The office year on the console (issue #17, "must show"): a real `sachstand run --at …` process
driven through stdin/stdout as a newcomer would, with the demo clock moved by `zeit`.

A German owner (testmann) and an English owner (ersatz) answer EG2's round with corrections and
back-steps; the office opens the round by hand, reminders follow the clock, the round closes at
its deadline, a late answer is told how to report anyway.
"""
from __future__ import annotations

from pathlib import Path

from tests.acceptance.console import Walk, run, write_config

SCRIPT = """
// the office opens EG2's round by hand
runde starten EG2 frist 15.12.2026
@testmann
2
75
zurück
76
Zwei Kurse gestartet.
Dritter Kurs im Januar.
keine
keine
ändern status
3
ja
später
@ersatz
maybe soon
2
850
back
860
15
Kick-off held.
Pilot next.
none
none
change status
3
yes
// a week before the deadline: the 7-day reminder
zeit 08.12.2026 09:30
@testmann
2
50
unverändert
Beratung läuft.
Zweite Welle.
keine
keine
ja
// ersatz hands her last item to testmann: he is asked at once, not at the next tick
@ersatz
hand over to @testmann
// beispiel is away
@beispiel
abwesend bis 20.12.
// the deadline passes: the round closes by itself
zeit 16.12.2026 09:00
@testmann
2
@koordination
runde status EG2
"""


def test_a_round_with_a_german_and_an_english_owner(tmp_path: Path) -> None:
    done = run(write_config(tmp_path, rounds="[rounds]\nauto_open = false\n"), "2026-12-01T09:00", SCRIPT)
    assert done.returncode == 0, done.stderr[-3000:]
    walk = Walk(done.stdout)

    opened = walk.after("koordination", "runde starten EG2 frist 15.12.2026")
    assert "Runde 2026-Q4 von EG2, Frist 15.12.2026" in opened.to("koordination")[0]
    assert "bis 15.12.2026" in opened.to("testmann")[0] and "HF2-04" in opened.to("testmann")[1]
    english_prompt = opened.to("ersatz")
    assert "by 15 Dec 2026" in english_prompt[0] and "“later”" in english_prompt[0]
    assert "abwesend" not in english_prompt[0] and "später" not in english_prompt[0]

    # testmann: a back-step from what happened to the metric, a change of the status at the end
    assert "Teilnehmerinnen" in walk.after("testmann", "zurück").to("testmann")[0]
    check = walk.after("testmann", "keine", 1).to("testmann")[0]
    assert "Bitte prüfen" in check and "76" in check and "„ändern“" in check
    assert "Wie ist der Status?" in walk.after("testmann", "ändern status").to("testmann")[0]
    saved = walk.after("testmann", "ja").to("testmann")
    assert "Gespeichert: HF2-04" in saved[0]
    assert "HF2-06" in saved[1] and "(2/2)" in saved[1]
    assert "erinnere Sie am 08.12.2026" in walk.after("testmann", "später").to("testmann")[0]

    # ersatz, in English: an everyday reply is an answer, `back` reaches the first metric
    not_a_status = walk.after("ersatz", "maybe soon").to("ersatz")
    assert len(not_a_status) == 1 and "is not a status" in not_a_status[0]
    assert "Anerkennungsberatungen" in walk.after("ersatz", "back").to("ersatz")[0]
    confirm = walk.after("ersatz", "none", 1).to("ersatz")[0]
    assert "Please check" in confirm and "860" in confirm and "15" in confirm
    assert "“yes”" in confirm and "“change”" in confirm and "ändern" not in confirm
    assert "What is the status?" in walk.after("ersatz", "change status").to("ersatz")[0]
    english_saved = walk.after("ersatz", "yes").to("ersatz")
    assert "Saved: HF2-01" in english_saved[0] and "HF2-05" in english_saved[1]

    # the clock moves a week: reminders, each in the person's language, then the open step again
    week = walk.after("ersatz", "zeit 08.12.2026 09:30")
    assert "Reminder" in week.to("ersatz")[0] and "15 Dec 2026" in week.to("ersatz")[0]
    assert "Erinnerung" in week.to("testmann")[0] and "15.12.2026" in week.to("testmann")[0]
    assert "It is now 8 Dec 2026, 09:30." in week.output  # ersatz reads English: the clock line too
    assert "Vielen Dank für Ihre Meldung" in walk.after("testmann", "ja", 1).output

    # a hand-over reaches the other person in the same turn, in his language
    handed = walk.after("ersatz", "hand over to @testmann")
    assert "HF2-05" in handed.to("ersatz")[0] and "Test" in handed.to("ersatz")[0]
    assert handed.to("testmann") and "HF2-05" in handed.to("testmann")[-1]
    assert "Wie ist der Status?" in handed.to("testmann")[-1]
    away = walk.after("beispiel", "abwesend bis 20.12.")
    assert "bis 20.12.2026 abwesend" in away.to("beispiel")[0]
    assert any("20.12.2026" in t for t in away.room("#geschaeftsfuehrung"))

    # the deadline passes: closed, one message to each person still asked, the office's summary
    closing = walk.after("beispiel", "zeit 16.12.2026 09:00")
    assert len(closing.to("testmann")) == 1 and "geschlossen" in closing.to("testmann")[0]
    assert closing.to("ersatz") == []  # she has nothing open any more
    office = closing.room("#geschaeftsfuehrung")
    assert len(office) == 1 and "Runde 2026-Q4 von EG2 geschlossen" in office[0]
    assert "3 von 5 Punkten beantwortet" in office[0]
    late = walk.after("testmann", "2", 2).to("testmann")[-1]
    # a deputy may not `aktualisieren HF2-05` (refused): told who still can (findings-rounds F17)
    assert "geschlossen" in late and "Lena Ersatz" in late and "Vorsitz von EG2" in late
    assert "aktualisieren HF2-05" not in late
    assert "Geschlossen." in walk.after("koordination", "runde status EG2").output


def test_the_demo_clock_is_refused_in_production(tmp_path: Path) -> None:
    slack = '[slack]\nenabled = true\nbot_token = "xoxb-1"\nsigning_secret = "s"\n'
    done = run(write_config(tmp_path, slack=slack), "2027-01-13T17:30", "")
    assert done.returncode == 2 and "--at ist nur für Demos und Tests: Slack" in done.stderr
    assert not (tmp_path / "sachstand.db").exists()  # nothing was started


def test_time_moves_only_forward_and_says_how(tmp_path: Path) -> None:
    done = run(write_config(tmp_path), "2027-01-13T17:30", "zeit\nzeit 01.01.2027\nzeit +2x\nzeit +1d 2h\n")
    walk = Walk(done.stdout)
    assert "Es ist 13.01.2027, 17:30" in walk.after("koordination", "zeit").output
    assert "nur vorwärts" in walk.after("koordination", "zeit 01.01.2027").output
    assert "„zeit +3d“" in walk.after("koordination", "zeit +2x").output
    assert "Es ist jetzt 14.01.2027, 19:30." in walk.after("koordination", "zeit +1d 2h").output


def test_attachments_are_saved_and_their_path_printed(tmp_path: Path) -> None:
    done = run(write_config(tmp_path), "2026-12-01T09:00", "@testmann\nmeine daten\nmeine daten\n")
    walk = Walk(done.stdout)
    lines = [li for li in walk.after("testmann", "meine daten").output.splitlines() if "📎" in li]
    assert len(lines) == 1 and "→ " in lines[0]
    path = Path(lines[0].split("→ ", 1)[1].strip())
    assert path.parent == (tmp_path / "console-files").resolve() and path.exists()
    assert "testmann" in path.read_text(encoding="utf-8")
    again = [li for li in walk.after("testmann", "meine daten", 1).output.splitlines() if "📎" in li]
    assert Path(again[0].split("→ ", 1)[1].strip()) != path  # a second export does not overwrite the first


def test_the_office_adds_a_person_from_chat(tmp_path: Path) -> None:
    script = """@eva
runde status
ich bin @mueller
@koordination
person anlegen @mueller "Eva Müller" eva.mueller@stadt.de Sozialamt
person verknüpfen @mueller console:eva
@eva
wer bin ich
"""
    walk = Walk(run(write_config(tmp_path), "2026-12-01T09:00", script).stdout)
    assert "„ich bin @ihr-kürzel“" in walk.after("eva", "runde status").to("eva")[0]
    asked = walk.after("eva", "ich bin @mueller")
    assert "„person anlegen @mueller \"Name\"“" in asked.room("#geschaeftsfuehrung")[0]
    linked = walk.after("koordination", "person verknüpfen @mueller console:eva")
    assert "jetzt kenne ich Sie" in linked.to("eva")[0]
    assert "Eva Müller (@mueller)" in walk.after("eva", "wer bin ich").to("eva")[0]


def test_rounds_open_by_cadence_remind_and_close_as_the_clock_moves(tmp_path: Path) -> None:
    """A quarter in minutes: the cadence opens every body's round 14 days before the quarter
    ends, `later` and the reminders follow the clock, `away until` pauses them, and the rounds
    close at the deadline with the reports saved next to the console."""
    script = "@ersatz\nzeit 17.12.2026 09:00\nlater\nzeit 24.12.2026 09:30\naway until 2.1.\nzeit 01.01.2027 09:00\n"
    done = run(write_config(tmp_path), "2026-12-16T08:00", script)
    assert done.returncode == 0, done.stderr[-2000:]
    walk = Walk(done.stdout)
    opened = walk.after("ersatz", "zeit 17.12.2026 09:00")
    assert "Please report on 2 recommendations by 31 Dec 2026" in opened.to("ersatz")[0]
    assert "Bitte melden Sie den Sachstand zu 4 Empfehlungen bis 31.12.2026" in opened.to("testmann")[0]
    assert "I will remind you on 24 Dec 2026, 09:00" in walk.after("ersatz", "later").to("ersatz")[0]
    reminded = walk.after("ersatz", "zeit 24.12.2026 09:30")
    assert "Reminder: 2 of your recommendations still need a report by 31 Dec 2026" in reminded.to("ersatz")[0]
    away = walk.after("ersatz", "away until 2.1.")
    assert "away until 2 Jan 2027" in away.to("ersatz")[0]
    assert "Lena Ersatz ist bis 02.01.2027 abwesend (2 offene Punkte in Runden)" in away.room("#geschaeftsfuehrung")[0]
    closing = walk.after("ersatz", "zeit 01.01.2027 09:00")
    office = closing.room("#geschaeftsfuehrung")
    assert sum("Runde 2026-Q4 von EG" in t and "geschlossen" in t for t in office) == 5
    assert len(closing.to("ersatz")) == 1 and "has closed" in closing.to("ersatz")[0]
    reports = [li.split("→ ", 1)[1] for t in office for li in t.splitlines() if "📎" in li]
    assert reports and all(Path(r).exists() for r in reports)


def test_history_audit_baseline_and_digest_as_the_office_reads_them(tmp_path: Path) -> None:
    """Issue #17, deliver 5, 8, 10 on the console: `verlauf` and `protokoll` in words with names and the
    demo clock's time; `freigabe` offers the imported statuses, `freigeben import` releases them;
    `digest` in EG2's room is EG2's, with the changed metric."""
    script = """runde starten EG2 frist 15.12.2026
@testmann
2
75
Zwei Kurse.
Dritter Kurs.
keine
keine
ja
@koordination
zeit 03.12.2026 10:00
verlauf HF2-04
protokoll 3
freigabe
freigeben import
freigabe
#eg-arbeit-wirtschaft
@testmann
digest
dm
@ersatz
history HF2-04
"""
    done = run(write_config(tmp_path, rounds="[rounds]\nauto_open = false\n"), "2026-12-01T09:00", script)
    assert done.returncode == 0, done.stderr[-3000:]
    walk = Walk(done.stdout)
    history = walk.after("koordination", "verlauf HF2-04").to("koordination")[0]
    assert "01.12.2026, 09:0" in history  # the demo clock's day, not the machine's
    assert "Paul Testmann · Zielgröße „Teilnehmerinnen“: 58 → 75 (in der Sachstandsrunde)" in history
    assert "Status: verzögert → in Umsetzung" in history and "round" not in history
    log = walk.after("koordination", "protokoll 3").to("koordination")[0]
    assert "Paul Testmann · HF2-04: Sachstand gemeldet (in Umsetzung, 40" in log
    assert "Runde EG2 2026-Q4 geöffnet, Frist 15.12.2026, 5 Punkte" in log
    assert "submit_update" not in log and "testmann ·" not in log and "koordination ·" not in log

    listed = walk.after("koordination", "freigabe").to("koordination")
    assert "[1] HF2-04: in Umsetzung" in listed[0]
    assert "Status aus dem Import, der nie freigegeben wurde" in listed[1] and "„freigeben import“" in listed[1]
    assert "Importierte Status von 30 Empfehlungen freigegeben" in walk.after("koordination", "freigeben import").output
    after = walk.after("koordination", "freigabe", 1).to("koordination")
    assert len(after) == 1 and "[1] HF2-04" in after[0]  # its own report still waits for its own decision

    digest = walk.after("testmann", "digest").room("#eg-arbeit-wirtschaft")[0]
    assert digest.startswith("Digest: EG2") and "HF1 " not in digest
    assert "HF2-04: Teilnehmerinnen 58 → 75" in digest
    english = walk.after("ersatz", "history HF2-04").to("ersatz")[0]
    assert "1 Dec 2026, 09:0" in english
    assert "Target metric “Teilnehmerinnen”: 58 → 75 (in a status round)" in english
