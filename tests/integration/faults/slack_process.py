"""`sachstand run` as its own process with Slack over HTTP against the fake of Slack: the way an
office runs it, so a fault test can SIGKILL it, restart it, or take its database away."""
from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import aiohttp

from tests.helpers.botprocess import BotProcessBase
from tests.helpers.slack_app import SECRET
from tests.helpers.slack_fake import SlackFake, dm_event, event_body, sign
from tests.helpers.synapse import free_port

ROOT = Path(__file__).resolve().parents[3]


class SlackBotProcess(BotProcessBase):
    def __init__(self, directory: Path, fake: SlackFake, db_url: str, catalog: Path | None = None) -> None:
        self.dir, self.fake, self.db_url = directory, fake, db_url
        self.web_port = free_port()
        self.config = directory / "config.toml"
        self.write_config(db_url, self.web_port, f"""
[slack]
enabled = true
mode = "http"
api_base_url = "{fake.api_url}"
bot_token = "xoxb-test"
signing_secret = "{SECRET}"
[logging]
level = "INFO"
""", catalog=catalog)
        super().__init__()
        self.http = aiohttp.ClientSession()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    async def start(self) -> None:
        self.launch()
        await self.wait_health(True)

    async def health(self) -> tuple[int, dict[str, Any]] | None:
        try:
            async with self.http.get(f"{self.url}/healthz", timeout=aiohttp.ClientTimeout(total=10)) as resp:
                return resp.status, await resp.json()
        except (aiohttp.ClientError, OSError, ValueError, asyncio.TimeoutError):
            return None

    async def wait_health(self, healthy: bool, timeout: float = 120) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None and self.proc.poll() is None, self.log()
            answer = await self.health()
            if answer is not None and (answer[0] == 200) == healthy:
                return answer[1]
            await asyncio.sleep(0.2)
        raise AssertionError(f"bot not {'healthy' if healthy else 'degraded'}: {self.log()}")

    async def event(self, event: dict[str, Any], event_id: str, retry: int = 0) -> int:
        """One delivery; like Slack, it waits 3 s for the acknowledgement (0: none came)."""
        body = json.dumps(event_body(event, event_id))
        headers = {**sign(SECRET, body), "Content-Type": "application/json"}
        if retry:
            headers.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
        try:
            async with self.http.post(f"{self.url}/slack/events", data=body.encode(), headers=headers,
                                      timeout=aiohttp.ClientTimeout(total=3)) as resp:
                return resp.status
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError):
            return 0  # the bot is not there (killed) or did not answer in time

    async def say(self, user: str, text: str, event_id: str, patience: float = 240) -> int:
        """A direct message of `user`, delivered as Slack does: again (same event id) until the app
        acknowledges it. Slack retries after about 1 and 5 minutes; here every second, so the
        test does not wait minutes."""
        deadline, retry = time.monotonic() + patience, 0
        while True:
            status = await self.event(dm_event(user, text, dm(user)), event_id, retry)
            if 200 <= status < 300 or time.monotonic() > deadline:
                return status
            retry += 1
            await asyncio.sleep(1)

    def posted(self, channel: str) -> list[str]:
        return [c.params.get("text", "") for c in self.fake.called("chat.postMessage")
                if c.params.get("channel") == channel]

    async def stop(self) -> int:  # type: ignore[override]  # the HTTP session closes too
        code = await asyncio.to_thread(super().stop)
        await self.http.close()
        return code


def dm(user: str) -> str:
    """The fake's direct-message channel with a user (conversations.open answers the same)."""
    return "D" + user.removeprefix("U")
