"""Everything the Slack app registers, in one place: the code registers exactly this, and
the manifest test checks `slack-manifest.yml` against it (nothing missing, nothing more)."""
from __future__ import annotations

import re

# Bot events (manifest: settings.event_subscriptions.bot_events) → the Bolt event type.
BOT_EVENTS = {"message.im": "message", "app_home_opened": "app_home_opened"}
# Interactive actions: a choice button (one per choice, numbered) and "fill in as a form".
CHOICE_PREFIX = "sachstand_choice_"
FORM_OPEN = "sachstand_form_open"
ACTIONS = (CHOICE_PREFIX + "*", FORM_OPEN)
CHOICE_PATTERN = re.compile("^" + re.escape(CHOICE_PREFIX) + r"\d+$")
# Modal views (view_submission callback ids).
VIEWS = ("sachstand_form",)
FORM_VIEW = VIEWS[0]
# OAuth scopes the calls in transport.py need.
BOT_SCOPES = ("chat:write", "commands", "files:write", "im:history", "im:write")


def slash_commands(configured: str) -> tuple[str, ...]:
    """One slash command carries the whole grammar; its name is configurable."""
    return (configured,)
