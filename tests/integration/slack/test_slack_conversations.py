"""Direct-message conversations over HTTP and Socket Mode: typed answers, buttons, the modal."""
from __future__ import annotations

import json
from typing import Any

from tests.helpers.slack_app import TESTMANN, SlackBot

DM = "D0TSTMN10"  # the fake's DM channel with testmann


def _person(bot: SlackBot, handle: str = "testmann") -> tuple[str | None, str | None, bool]:
    with bot.app.uow_factory() as uow:
        p = uow.people.by_handle(handle)
        assert p is not None
        return p.locale, p.timezone, p.publication_consent


def _buttons(message: dict[str, Any]) -> list[str]:
    return [e["text"]["text"] for b in message.get("blocks", []) if b["type"] == "actions" for e in b["elements"]]


async def test_settings_conversation_with_typed_answers_and_button_clicks(slack_any: SlackBot) -> None:
    bot = slack_any
    status, _ = await bot.say(TESTMANN, "einstellungen")
    assert status == 200
    [language] = await bot.posted(1, DM)
    assert "(1/4)" in language["text"]
    assert _buttons(language)[:2] == ["Deutsch", "English"]

    await bot.click(TESTMANN, language, "English")  # a click …
    await bot.click(TESTMANN, language, "Deutsch")  # … and a second, late one on the same prompt
    [update, _] = await bot.fake.wait_calls("chat.update", 2)
    assert update.params["ts"] == language["ts"] and update.params["channel"] == DM
    assert "✅ *English*" in json.dumps(update.params["blocks"], ensure_ascii=False)
    assert not any(b["type"] == "actions" for b in update.params["blocks"])  # buttons gone
    timezone = (await bot.posted(2, DM))[1]
    assert "(2/4)" in timezone["text"]  # the second click did not answer the time zone question

    await bot.say(TESTMANN, "Mars/Olympus")  # … a typed answer, refused …
    refused = (await bot.posted(3, DM))[2]
    assert "“Mars/Olympus” is not a time zone" in refused["text"] and "Nothing was changed" in refused["text"]  # English, as chosen
    await bot.say(TESTMANN, "europe/vienna")  # … and accepted
    consent = (await bot.posted(4, DM))[3]
    assert "(3/4)" in consent["text"] and _buttons(consent) == ["yes", "no"]

    await bot.click(TESTMANN, consent, "yes")
    confirm = (await bot.posted(5, DM))[4]
    assert "(4/4)" in confirm["text"] and "Europe/Vienna" in confirm["text"]
    assert _person(bot)[1] != "Europe/Vienna"  # nothing saved before the confirmation

    await bot.say(TESTMANN, "ja")
    saved = (await bot.posted(6, DM))[5]
    assert "Saved. Thank you!" in saved["text"]  # in the newly chosen language
    assert _person(bot) == ("en", "Europe/Vienna", True)


async def test_the_same_conversation_through_the_modal(slack_any: SlackBot) -> None:
    bot = slack_any
    await bot.say(TESTMANN, "einstellungen")
    [first] = await bot.posted(1, DM)
    assert "📝 Als Formular ausfüllen" in _buttons(first)
    before = _person(bot)

    await bot.click(TESTMANN, first, "Als Formular ausfüllen")
    [opened] = await bot.fake.wait_calls("views.open")
    view = opened.params["view"]
    fields = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert list(fields) == ["language", "timezone", "consent"]  # one field per step, no "confirm"
    assert fields["language"]["element"]["type"] == "static_select"
    assert fields["timezone"]["element"]["type"] == "plain_text_input"
    assert fields["timezone"]["element"]["initial_value"] == "Europe/Berlin"
    assert view["submit"]["text"] == "Speichern"

    status, body = await bot.submit(TESTMANN, view, {"language": "en", "timezone": "Mars/Olympus",
                                                      "consent": "nein"})
    answer = json.loads(body)
    assert status == 200 and answer["response_action"] == "errors"
    assert list(answer["errors"]) == ["timezone"] and "keine Zeitzone" in answer["errors"]["timezone"]
    assert _person(bot) == before  # a rejected field stores nothing, not even the valid ones

    status, body = await bot.submit(TESTMANN, view, {"language": "en", "timezone": "Europe/Lisbon",
                                                      "consent": "nein"})
    assert status == 200 and not json.loads(body or "{}").get("response_action")  # closes the modal
    assert _person(bot) == ("en", "Europe/Lisbon", False)
    saved = (await bot.posted(2, DM))[1]
    assert "Saved. Thank you!" in saved["text"]
    # the conversation is finished: a later "ja" in the DM is a command again, not an answer
    with bot.app.uow_factory() as uow:
        assert not [s for s in uow.conversations.all_active() if s.transport == "slack"]


