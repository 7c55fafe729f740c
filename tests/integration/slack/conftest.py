"""The Slack app as it runs in production — the real App, its web server or Socket Mode —
against the local fake of Slack (tests/helpers/slack_fake.py)."""
from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App
from tests.helpers.slack_app import SlackBot, slack_settings
from tests.helpers.slack_fake import SlackFake


async def _running(tmp_path: Path, fake: SlackFake, mode: str) -> AsyncIterator[SlackBot]:
    app = App(slack_settings(f"sqlite:///{tmp_path / 'slack.db'}", fake.api_url, mode))
    await app.start()
    bot = SlackBot(app, fake, mode)
    try:
        yield bot
    finally:
        await bot.close()
        await app.shutdown()


@pytest.fixture
async def slack(tmp_path: Path, fake: SlackFake) -> AsyncIterator[SlackBot]:
    """HTTP mode: Slack posts to the bot's own web server at /slack/events."""
    async for bot in _running(tmp_path, fake, "http"):
        yield bot


@pytest.fixture(params=["http", "socket"])
async def slack_any(request: pytest.FixtureRequest, tmp_path: Path, fake: SlackFake) -> AsyncIterator[SlackBot]:
    """The same behaviour over HTTP and over Socket Mode."""
    async for bot in _running(tmp_path, fake, request.param):
        yield bot
