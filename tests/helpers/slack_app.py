"""Drive a running Sachstand as Slack would: signed HTTP requests or Socket Mode envelopes."""
from __future__ import annotations

import json
import urllib.parse
from typing import Any

import aiohttp

from bot.app import App
from bot.config import load_settings
from tests.helpers.harness import KOELN
from tests.helpers.slack_fake import (SlackFake, block_action, command_body, dm_event, event_body,
                                      form_encoded, sign, view_submission)

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
# Slack user ids of example people (examples/koeln.yaml lists them as their slack identities).
KOORDINATION, TESTMANN, ERSATZ = "U0KOORD01", "U0TSTMN10", "U0ERSTZ14"


class SlackBot:
    """A running Sachstand with Slack enabled, plus ways to act as Slack towards it."""

    def __init__(self, app: App, fake: SlackFake, mode: str) -> None:
        self.app, self.fake, self.mode = app, fake, mode
        self.http = aiohttp.ClientSession()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.app.web_port}/slack/events"

    async def post(self, body: str, content_type: str, headers: dict[str, str] | None = None,
                   timestamp: int | None = None, secret: str = SECRET) -> tuple[int, str]:
        signed = {**sign(secret, body, timestamp), "Content-Type": content_type, **(headers or {})}
        async with self.http.post(self.url, data=body.encode(), headers=signed) as response:
            return response.status, await response.text()

    async def command(self, user: str, text: str, **kw: Any) -> tuple[int, str]:
        body = command_body(user, text, **kw)
        if self.mode == "socket":
            ack = await self.fake.socket_send("slash_commands", body)
            return 200, json.dumps(ack.get("payload", {}))
        return await self.post(urllib.parse.urlencode(body), "application/x-www-form-urlencoded")

    async def event(self, event: dict[str, Any], event_id: str, retry: int = 0) -> tuple[int, str]:
        body = event_body(event, event_id)
        if self.mode == "socket":
            ack = await self.fake.socket_send("events_api", body, retry_attempt=retry)
            return 200, json.dumps(ack.get("payload", {}))
        headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"} if retry else {}
        return await self.post(json.dumps(body), "application/json", headers)

    async def say(self, user: str, text: str, event_id: str | None = None) -> tuple[int, str]:
        channel = "D" + user.removeprefix("U")
        self._n = getattr(self, "_n", 0) + 1
        return await self.event(dm_event(user, text, channel), event_id or f"Ev{user}{self._n:04d}")

    async def interact(self, payload: dict[str, Any]) -> tuple[int, str]:
        if self.mode == "socket":
            ack = await self.fake.socket_send("interactive", payload)
            return 200, json.dumps(ack.get("payload", {}))
        return await self.post(form_encoded(payload), "application/x-www-form-urlencoded")

    async def click(self, user: str, message: dict[str, Any], label: str) -> tuple[int, str]:
        """Press the button with this label on a message the bot posted."""
        button = next(e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
                      if e["text"]["text"] == label or e["text"]["text"].endswith(label))
        return await self.interact(block_action(user, message["channel"], message, button))

    async def submit(self, user: str, view: dict[str, Any], values: dict[str, str]) -> tuple[int, str]:
        return await self.interact(view_submission(user, view, values))

    async def posted(self, count: int, channel: str | None = None) -> list[dict[str, Any]]:
        """Wait until at least `count` messages were posted (to a channel); return them."""
        def found(_: object) -> list[dict[str, Any]] | None:
            msgs = [{**c.params, "ts": c.response.get("ts") or c.response.get("message_ts")}
                    for c in self.fake.calls
                    if c.method in ("chat.postMessage", "chat.postEphemeral") and c.response.get("ok")
                    and (channel is None or c.params.get("channel") == channel)]
            return msgs if len(msgs) >= count else None
        return await self.fake.wait_for(found)

    async def close(self) -> None:
        await self.http.close()


def slack_settings(db_url: str, api_url: str, mode: str = "http", **extra: str) -> Any:
    env = {"SACHSTAND_DATABASE__URL": db_url, "SACHSTAND_GENERAL__EXAMPLE_CATALOG": str(KOELN),
           "SACHSTAND_GENERAL__EXAMPLE_HISTORY": "false", "SACHSTAND_ROUNDS__AUTO_OPEN": "false",
           "SACHSTAND_CONSOLE__ENABLED": "false", "SACHSTAND_WEB__PORT": "0", "SACHSTAND_WEB__HOST": "127.0.0.1",
           "SACHSTAND_SLACK__ENABLED": "true", "SACHSTAND_SLACK__MODE": mode,
           "SACHSTAND_SLACK__API_BASE_URL": api_url, "SACHSTAND_SLACK__BOT_TOKEN": "xoxb-test",
           "SACHSTAND_SLACK__SIGNING_SECRET": SECRET, "SACHSTAND_SLACK__APP_TOKEN": "xapp-test", **extra}
    return load_settings(None, env)


