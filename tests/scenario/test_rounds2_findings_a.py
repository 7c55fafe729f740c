"""The outside tester's second walk of issue #17's rounds (findings-rounds2.md, F4–F11) as
regression tests, driven through the router as each person would type it; each failed before its fix."""
from __future__ import annotations

import pytest

from tests.helpers.harness import Bot, make_settings

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
