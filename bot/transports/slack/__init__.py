"""Slack: slash command, direct-message conversations with buttons, modals, App Home;
over HTTP (the bot's web server, /slack/events) or Socket Mode."""
from .transport import EVENTS_PATH, SlackTransport

__all__ = ["EVENTS_PATH", "SlackTransport"]
