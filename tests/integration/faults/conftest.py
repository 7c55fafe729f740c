"""Fixtures of the fault tests (issue #9, point 4): the fake of Slack, the app in-process."""
from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App
from tests.helpers.slack_app import SlackBot, slack_settings
from tests.helpers.slack_fake import SlackFake


@pytest.fixture
async def slack(tmp_path: Path, fake: SlackFake) -> AsyncIterator[SlackBot]:
    """The real App with Slack over HTTP, in this process, against the fake."""
    app = App(slack_settings(f"sqlite:///{tmp_path / 'slack.db'}", fake.api_url, "http"))
    await app.start()
    bot = SlackBot(app, fake, "http")
    try:
        yield bot
    finally:
        await bot.close()
        await app.shutdown()
