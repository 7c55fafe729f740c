"""The Slack transport: Bolt (AsyncApp) at the edge, the core behind it.

Every interaction is acknowledged first — before any database or network work — and
handled after, in a task (Bolt's "ack first, work after" with process_before_response,
so HTTP and Socket Mode behave alike and Slack never waits on the database). A direct
message is the exception: acknowledged once handled and stored, so that after a crash
Slack delivers it again instead of it being lost. Replies go through the durable outbox;
`send` maps Slack's 429/5xx to exceptions the outbox retries.
"""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import TYPE_CHECKING, Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.conversations.forms import first_question_templates, load_form, submit_form
from bot.core.commands import N_
from bot.core.events import Attachment, ChannelRef, IncomingMessage, OutgoingMessage, PersonRef
from bot.outbox import RetryAfter, Undeliverable

from . import blocks
from .text import typed
from .home import FORM_LABEL, build_home
from .inbound import signed_body
from .registry import BOT_EVENTS, CHOICE_PATTERN, FORM_OPEN, FORM_VIEW, slash_commands

if TYPE_CHECKING:
    from bot.core.runtime import Runtime
    from bot.config import SlackSection

    from ..base import Dispatch

log = logging.getLogger(__name__)
NAME = "slack"
EVENTS_PATH = "/slack/events"
# Replies to a slash command in a shared channel are ephemeral (help, errors, personal
# views) — except announcements, which everyone in the channel should see. (Better one day:
# the core marks a reply as an announcement; until then, by template.)
IN_CHANNEL_TEMPLATES = frozenset({"item_changed", "item_created", "item_edited", "round_opened", "round_closed"})
SAVE, CANCEL = N_("Save"), N_("Cancel")
RETRY_ERRORS = frozenset({"ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout",
                          "invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"})
NOT_THERE = frozenset({"not_in_channel", "channel_not_found"})  # the bot is not in that conversation
META_EVENT = "sachstand_message"  # metadata on each post: which outbox row (and part) it is
CLOSED = "That conversation is no longer available; it has been closed."  # msgid of the engine


def slash_event_id(user_id: str, trigger_id: str) -> str:
    """Slash commands have no event id; this one also says whom an ephemeral reply is for."""
    return f"slash:{user_id}:{trigger_id}"


def slash_user(event_id: str) -> str:
    parts = event_id.split(":")
    return parts[1] if len(parts) == 3 and parts[0] == "slash" else ""


