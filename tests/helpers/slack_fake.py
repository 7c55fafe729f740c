"""A local fake of Slack: the Web API the bot calls, Socket Mode, and signed requests to the bot.

Like Bolt's own tests (tests/mock_web_api_server), it answers every Web API method on a
free loopback port and records each call; it can be told to answer a method with 429
(Retry-After) or 500. Its websocket endpoint speaks Socket Mode: `hello`, then envelopes,
and it waits for the app's acknowledgement of each envelope.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

BOT_USER = "U0SACHBOT"
BOT_ID = "B0SACHBOT"
TEAM = "T0KOELN"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int
    at: float  # time.monotonic() when the fake received it
    response: dict[str, Any] = field(default_factory=dict)


@dataclass
class Failure:
    status: int
    retry_after: int | None
    times: int
    error: str = ""
    channel: str = ""  # only calls to this channel fail (others are answered as usual)


@dataclass
class SlackFake:
    calls: list[Call] = field(default_factory=list)
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # uploaded files by id
    uploads: dict[str, bytes] = field(default_factory=dict)  # their bytes (step 2 of files.uploadV2)
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # posted messages by channel
    port: int = 0
    _runner: web.AppRunner | None = None
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _acks: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    _connected: asyncio.Event = field(default_factory=asyncio.Event)
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"  # AsyncWebClient joins it with urljoin: keep the /

    async def start(self) -> SlackFake:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)  # slack_sdk reads some methods with GET
        app.router.add_get("/socket", self._socket)
        app.router.add_post("/upload/{file_id}", self._upload)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # noqa: SLF001 - the free port we got
        return self

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- the Web API -------------------------------------------------------------------
    def fail(self, method: str, status: int = 429, retry_after: int | None = 1, times: int = 1,
             error: str = "", channel: str = "") -> None:
        """The next `times` calls of `method` answer `status` (429 with Retry-After, or 500), or
        with status 200 `{"ok": false, "error": error}` as Slack refuses a call; status 0 drops
        the connection without an answer (a network failure). With `channel`, only calls to it."""
        self.failures.setdefault(method, []).append(Failure(status, retry_after, times, error, channel))

    def called(self, method: str, ok_only: bool = True) -> list[Call]:
        return [c for c in self.calls
                if c.method == method and ((c.status == 200 and c.response.get("ok")) or not ok_only)]

    async def wait_for(self, predicate: Callable[[list[Call]], Any], timeout: float = 15.0) -> Any:
        """Wait until predicate(calls) is truthy and return its value (a deadline, not a speed test)."""
        async def check() -> Any:
            async with self._changed:
                while not (result := predicate(self.calls)):
                    await self._changed.wait()
                return result
        return await asyncio.wait_for(check(), timeout)

    async def wait_calls(self, method: str, count: int = 1, timeout: float = 15.0) -> list[Call]:
        return await self.wait_for(lambda _: len(self.called(method)) >= count and self.called(method),
                                   timeout)

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        wanted = "xapp-" if method == "apps.connections.open" else "xoxb-"
        if not token.startswith(wanted):  # like Slack: the right kind of token or nothing
            status, body, headers = 200, {"ok": False, "error": "not_authed" if not token else "invalid_auth"}, {}
        else:
            status, body, headers = self._answer(method, params)
        async with self._changed:
            self.calls.append(Call(method, params, status, time.monotonic(), body))
            self._changed.notify_all()
        if status == 0 and request.transport is not None:  # the connection breaks mid-request
            request.transport.abort()
            return web.Response(status=500)  # never reaches the client
        return web.json_response(body, status=status, headers=headers)

    def _answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
        pending = self.failures.get(method, [])
        failure = next((f for f in pending if not f.channel or f.channel == params.get("channel")), None)
        if failure is not None:
            failure.times -= 1
            if failure.times <= 0:
                pending.remove(failure)
            if failure.status == 0:
                return 0, {}, {}
            if failure.status == 200:
                return 200, {"ok": False, "error": failure.error or "invalid_arguments"}, {}
            if failure.status == 429:
                return 429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(failure.retry_after or 1)}
            return failure.status, {"ok": False, "error": "internal_error"}, {}
        return 200, self._ok(method, params), {}

    def _ok(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        ts = f"{1_790_000_000 + next(self._ts)}.000100"
        if method == "auth.test":
            return {"ok": True, "url": "https://koeln.example.slack.com/", "team": "Köln", "user": "sachstand",
                    "team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": False}
        if method == "conversations.open":
            user = str(params.get("users", "")).split(",")[0]
            return {"ok": True, "channel": {"id": "D" + user.removeprefix("U"), "is_im": True}}
        if method == "chat.postMessage":
            message = {"text": params.get("text", ""), "user": BOT_USER, "bot_id": BOT_ID, "ts": ts,
                       "blocks": params.get("blocks", []), "metadata": params.get("metadata")}
            self.history.setdefault(str(params.get("channel")), []).append(message)
            return {"ok": True, "channel": params.get("channel"), "ts": ts,
                    "message": {k: v for k, v in message.items() if k != "metadata"}}
        if method == "conversations.history":  # newest first; metadata only when asked for
            with_meta = str(params.get("include_all_metadata", "")).lower() in ("1", "true")
            latest = self.history.get(str(params.get("channel")), [])[::-1][:int(params.get("limit", 100))]
            return {"ok": True, "has_more": False,
                    "messages": [{k: v for k, v in m.items() if k != "metadata" or (with_meta and v)}
                                 for m in latest]}
        if method == "chat.update":
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts"),
                    "text": params.get("text", "")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": ts}
        if method in ("views.open", "views.publish", "views.update"):
            view = params.get("view", {})
            return {"ok": True, "view": {**(view if isinstance(view, dict) else {}), "id": f"V{next(self._ts)}"}}
        if method == "files.getUploadURLExternal":
            file_id = f"F{next(self._ts):08d}"
            self.files[file_id] = {"filename": params.get("filename"), "length": int(params.get("length", 0))}
            return {"ok": True, "file_id": file_id, "upload_url": f"http://127.0.0.1:{self.port}/upload/{file_id}"}
        if method == "files.completeUploadExternal":
            files = params.get("files")
            files = json.loads(files) if isinstance(files, str) else files or []
            shared = [{**self.files.get(f["id"], {}), "id": f["id"], "title": f.get("title"),
                       "channel": params.get("channel_id")} for f in files]
            for f in shared:
                self.files[f["id"]].update(f)
            return {"ok": True, "files": shared}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket?ticket=t{next(self._ts)}"}
        return {"ok": True}

    async def _upload(self, request: web.Request) -> web.Response:
        """Step 2 of files.uploadV2: the bytes go to the URL that step 1 handed out."""
        file_id = request.match_info["file_id"]
        if file_id not in self.files:
            return web.Response(status=404)
        self.uploads[file_id] = await request.read()
        return web.Response(text=f"OK - {len(self.uploads[file_id])}")

    # -- Socket Mode --------------------------------------------------------------------
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1,
                            "debug_info": {"host": "fake", "approximate_connection_time": 3600},
                            "connection_info": {"app_id": "A0SACH"}})
        self._connected.set()
        try:
            async for msg in ws:
                if msg.type == aiohttp.WSMsgType.TEXT:
                    data = json.loads(msg.data)
                    future = self._acks.pop(data.get("envelope_id", ""), None)
                    if future is not None and not future.done():
                        future.set_result(data)
        finally:
            self._sockets.remove(ws)
        return ws

    async def socket_refresh(self, timeout: float = 15.0) -> None:
        """Like Slack every few hours: ask the app to reconnect; wait until it has a new socket."""
        await asyncio.wait_for(self._connected.wait(), timeout)
        old = self._sockets[-1]
        self._connected.clear()
        await old.send_json({"type": "disconnect", "reason": "refresh_requested",
                             "debug_info": {"host": "fake"}})
        await asyncio.wait_for(self._connected.wait(), timeout)
        await old.close()

    async def socket_send(self, kind: str, payload: dict[str, Any], timeout: float = 15.0,
                          retry_attempt: int = 0) -> dict[str, Any]:
        """Send one envelope (events_api, slash_commands, interactive); return the app's ack."""
        await asyncio.wait_for(self._connected.wait(), timeout)
        envelope_id = f"env-{next(self._ts)}"
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._acks[envelope_id] = future
        await self._sockets[-1].send_json({"envelope_id": envelope_id, "type": kind, "payload": payload,
                                           "accepts_response_payload": kind != "events_api",
                                           "retry_attempt": retry_attempt, "retry_reason": ""})
        return await asyncio.wait_for(future, timeout)


