"""Element's own code on a poll: js-sdk's PollStartEvent parses it, PollResponseEvent builds the answer."""
from __future__ import annotations

import json
import subprocess
from typing import Any

from helpers_polls import RESPONSE

from tests.helpers.js_client import JsClient
from tests.helpers.peers import JS_DIR, need_node

# Element's parser of a poll (js-sdk's PollStartEvent) and its builder of a response (PollResponseEvent)
ELEMENT = """
const { PollStartEvent } = await import("matrix-js-sdk/lib/extensible_events_v1/PollStartEvent.js");
const { PollResponseEvent } = await import("matrix-js-sdk/lib/extensible_events_v1/PollResponseEvent.js");
const [event, chosen] = JSON.parse(process.argv[1]);
const poll = new PollStartEvent(event);
const ids = chosen.map((label) => poll.answers.find((a) => a.text === label).id);
process.stdout.write(JSON.stringify({question: poll.question.text, kind: poll.kind.name, max: poll.maxSelections,
  answers: poll.answers.map((a) => a.text), response: PollResponseEvent.from(ids, event.event_id).serialize()}));
"""


def element(event: dict[str, Any], chosen: list[str]) -> dict[str, Any]:
    node = need_node()
    out = subprocess.run([node, "--input-type=module", "-e", ELEMENT, json.dumps([event, chosen])], cwd=JS_DIR,
                         capture_output=True, text=True, timeout=60, check=True)
    return dict(json.loads(out.stdout))


async def tap(user: JsClient, room: str, poll: dict[str, Any], *labels: str) -> dict[str, Any]:
    """What Element does when the member taps answers: js-sdk builds the response, sent encrypted."""
    seen = element({"type": poll["type"], "event_id": poll["event_id"], "content": poll["content"]}, list(labels))
    response = seen["response"]
    assert response["type"] == RESPONSE
    await user.send_event(room, response["type"], response["content"])
    return seen
