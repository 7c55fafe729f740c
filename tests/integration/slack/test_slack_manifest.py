"""slack-manifest.yml declares exactly what the Bolt app registers: commands, events, actions."""
from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import yaml
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.config import SlackSection
from bot.transports.slack import registry
from bot.transports.slack.transport import EVENTS_PATH
from tests.helpers.slack_app import SlackBot
from tests.helpers.slack_fake import block_action, command_body, dm_event, event_body, view_submission

MANIFEST = Path(__file__).resolve().parents[3] / "slack-manifest.yml"


def _manifest() -> dict:
    return yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))


def test_manifest_matches_the_registry() -> None:
    m = _manifest()
    commands = [c["command"] for c in m["features"]["slash_commands"]]
    default = SlackSection.model_fields["slash_command"].default
    assert commands == list(registry.slash_commands(default))
    assert sorted(m["settings"]["event_subscriptions"]["bot_events"]) == sorted(registry.BOT_EVENTS)
    assert sorted(m["oauth_config"]["scopes"]["bot"]) == sorted(registry.BOT_SCOPES)
    assert m["settings"]["interactivity"]["is_enabled"] is bool(registry.ACTIONS or registry.VIEWS)
    assert m["features"]["app_home"]["home_tab_enabled"] is ("app_home_opened" in registry.BOT_EVENTS)
    assert isinstance(m["settings"]["socket_mode_enabled"], bool)
    urls = [c["url"] for c in m["features"]["slash_commands"]]
    urls += [m["settings"]["event_subscriptions"]["request_url"], m["settings"]["interactivity"]["request_url"]]
    assert all(url.endswith(EVENTS_PATH) for url in urls)


async def _answer(slack: SlackBot, body: str) -> int:
    request = AsyncBoltRequest(body=body, mode="socket_mode")
    return (await slack.app.transports[0].bolt.async_dispatch(request)).status


async def test_the_app_handles_everything_in_the_manifest_and_nothing_more(slack: SlackBot) -> None:
    transport = slack.app.transports[0]
    bolt = transport.bolt
    m = _manifest()
    # every declared command, event and action reaches a listener …
    for command in m["features"]["slash_commands"]:
        body = urllib.parse.urlencode(command_body("U0TSTMN10", "hilfe", command=command["command"]))
        assert await _answer(slack, body) == 200, command
    for event in m["settings"]["event_subscriptions"]["bot_events"]:
        kind = registry.BOT_EVENTS[event]
        payload = dm_event("U0TSTMN10", "hilfe", "D0TSTMN10") if kind == "message" else {
            "type": kind, "user": "U0TSTMN10", "tab": "messages"}
        assert await _answer(slack, json.dumps(event_body(payload, f"Ev{kind}"))) == 200, event
    message = {"ts": "1.0", "text": "x", "blocks": []}
    for action_id in (registry.CHOICE_PREFIX + "0", registry.FORM_OPEN):
        payload = block_action("U0TSTMN10", "D0TSTMN10", message, {"action_id": action_id, "value": "x",
                                                                   "type": "button", "text": {"text": "x"}})
        assert await _answer(slack, "payload=" + urllib.parse.quote(json.dumps(payload))) == 200, action_id
    view = {"type": "modal", "callback_id": registry.FORM_VIEW, "private_metadata": json.dumps({"state": 0}), "blocks": []}
    assert await _answer(slack, "payload=" + urllib.parse.quote(json.dumps(
        view_submission("U0TSTMN10", view, {})))) == 200
    # … and nothing undeclared does: one listener per registry entry, unknown ones unanswered
    declared = (len(m["features"]["slash_commands"]) + len(registry.BOT_EVENTS) + len(registry.ACTIONS)
                + len(registry.VIEWS))
    assert len(bolt._async_listeners) == declared  # noqa: SLF001 - Bolt has no public listing
    unknown = urllib.parse.urlencode(command_body("U0TSTMN10", "hilfe", command="/anderes"))
    assert await _answer(slack, unknown) == 404
    other = block_action("U0TSTMN10", "D0TSTMN10", message, {"action_id": "fremd", "value": "x"})
    assert await _answer(slack, "payload=" + urllib.parse.quote(json.dumps(other))) == 404
