"""Command grammar: aliases, typed arguments, usage generated from metadata."""
from __future__ import annotations

from datetime import date

import pytest

from bot.conversations.engine import ConversationEngine
from bot.core.argtypes import ArgError, Code, PersonMention, parse_german_date
from bot.core.commands import CommandRegistry, UsageError, split_words
from handlers import register_all

TODAY = date(2026, 11, 23)


@pytest.fixture
def registry() -> CommandRegistry:
    reg = CommandRegistry()
    register_all(reg, ConversationEngine())
    return reg


def test_german_and_english_aliases_reach_the_same_command(registry: CommandRegistry) -> None:
    for text in ("empfehlung HF2-01", "Recommendation hf2-01", "EMPFEHLUNG hf2-01"):
        inv = registry.parse(text, TODAY)
        assert inv is not None and inv.command.name == "recommendation" and inv.args == {"code": "HF2-01"}


def test_multi_word_alias_wins_over_a_shorter_one(registry: CommandRegistry) -> None:
    inv = registry.parse("wer bin ich", TODAY)
    assert inv is not None and inv.command.name == "whoami"


def test_usage_is_generated_per_language(registry: CommandRegistry) -> None:
    cmd = registry.commands["recommendation"]
    assert cmd.usage("de") == "empfehlung <Code>" and cmd.usage("en") == "recommendation <code>"
    assert registry.commands["list"].usage("de") == "liste [<Filter…>]"


def test_missing_and_extra_arguments_raise_usage_errors(registry: CommandRegistry) -> None:
    with pytest.raises(UsageError):
        registry.parse("empfehlung", TODAY)
    with pytest.raises(UsageError):
        registry.parse("empfehlung HF1-01 HF1-02", TODAY)


def test_unknown_words_are_not_commands(registry: CommandRegistry) -> None:
    assert registry.parse("guten morgen", TODAY) is None


def test_filters(registry: CommandRegistry) -> None:
    inv = registry.parse("liste feld:HF2 überfällig status:verzögert", TODAY)
    assert inv is not None
    assert {k: v for k, v in inv.args["filters"].items() if k != "text"} == {
        "field": "HF2", "overdue": "yes", "status": "verzögert"}
    with pytest.raises(UsageError):
        registry.parse("liste farbe:rot", TODAY)


@pytest.mark.parametrize("raw,expected", [
    ("14.03.2027", date(2027, 3, 14)), ("14.3.27", date(2027, 3, 14)), ("2027-03-14", date(2027, 3, 14)),
    ("10.3.", date(2027, 3, 10)), ("24.12.", date(2026, 12, 24)),
])
def test_german_dates(raw: str, expected: date) -> None:
    assert parse_german_date(raw, TODAY) == expected


@pytest.mark.parametrize("raw", ["31.02.2027", "morgen", "2027/03/14", "", "14.13.2027"])
def test_bad_dates_are_refused(raw: str) -> None:
    with pytest.raises(ArgError):
        parse_german_date(raw, TODAY)


@pytest.mark.parametrize("raw,expected", [
    ("@mueller", "mueller"), ("Mueller", "mueller"), ("@anna:stadt.example", "matrix:@anna:stadt.example"),
    ("<@U0ABC123>", "slack:U0ABC123"), ("<@U0ABC123|anna>", "slack:U0ABC123"),
])
def test_mentions(raw: str, expected: str) -> None:
    assert PersonMention().parse(raw, TODAY) == expected


@pytest.mark.parametrize("raw", ["<script>", "@", "a b", "‮evil", "HF2 04", "ה-1"])
def test_bad_mentions_and_codes(raw: str) -> None:
    with pytest.raises(ArgError):
        PersonMention().parse(raw, TODAY)
    if raw != "‮evil":  # an invisible mark is dropped from a code (below)
        with pytest.raises(ArgError):
            Code().parse(raw, TODAY)


@pytest.mark.parametrize("raw", ["HF2‑04", "HF2–04", "ＨＦ２－０４", "HF2-04\u200b", "\u202eHF2-04\u202c", "hf2−04"])
def test_a_code_typed_with_lookalike_dashes_or_invisible_marks_is_the_code(raw: str) -> None:
    assert Code().parse(raw, TODAY) == "HF2-04"


def test_quotes_group_words_and_unpaired_quotes_do_not_crash() -> None:
    assert split_words('sitzung „Rathaus, Raum 12“ x') == ["sitzung", "Rathaus, Raum 12", "x"]
    assert split_words('a "b c') == ["a", '"b', "c"]