async def _params(request: web.Request) -> dict[str, Any]:
    """slack_sdk sends JSON for some methods and forms for others; blocks/views as JSON strings."""
    params: dict[str, Any] = dict(request.query)  # some methods send their arguments as query parameters
    if request.content_type == "application/json":
        params.update(await request.json())
    else:
        params.update(urllib.parse.parse_qsl(await request.text()))
    for key in ("blocks", "view", "attachments", "metadata"):
        if isinstance(params.get(key), str):
            try:
                params[key] = json.loads(params[key])
            except ValueError:
                pass
    return params


# -- signed requests to the app ------------------------------------------------------------

def sign(secret: str, body: str, timestamp: int | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def command_body(user: str, text: str, channel: str = "C0EGARBEIT", command: str = "/sachstand",
                 channel_name: str = "eg-arbeit-wirtschaft", trigger: str | None = None) -> dict[str, str]:
    return {"token": "legacy", "team_id": TEAM, "team_domain": "koeln", "channel_id": channel,
            "channel_name": channel_name, "user_id": user, "user_name": user.lower(), "command": command,
            "text": text, "api_app_id": "A0SACH", "response_url": "https://hooks.slack.example/commands/1",
            "trigger_id": trigger or f"trig.{time.monotonic_ns()}"}


def event_body(event: dict[str, Any], event_id: str) -> dict[str, Any]:
    return {"token": "legacy", "team_id": TEAM, "api_app_id": "A0SACH", "type": "event_callback",
            "event_id": event_id, "event_time": int(time.time()), "event": event,
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}]}