class SlackTransport:
    name = NAME
    formats: tuple[str, ...] = ("slack",)

    def __init__(self, settings: SlackSection, app: Runtime) -> None:
        self.settings = settings
        self.app = app
        token = settings.bot_token.get_secret_value() if settings.bot_token else ""
        self.client = AsyncWebClient(token=token, base_url=str(settings.api_base_url))
        secret = settings.signing_secret.get_secret_value() if settings.signing_secret else ""
        self.bolt = AsyncApp(client=self.client, signing_secret=secret or "unused-in-socket-mode",
                             process_before_response=True,
                             request_verification_enabled=settings.mode == "http")
        self._verifier = SignatureVerifier(secret or "unused-in-socket-mode")
        self._dispatch: Dispatch | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._parts_sent: dict[str, int] = {}  # txn id → parts of a split message already posted
        self._dms: dict[str, str] = {}  # user id → DM channel id (conversations.open is idempotent)
        self._socket: Any = None
        self._started = False
        self._register()

    # -- lifecycle ---------------------------------------------------------------------
    @property
    def connected(self) -> bool:
        if not self._started:
            return False
        if self._socket is not None:
            session = self._socket.client.current_session
            return session is not None and not session.closed
        return True

    def routes(self) -> list[tuple[str, Callable[[web.Request], Awaitable[web.StreamResponse]]]]:
        """Mounted on the bot's web server: one endpoint for events, commands and interactivity."""
        return [(EVENTS_PATH, self.handle_http)] if self.settings.mode == "http" else []

    async def start(self, dispatch: Dispatch) -> None:
        self._dispatch = dispatch
        # one keep-alive session for every Web API call (the SDK opens one per call otherwise)
        self.client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        await self._prime_authorization()
        if self.settings.mode == "socket":
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            app_token = self.settings.app_token.get_secret_value() if self.settings.app_token else ""
            self._socket = AsyncSocketModeHandler(self.bolt, app_token, web_client=self.client)
            await self._socket.connect_async()
        self._started = True

    async def _prime_authorization(self) -> None:
        """Bolt calls auth.test on the first request, before the listener could ack; do it now."""
        from slack_bolt.middleware.authorization.async_single_team_authorization import (
            AsyncSingleTeamAuthorization)

        try:
            result = await self.client.auth_test()
        except Exception as exc:  # Slack unreachable at start: Bolt will try again on the first request
            log.warning("slack: auth.test failed at start: %s", exc)
            return
        log.info("slack: connected as %s (%s)", result.get("user"), result.get("user_id"))
        for middleware in self.bolt._async_middleware_list:  # noqa: SLF001 - no public way to pre-warm
            if isinstance(middleware, AsyncSingleTeamAuthorization):
                middleware.auth_test_result = result

    async def stop(self) -> None:
        self._started = False
        if self._tasks:  # let in-flight work finish: its replies are in the outbox either way
            await asyncio.wait(list(self._tasks), timeout=10)
        if self._socket is not None:
            await self._socket.close_async()
            self._socket = None
        if self.client.session is not None:
            await self.client.session.close()
            self.client.session = None

    async def handle_http(self, request: web.Request) -> web.StreamResponse:
        """Slack's HTTP endpoint: size, body timeout, signature, syntax and shape are checked
        first (inbound.py); a refused or malformed request gets a 4xx and one log line without
        the body, and only a well-formed signed one reaches Bolt."""
        if self._dispatch is None:
            return web.Response(status=503, text="starting")
        checked = await signed_body(request, self._verifier, self.app.settings.web.body_timeout)
        if isinstance(checked, web.Response):
            return checked
        # a plain dict, named as Bolt normalises them (of a repeated header the last counts, as before)
        headers: dict[str, str | Sequence[str]] = {k.lower(): v for k, v in request.headers.items()}
        bolt_request = AsyncBoltRequest(body=checked[0], query=request.query_string, headers=headers)
        response = await self.bolt.async_dispatch(bolt_request)
        return await to_aiohttp_response(response)

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("slack: background work failed", exc_info=task.exception())

    async def _incoming(self, message: IncomingMessage) -> None:
        assert self._dispatch is not None
        await self._dispatch(message)

    def _wake_outboxes(self) -> None:
        self.app.deliver_now()

    def _t(self, locale: str, msgid: str) -> str:
        return self.app.services.translations.gettext(locale, msgid)

    async def _locale_of(self, user_id: str) -> str:
        def lookup() -> str:
            with self.app.uow_factory() as uow:
                person = uow.people.by_identity(NAME, user_id)
                chosen = person.locale if person and person.locale else self.app.settings.general.locale
            return self.app.services.translations.normalise(chosen)
        return await self.app.run_sync(lookup)

    # -- listeners (registry.py lists each; the manifest test holds them to the manifest) --
    def _register(self) -> None:
        for command in slash_commands(self.settings.slash_command):
            self.bolt.command(command)(self._on_command)
        handlers = {"message": self._on_message, "app_home_opened": self._on_home}
        for bolt_event in BOT_EVENTS.values():
            self.bolt.event(bolt_event)(handlers[bolt_event])
        self.bolt.action(CHOICE_PATTERN)(self._on_choice)
        self.bolt.action(FORM_OPEN)(self._on_form_open)
        self.bolt.view(FORM_VIEW)(self._on_form_submit)

    async def _on_command(self, ack: Any, command: dict[str, Any]) -> None:
        await ack()  # first: Slack shows an error after 3 s without it
        direct = command.get("channel_name") == "directmessage" or command.get("channel_id", "").startswith("D")
        user = command.get("user_id", "")
        self._spawn(self._incoming(IncomingMessage(
            ChannelRef(NAME, command.get("channel_id", ""), direct),
            PersonRef(NAME, user, command.get("user_name", "")), typed(command.get("text", "") or ""),
            slash_event_id(user, command.get("trigger_id", "")))))

    async def _on_message(self, ack: Any, body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("subtype") or event.get("bot_id") or event.get("channel_type") != "im":
            await ack()
            return  # edits, joins and the bot's own posts; only direct messages are for us
        # A message is acknowledged after it is handled and stored, not before: if the bot dies
        # (or the database is away) first, Slack delivers it again, and the event id makes the
        # repeat harmless. Unlike a click or a command, nobody watches a spinner meanwhile.
        await self._incoming(IncomingMessage(
            ChannelRef(NAME, event.get("channel", ""), direct=True), PersonRef(NAME, event.get("user", "")),
            typed(event.get("text", "") or ""), body.get("event_id", "") or f"msg:{event.get('ts', '')}"))
        await ack()

    async def _on_choice(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        self._spawn(self._choice(body, action))

    async def _choice(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        user = body.get("user", {}).get("id", "")
        channel = (body.get("channel") or {}).get("id") or body.get("container", {}).get("channel_id", "")
        message = body.get("message") or {}
        value = action.get("value", "")
        direct = channel.startswith("D")
        # a question in a channel (a date poll, an invitation) is shared: it keeps its buttons
        if direct and message.get("ts") and not body.get("container", {}).get("is_ephemeral"):
            label = blocks.chosen_label(message.get("blocks", []), action.get("action_id", ""), value)
            self._spawn(self._mark_chosen(channel, message, label))  # beside, not before, the answer
        # One answer per prompt: a double click (or a late click on an answered prompt) is dropped
        # as a duplicate instead of answering the next question. In a channel many people answer
        # the same message, each maybe several choices: one event per person and choice.
        prompt = message.get("ts") or action.get("action_ts", "")
        event_id = f"action:{channel}:{prompt}" if direct else f"action:{channel}:{prompt}:{user}:{value}"
        await self._incoming(IncomingMessage(
            ChannelRef(NAME, channel, direct=direct), PersonRef(NAME, user), value, event_id, kind="action"))

    async def _mark_chosen(self, channel: str, message: dict[str, Any], label: str) -> None:
        try:  # cosmetic: a failed update must not lose the answer
            await self.client.chat_update(channel=channel, ts=message["ts"], text=message.get("text", label),
                                          blocks=blocks.answered(message.get("blocks", []), label))
        except Exception as exc:
            log.warning("slack: could not mark the chosen answer: %s", exc)

    async def _on_form_open(self, ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        await ack()
        self._spawn(self._open_form(body, action))

    async def _open_form(self, body: dict[str, Any], action: dict[str, Any]) -> None:
        user, value = body.get("user", {}).get("id", ""), action.get("value", "")
        state_id = int(value) if value.isdecimal() else None  # App Home: a state; a prompt: a conversation
        form = await self.app.run_sync(load_form, self.app.services, NAME, user, state_id,
                                       "" if state_id else value)
        locale = await self._locale_of(user)
        if form is None:
            view = _notice_view(self._t(locale, CLOSED), self._t(locale, CANCEL))
        else:
            view = blocks.modal(form, "Sachstand", self._t(locale, SAVE), self._t(locale, CANCEL))
        await self.client.views_open(trigger_id=body.get("trigger_id", ""), view=view)

    async def _on_form_submit(self, ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        # Validation errors must be in the acknowledgement itself, so this one waits for the check.
        user = body.get("user", {}).get("id", "")
        meta = json.loads(view.get("private_metadata") or "{}")
        result = await self.app.run_sync(submit_form, self.app.services, NAME, user, int(meta.get("state", 0)),
                                         blocks.submitted_values(view), f"view:{view.get('id', '')}")
        if result is None:
            locale = await self._locale_of(user)
            await ack(response_action="update", view=_notice_view(self._t(locale, CLOSED), self._t(locale, CANCEL)))
        elif result.errors:
            await ack(response_action="errors", errors=result.errors)
        else:
            await ack()
            self._wake_outboxes()

    async def _on_home(self, ack: Any, event: dict[str, Any]) -> None:
        await ack()
        if event.get("tab", "home") == "home":
            self._spawn(self._publish_home(event.get("user", "")))

    async def _publish_home(self, user: str) -> None:
        home = await self.app.run_sync(build_home, self.app.services, NAME, user)
        await self.client.views_publish(user_id=user, view=blocks.home_view(home.text, home.forms))

    # -- outgoing ------------------------------------------------------------------------
    def choice_style(self, channel_id: str) -> str:
        return "button"  # choices are buttons under the message

    async def direct_channel(self, user_id: str) -> str:
        if user_id not in self._dms:  # a fan-out queues many rows before the first DM is known
            response = await _call(self.client.conversations_open(users=user_id))
            self._dms[user_id] = str(response["channel"]["id"])
        return self._dms[user_id]

    async def send(self, message: OutgoingMessage) -> str | None:
        assert message.channel is not None
        channel, txn = message.channel, str(message.meta.get("txn_id", ""))
        extra = []
        forms = first_question_templates(self.app.services.conversations.conversations)
        conversation = forms.get(str(message.meta.get("template", "")))
        if channel.direct and conversation:
            label = "📝 " + self._t(str(message.meta.get("locale", "de")), FORM_LABEL)
            extra.append(blocks.form_button(label, conversation))
        parts = blocks.message_parts(message.text("slack"), message.choices, extra)
        user = slash_user(message.in_reply_to)
        ephemeral = not channel.direct and (message.ephemeral or (
            bool(user) and message.meta.get("template") not in IN_CHANNEL_TEMPLATES))
        to = (user or message.to_person) if ephemeral else ""
        posted: dict[int, str] = {}
        if message.meta.get("resend") and channel.direct and txn and not to:
            posted = await self._posted_before(channel.id, txn)
        try:
            return await self._post(parts, message.attachments, channel.id, to, txn, posted)
        except Refused as exc:
            if exc.error not in NOT_THERE or not user:
                raise
            # a slash command where the bot is not a member: the answer comes as a direct message
            log.info("slack: not in %s; answering %s directly", channel.id, user)
            return await self._post(parts, message.attachments, await self.direct_channel(user), "", txn)

    async def _posted_before(self, channel: str, txn: str) -> dict[int, str]:
        """The parts of this message the direct conversation already has, by their metadata: the
        bot may have died between Slack's answer and recording it. Slack has no transaction ids."""
        try:
            history = await _call(self.client.conversations_history(channel=channel, limit=50,
                                                                     include_all_metadata=True))
        except Exception as exc:  # cannot look: rather a repeat than a lost message
            log.warning("slack: could not check %s for message %s: %s", channel, txn, exc)
            return {}
        found: dict[int, str] = {}
        for item in history.get("messages", []):
            meta = item.get("metadata") or {}
            payload = meta.get("event_payload") or {}
            if meta.get("event_type") == META_EVENT and payload.get("txn") == txn:
                found[int(payload.get("part", 0))] = str(item.get("ts", ""))
        if found:
            log.info("slack: message %s was posted before a restart; not posting it again", txn)
        return found

    async def _post(self, parts: list[blocks.Part], files: list[Attachment], channel: str, ephemeral_to: str,
                    txn: str, posted: dict[int, str] | None = None) -> str | None:
        """Text parts, then files; what went out before a failure is not sent again on the retry."""
        first_id: str | None = None
        steps: list[blocks.Part | Attachment] = [*parts, *files]
        for index, step in enumerate(steps):
            if index < self._parts_sent.get(txn, 0):
                continue
            if posted and index in posted:
                first_id = first_id or posted[index] or None
                continue
            if isinstance(step, Attachment):  # files cannot be ephemeral: those go to the person's DM
                target = await self.direct_channel(ephemeral_to) if ephemeral_to else channel
                await _call(self.client.files_upload_v2(channel=target, file=step.data, filename=step.filename,
                                                        title=step.filename))
            elif ephemeral_to:
                response = await _call(self.client.chat_postEphemeral(
                    channel=channel, user=ephemeral_to, text=step.text, blocks=step.blocks))
                first_id = first_id or str(response.get("message_ts") or "") or None
            else:
                response = await _call(self.client.chat_postMessage(
                    channel=channel, text=step.text, blocks=step.blocks, unfurl_links=False,
                    metadata={"event_type": META_EVENT, "event_payload": {"txn": txn, "part": index}}))
                first_id = first_id or str(response.get("ts") or "") or None
            if txn:
                self._parts_sent[txn] = index + 1
        self._parts_sent.pop(txn, None)
        return first_id


class Refused(Undeliverable):
    def __init__(self, error: str) -> None:
        super().__init__(f"slack refused: {error}")
        self.error = error


async def _call(request: Awaitable[Any]) -> Any:
    """One Web API call. 429 → RetryAfter (wait as told); 5xx, network and token problems →
    re-raised (retried with backoff; a fixed token delivers the backlog); any other refusal
    (archived channel, invalid blocks, …) → Refused: retrying cannot help."""
    try:
        return await request
    except SlackApiError as exc:
        response = exc.response
        status = response.status_code if response is not None else 0
        if status == 429:
            headers = {k.lower(): v for k, v in (response.headers or {}).items()}
            raw = headers.get("retry-after", "1")
            raise RetryAfter(float(raw[0] if isinstance(raw, list) else raw), "slack rate limit") from exc
        data = response.data if response is not None and isinstance(response.data, dict) else {}
        error = str(data.get("error", ""))
        if status >= 500 or not error or error in RETRY_ERRORS:
            raise
        raise Refused(error) from exc


def _notice_view(text: str, close: str) -> dict[str, Any]:
    return {"type": "modal", "title": {"type": "plain_text", "text": "Sachstand"},
            "close": {"type": "plain_text", "text": close[:24]},
            "blocks": [{"type": "section", "text": {"type": "plain_text", "text": text}}]}
