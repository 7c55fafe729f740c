"""The console prints a line's answers directly under it (README; findings-rounds F4): a report
the scheduler delivers while the line is being handled (six PDFs took ~20 s at start-up) waits
until the line's own answers are out."""
from __future__ import annotations

import asyncio
import io

from bot.core.events import ChannelRef, IncomingMessage, OutgoingMessage
from bot.transports.console import ConsoleTransport


async def test_a_scheduled_message_during_a_line_is_printed_after_its_answers() -> None:
    out = io.StringIO()
    console = ConsoleTransport("ersatz", stdin=io.StringIO("2\n"), stdout=out)

    async def dispatch(message: IncomingMessage) -> None:
        room = ChannelRef("console", "#geschaeftsfuehrung", False)
        await console.send(OutgoingMessage(room, {"plain": "Der Bericht von EG1 für 2026-Q4"}))  # the scheduler's
        await console.send(OutgoingMessage(ChannelRef("console", "dm:ersatz", True), {"plain": "What next?"},
                                           in_reply_to=message.event_id))

    await console.start(dispatch)
    await asyncio.wait_for(console.finished.wait(), 5)
    lines = out.getvalue().splitlines()
    said = lines.index("@ersatz (DM) > 2")
    assert lines[said + 1] == "[DM @ersatz] Sachstand:" and lines[said + 2] == "  What next?"
    assert "Der Bericht von EG1" in "\n".join(lines[said + 3:])  # still printed, after the answer
