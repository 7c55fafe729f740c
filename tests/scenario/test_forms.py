"""A conversation as one form (bot/conversations/forms.py), independent of any transport."""
from __future__ import annotations

import pytest

from bot.conversations.forms import load_form, submit_form
from tests.helpers.harness import Bot, make_settings

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


async def test_settings_as_a_form_checks_every_field_and_stores_only_when_all_are_valid(db_url: str) -> None:
    async with Bot(make_settings(db_url)) as bot:
        services = bot.app.services
        assert await bot.app.run_sync(load_form, services, "console", "testmann") is None  # nothing open
        await bot.text("testmann", "einstellungen")
        form = await bot.app.run_sync(load_form, services, "console", "testmann")
        assert form is not None and form.conversation == "settings"
        assert [(f.name, f.kind) for f in form.fields] == [("language", "select"), ("timezone", "text"),
                                                           ("consent", "select")]
        assert [o.value for o in form.fields[0].options] == ["de", "en"] and form.fields[1].optional

        bad = await bot.app.run_sync(submit_form, services, "console", "testmann", form.state_id,
                                     {"language": "kl", "timezone": "Mars/Olympus", "consent": "ja"})
        assert set(bad.errors) == {"language", "timezone"}
        assert "keine Zeitzone" in bad.errors["timezone"] and "1 (Deutsch)" in bad.errors["language"]
        assert await bot.app.run_sync(load_form, services, "console", "testmann") is not None  # still open

        before = len(bot.transport.sent)
        good = await bot.app.run_sync(submit_form, services, "console", "testmann", form.state_id,
                                      {"language": "en", "timezone": "", "consent": "nein"})
        assert good.ok and good.queued == 1
        await bot.app.workers["console"].flush()
        assert "Saved. Thank you!" in bot.transport.sent[before].text()  # as the conversation's finish
        with bot.app.uow_factory() as uow:
            person = uow.people.by_handle("testmann")
            assert (person.locale, person.timezone, person.publication_consent) == ("en", "Europe/Berlin", False)
        # finished: the form cannot be submitted twice
        assert await bot.app.run_sync(submit_form, services, "console", "testmann", form.state_id,
                                      {"language": "de", "consent": "ja"}) is None


async def test_a_round_item_as_a_form_is_saved_and_the_next_item_asked_like_in_chat(db_url: str) -> None:
    from decimal import Decimal

    from storage.models import Status

    async with Bot(make_settings(db_url)) as bot:
        services = bot.app.services
        await bot.say("koordination", "runde starten EG2 frist 15.12.2026")
        form = await bot.app.run_sync(load_form, services, "console", "testmann", None, "round")
        assert form is not None and form.fields[0].name == "status"
        answers = {"status": "in_progress", "progress": "", "metric": "75", "happened": "Zwei Kurse gestartet.",
                   "next_steps": "Dritter Kurs im Januar.", "blockers": "keine",
                   "summary": "Zwei Teilzeitkurse laufen.", "publish": "vielleicht"}
        bad = await bot.app.run_sync(submit_form, services, "console", "testmann", form.state_id, answers)
        assert list(bad.errors) == ["publish"]
        before = len(bot.transport.sent)
        good = await bot.app.run_sync(submit_form, services, "console", "testmann", form.state_id,
                                      {**answers, "publish": "ja"})
        assert good.ok
        await bot.app.workers["console"].flush()
        texts = [m.text() for m in bot.transport.sent[before:]]
        assert "Gespeichert: HF2-04" in texts[0] and "HF2-06" in texts[1] and "(2/2)" in texts[1]
        with bot.app.uow_factory() as uow:
            rec = uow.catalog.recommendation("HF2-04")
            assert rec.status == Status.IN_PROGRESS and [m.current for m in rec.metrics] == [Decimal(75)]
