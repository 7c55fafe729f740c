"""What reaches /slack/events, checked before Bolt sees any of it.

In this order: the announced size (refused at once, as the form does), the body within
`web.body_timeout`, the signature on the raw bytes (Bolt would parse first and log a refused
body at INFO), the syntax, and then the shape of what Slack signed. Bolt trusts the shape of a
signed body (`event` a dict, `actions` a list of dicts, …): a validly signed body of the wrong
shape made its middleware fail with an ERROR traceback and a 500 (finding F11a). Each refusal is
one WARNING without the body and a 4xx; none moves the error metric."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier

from bot.web_security import body_within

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024  # aiohttp's default client_max_size; Slack's payloads are far smaller


@dataclass(frozen=True)
class ListOf:
    item: Any


# Keys Bolt or our listeners read, with the type they must have where present and not null (a
# dict: a nested object with its own keys). Unknown keys pass: Slack adds fields, and nothing reads them.
EVENT = {"type": str, "channel": str, "text": str, "subtype": str, "channel_type": str, "tab": str, "ts": str,
         "bot_id": str, "event_ts": str, "message": {}, "previous_message": {}}
VIEW = {"id": str, "type": str, "callback_id": str, "private_metadata": str,
        "state": {"values": {}}}
ACTION = {"action_id": str, "block_id": str, "value": str, "type": str, "action_ts": str}
BODY: dict[str, Any] = {
    "type": str, "token": str, "challenge": str, "team_id": str, "api_app_id": str, "event_id": str,
    "trigger_id": str, "user_id": str, "user_name": str, "channel_id": str, "channel_name": str,
    "command": str, "text": str, "response_url": str, "enterprise_id": str,
    "event": EVENT, "view": VIEW, "actions": ListOf(ACTION), "authorizations": ListOf({}),
    "user": {"id": str}, "channel": {"id": str}, "team": {"id": str}, "container": {"channel_id": str},
    "message": {"ts": str, "text": str, "blocks": list}}
# what each kind of body must carry (Bolt indexes these without a check)
REQUIRED: dict[str, tuple[str, ...]] = {"url_verification": ("challenge",), "event_callback": ("event",), "block_actions": ("actions",),
            "view_submission": ("view",), "view_closed": ("view",)}


def _mismatch(value: Any, spec: Any, path: str) -> str | None:
    """Where the value does not have the shape (a dotted path), or None."""
    if isinstance(spec, ListOf):
        if not isinstance(value, list):
            return path
        return next((p for i, v in enumerate(value) if (p := _mismatch(v, spec.item, f"{path}[{i}]"))), None)
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            return path
        return next((p for key, sub in spec.items()
                     if value.get(key) is not None and (p := _mismatch(value[key], sub, f"{path}.{key}"))), None)
    return None if isinstance(value, spec) else path


def shape_problem(body: Any) -> str | None:
    """What is wrong with a parsed, signed body (for the log line), or None."""
    if not isinstance(body, dict):
        return "not an object"
    kind = body.get("type")
    kind = kind if isinstance(kind, str) else ""
    missing = [key for key in REQUIRED.get(kind, ()) if body.get(key) in (None, "", [], {})]
    if missing:
        return f"{kind} without {missing[0]}"
    if kind == "event_callback" and not (isinstance(body["event"], dict) and isinstance(body["event"].get("type"), str)):
        return "event without a type"
    if kind in ("view_submission", "view_closed") and isinstance(body["view"], dict) \
            and "callback_id" not in body["view"]:
        return "view without a callback_id"
    found = _mismatch(body, BODY, "body")
    if found is None and isinstance(body.get("view"), dict):
        values = (body["view"].get("state") or {}).get("values", {})
        # values: block id → action id → the input's value (a dict)
        found = None if all(isinstance(b, dict) and all(isinstance(a, dict) for a in b.values())
                            for b in values.values()) else "body.view.state.values"
    return f"{found} has the wrong type" if found else None


def refused(status: int, error: str) -> web.Response:
    return web.json_response({"error": error}, status=status)


async def signed_body(request: web.Request, verifier: SignatureVerifier,
                      timeout: float) -> tuple[str, dict[str, Any]] | web.Response:
    """The body as text and parsed, or the 4xx answer to a request Bolt must not see."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        log.warning("slack: refused a request announcing %d bytes (limit %d)", request.content_length, MAX_BODY)
        return refused(413, "too large")
    request._client_max_size = MAX_BODY  # noqa: SLF001 - also for a chunked body, which has no length
    try:
        raw = await body_within(request, request.read(), timeout)
    except web.HTTPRequestEntityTooLarge:
        log.warning("slack: refused a request larger than the body limit")
        return refused(413, "too large")
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    try:  # Slack signs UTF-8 text; other bytes made the signature check itself fail with a 500 (sec2 F10)
        raw.decode("utf-8")
    except UnicodeDecodeError:
        log.warning("slack: refused a request whose body is not UTF-8 (%d bytes)", len(raw))
        return refused(400, "malformed request")
    if not (timestamp.isdigit() and signature and verifier.is_valid(raw, timestamp, signature)):
        log.warning("slack: refused a request with a %s signature (%d bytes)",
                    "wrong" if signature else "missing", len(raw))
        return refused(401, "invalid request")
    try:
        text = raw.decode("utf-8")
        parsed = parse_body(text, request.headers.get("Content-Type", "").split(";")[0].strip() or None)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError; deep nesting
        log.warning("slack: refused a signed request that is not well-formed (%s)", type(exc).__name__)
        return refused(400, "malformed request")
    problem = shape_problem(parsed)
    if problem:
        log.warning("slack: refused a signed request of the wrong shape (%s)", problem)
        return refused(400, "malformed request")
    return text, parsed

