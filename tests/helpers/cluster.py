"""Two (or more) `sachstand run` processes against one PostgreSQL database and the local fake of
Slack, as an office runs them behind a load balancer: Slack's HTTP events go to whichever
process is up. Used by tests/integration/test_takeover.py and bench/takeover.py."""
from __future__ import annotations

import asyncio
import json
import socket
import time
from pathlib import Path
from typing import Any

import aiohttp

from tests.helpers.botprocess import BotProcessBase
from tests.helpers.slack_app import SECRET
from tests.helpers.slack_fake import SlackFake, dm_event, event_body, sign

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BotProcess(BotProcessBase):
    """`sachstand --config … run` with Slack over HTTP; started, killed and stopped by PID."""

    def __init__(self, directory: Path, name: str, db_url: str, slack_api: str) -> None:
        self.dir, self.name = directory, name
        self.port = free_port()
        self.config = directory / f"{name}.toml"
        self.write_config(db_url, self.port, f"""
[slack]
enabled = true
mode = "http"
api_base_url = "{slack_api}"
bot_token = "xoxb-test"
signing_secret = "{SECRET}"
[logging]
format = "json"
""", data_dir=directory / name)
        super().__init__()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.launch()

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    async def health(self, http: aiohttp.ClientSession) -> dict[str, Any] | None:
        try:
            async with http.get(f"{self.url}/healthz", timeout=aiohttp.ClientTimeout(total=5)) as response:
                body: dict[str, Any] = await response.json()
                return {**body, "http_status": response.status}
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
            return None

    async def wait_role(self, http: aiohttp.ClientSession, role: str, timeout: float = 120) -> dict[str, Any]:
        """Until /healthz answers 200 with this role (a deadline, not a speed test)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.alive, self.log()
            body = await self.health(http)
            if body is not None and body["http_status"] == 200 and body.get("role") == role:
                return body
            await asyncio.sleep(0.05)
        raise AssertionError(f"{self.name} never became {role}: {self.log()}")

    async def metric(self, http: aiohttp.ClientSession, name: str) -> float:
        from prometheus_client.parser import text_string_to_metric_families

        async with http.get(f"{self.url}/metrics") as response:
            text = await response.text()
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == name and not sample.labels:
                    return float(sample.value)
        raise KeyError(name)


class LoadBalancer:
    """Round robin over the processes; a refused connection goes to the next one, as a load
    balancer (or Slack's retry) does. Returns the name of the process that took the event."""

    def __init__(self, processes: list[BotProcess], http: aiohttp.ClientSession) -> None:
        self.processes, self.http = processes, http
        self._next = 0
        self._n = 0

    async def say(self, user: str, text: str) -> str:
        self._n += 1
        body = json.dumps(event_body(dm_event(user, text, "D" + user.removeprefix("U")), f"EvLB{self._n:05d}"))
        for _ in range(len(self.processes) * 20):
            process = self.processes[self._next % len(self.processes)]
            self._next += 1
            headers = {**sign(SECRET, body), "Content-Type": "application/json"}
            try:
                async with self.http.post(f"{process.url}/slack/events", data=body.encode(),
                                          headers=headers) as response:
                    if response.status == 200:
                        return process.name
            except aiohttp.ClientError:
                pass  # that one is down: the next
            await asyncio.sleep(0.05)
        raise AssertionError(f"no process took the event {text!r}")


def answers(fake: SlackFake) -> list[str]:
    return [str(c.params.get("text", "")) for c in fake.calls
            if c.method == "chat.postMessage" and c.response.get("ok")]


async def wait_answered(fake: SlackFake, tokens: list[str], timeout: float = 120) -> None:
    def done(_: object) -> bool:
        texts = answers(fake)
        return all(any(token in text for text in texts) for token in tokens)
    await fake.wait_for(done, timeout)


async def drained(process: BotProcess, http: aiohttp.ClientSession, timeout: float = 60) -> None:
    """Until nothing waits in the inbox or the outbox (every answer recorded as sent)."""
    from prometheus_client.parser import text_string_to_metric_families

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with http.get(f"{process.url}/metrics") as response:
            text = await response.text()
        waiting = sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
                      if s.name == "sachstand_inbox_events"
                      or (s.name == "sachstand_outbox_messages" and s.labels.get("state") == "pending"))
        if waiting == 0:
            return
        await asyncio.sleep(0.1)
    raise AssertionError("inbox or outbox never drained")