async def test_app_home_shows_open_prompts_recommendations_and_meetings(slack: SlackBot) -> None:
    from datetime import datetime, timedelta, timezone

    from storage.models import Meeting

    with slack.app.uow_factory() as uow:  # one planned meeting of a body testmann belongs to
        body = uow.people.memberships(uow.people.by_handle("testmann"))[0].body
        start = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=7)
        uow.session.add(Meeting(body_id=body.id, title="Sitzung <Arbeit & Wirtschaft>", starts_at=start,
                                ends_at=start + timedelta(hours=2), uid="home-test@sachstand"))
        uow.commit()
        code = body.code
    await slack.say(TESTMANN, "einstellungen")
    await slack.posted(1, DM)
    await slack.event({"type": "app_home_opened", "user": "U0ERDCH09", "channel": "D0ERDCH09", "tab": "home"},
                      "EvHome1")
    await slack.event({"type": "app_home_opened", "user": TESTMANN, "channel": DM, "tab": "home"}, "EvHome2")
    published = await slack.fake.wait_calls("views.publish", 2)
    views = {c.params["user_id"]: c.params["view"] for c in published}
    owner = json.dumps(views["U0ERDCH09"], ensure_ascii=False)
    assert "Ihre Empfehlungen" in owner and "`HF1-01`" in owner  # erdacht owns HF1-01
    assert "Nichts wartet auf eine Antwort" in owner and "Noch keine Sitzungen geplant" in owner
    member = views[TESTMANN]
    text = json.dumps(member, ensure_ascii=False)
    assert "Offene Fragen" in text and "Wählen Sie die Sprache" in text  # the open question
    assert f"{code}: Sitzung &lt;Arbeit &amp; Wirtschaft&gt;" in text  # escaped mrkdwn
    assert "Noch keine Sitzungen" not in text
    [form_button] = [e for b in member["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert form_button["action_id"] == "sachstand_form_open" and form_button["value"].isdigit()


async def test_a_status_round_answered_through_the_modal(slack: SlackBot) -> None:
    """The office opens a round in a channel; an owner is asked in a DM and answers with the form."""
    from decimal import Decimal

    from datetime import date, timedelta

    due = date.today() + timedelta(days=21)  # the bot runs on the real clock
    await slack.command("U0KOORD01", f"runde starten EG2 frist {due:%d.%m.%Y}")
    prompt, question = await slack.posted(2, DM)  # the DM is opened by the bot
    assert "2 Empfehlungen" in prompt["text"] and "HF2-04" in question["text"]
    assert "📝 Als Formular ausfüllen" in _buttons(question)
    assert [c.params["users"] for c in slack.fake.called("conversations.open")].count(TESTMANN) == 1

    await slack.click(TESTMANN, question, "Als Formular ausfüllen")
    [opened_view] = await slack.fake.wait_calls("views.open")
    view = opened_view.params["view"]
    answers = {"status": "in_progress", "metric": "75", "happened": "Zwei Kurse gestartet.",
               "next_steps": "Dritter Kurs im Januar.", "blockers": "keine",
               "summary": "Zwei Teilzeitkurse laufen.", "publish": "ja"}
    status, body = await slack.submit(TESTMANN, view, {**answers, "metric": "viele"})
    assert json.loads(body)["response_action"] == "errors" and list(json.loads(body)["errors"]) == ["metric"]
    status, body = await slack.submit(TESTMANN, view, answers)
    assert status == 200 and not json.loads(body or "{}").get("response_action")
    saved = await slack.fake.wait_for(lambda calls: [c for c in calls if c.method == "chat.postMessage"
                                                     and "HF2-06" in c.params["text"]])
    assert "(2/2)" in saved[-1].params["text"]  # the next item is asked, as in chat
    with slack.app.uow_factory() as uow:
        rec = uow.catalog.recommendation("HF2-04")
        assert [m.current for m in rec.metrics] == [Decimal(75)]