def dm_event(user: str, text: str, channel: str) -> dict[str, Any]:
    return {"type": "message", "channel": channel, "channel_type": "im", "user": user, "text": text,
            "ts": f"{time.time():.6f}"}


def block_action(user: str, channel: str, message: dict[str, Any], action: dict[str, Any]) -> dict[str, Any]:
    return {"type": "block_actions", "team": {"id": TEAM}, "user": {"id": user},
            "api_app_id": "A0SACH", "trigger_id": f"trig.{time.monotonic_ns()}",
            "container": {"type": "message", "message_ts": message.get("ts"), "channel_id": channel,
                          "is_ephemeral": False},
            "channel": {"id": channel}, "message": message,
            "actions": [{**action, "block_id": "choices_0", "action_ts": f"{time.time():.6f}"}]}


def view_submission(user: str, view: dict[str, Any], values: dict[str, str]) -> dict[str, Any]:
    """A modal submitted with `values` {block_id: value}; selects answer with selected_option."""
    state: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input" or block["block_id"] not in values:
            continue
        element, value = block["element"], values[block["block_id"]]
        if element["type"] == "static_select":
            option = next(o for o in element["options"] if o["value"] == value)
            state[block["block_id"]] = {"value": {"type": "static_select", "selected_option": option}}
        else:
            state[block["block_id"]] = {"value": {"type": "plain_text_input", "value": value}}
    return {"type": "view_submission", "team": {"id": TEAM}, "user": {"id": user}, "api_app_id": "A0SACH",
            "trigger_id": f"trig.{time.monotonic_ns()}",
            "view": {**view, "id": view.get("id", "V0FORM"), "state": {"values": state}}}


def form_encoded(payload: dict[str, Any]) -> str:
    """Interactivity payloads are posted as form field `payload` holding JSON."""
    return urllib.parse.urlencode({"payload": json.dumps(payload)})
