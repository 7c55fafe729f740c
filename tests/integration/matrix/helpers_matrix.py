"""Small checks shared by the Matrix tests."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from conftest import BOT
from matrix_member import Seen


def bot_message(room_id: str, reply_to: str = "", contains: str = "") -> Callable[[Seen], bool]:
    """A message of the bot in a room (in reply to an event, containing a text)."""
    def check(s: Seen) -> bool:
        if s.room_id != room_id or s.sender != BOT or s.type != "m.room.message":
            return False
        relates = s.content.get("m.relates_to", {}).get("m.in_reply_to", {})
        return (not reply_to or relates.get("event_id") == reply_to) and contains in s.body
    return check


def bot_reaction(room_id: str, on: str, key: str) -> Callable[[Seen], bool]:
    def check(s: Seen) -> bool:
        rel = s.content.get("m.relates_to", {})
        return (s.room_id == room_id and s.sender == BOT and s.type == "m.reaction"
                and rel.get("event_id") == on and rel.get("key") == key)
    return check


def planning_period(today: date | None = None) -> str:
    """`sitzung planen`'s period for tests on the real clock: three weeks starting at least two
    weeks ahead, clear of the weeks around Christmas and New Year (in December a cadence window
    has fewer than five free working days, and the test would depend on the day it runs)."""
    start = (today or date.today()) + timedelta(days=14)
    if (start.month, start.day) >= (12, 1) or (start.month, start.day) <= (1, 10):
        start = date(start.year + (start.month == 12), 1, 11)
    end = start + timedelta(days=21)
    return f"ab {start:%d.%m.%Y} bis {end:%d.%m.%Y}"
