"""A body kind that `gremien` shows is a kind `gremium anlegen` takes, in German and in English; the
one it cannot take (the coordinating office) is refused with the reason (issue #17, deliver 4)."""
from __future__ import annotations

import pytest

from bot.core.i18n import Translations
from handlers.bodies_admin import Kind
from handlers.labels import KIND_LABELS
from storage.models import BodyKind
from tests.helpers.harness import Bot, make_settings


@pytest.mark.parametrize("locale", ["de", "en"])
@pytest.mark.parametrize("kind", [k for k in BodyKind if k is not BodyKind.OFFICE])
def test_every_shown_kind_is_taken(kind: BodyKind, locale: str) -> None:
    shown = Translations("de").gettext(locale, KIND_LABELS[kind])
    assert Kind().parse(shown, None) is kind  # type: ignore[arg-type]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_creating_a_body_of_a_shown_kind(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        await bot.app.scheduler.shutdown()
        bodies = await bot.text("koordination", "gremien")
        steering = await bot.text("koordination", 'gremium anlegen SG2 Steuerungsgruppe "Zweite Steuerung"')
        office = await bot.text("koordination", 'gremium anlegen GF2 Geschäftsführung "Zweite Stelle"')
        wrong = await bot.text("koordination", 'gremium anlegen AK9 fachgruppe "Probe"')
        await bot.text("koordination", "sprache en")
        english = await bot.text("koordination", 'body create AK8 "working group" "Probe"')
        english_wrong = await bot.text("koordination", 'body create AK7 team "Probe"')
    assert "Steuerungsgruppe" in bodies and "Geschäftsführung" in bodies
    assert "SG2 angelegt" in steering
    assert "Es gibt nur eine Geschäftsführung" in office and "steuerungsgruppe" in office
    assert "„fachgruppe“ ist nicht eines von: expertengruppe, steuerungsgruppe" in wrong
    assert "Created AK8" in english
    assert "“team” is not one of: expert group, steering group" in english_wrong
    assert "expertengruppe" not in english_wrong
