"""The open findings of the outside attack of 2 December 2026 (docs/security-findings-2026-12-02.md)
that the real web server answers: a body trickled a byte at a time (F4a/F11b), a huge announced
Slack body (F11b), validly signed Slack bodies of the wrong shape (F11a), and /metrics served
to anyone (F2b). Each test names its finding and fails on the defect."""
from __future__ import annotations

import asyncio
import json
import logging
import time
import urllib.parse
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.app import App
from tests.helpers.harness import Bot, make_settings
from tests.helpers.slack_app import SlackBot, slack_settings
from tests.helpers.slack_fake import SlackFake
from tests.integration.test_web_hardening import _errors_metric, _status

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def _quiet(caplog: pytest.LogCaptureFixture) -> None:
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert not [r for r in caplog.records if r.exc_info]


async def _trickle(port: int, path: str, content_type: str, seconds: float) -> tuple[bytes, float]:
    """A POST announcing 1000 bytes, then one byte every 0.2 s: what the server answered, and when
    it closed the connection (at the latest after `seconds`, then we give up)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: {content_type}\r\n"
                 f"Content-Length: 1000\r\n\r\ntext=".encode())
    await writer.drain()
    started = time.monotonic()
    answer = b""

    async def drip() -> None:
        while True:
            await asyncio.sleep(0.2)
            writer.write(b"a")
            await writer.drain()

    dripping = asyncio.create_task(drip())
    try:
        while chunk := await asyncio.wait_for(reader.read(4096), seconds):
            answer += chunk
    except (TimeoutError, ConnectionError):
        pass
    finally:
        dripping.cancel()
        await asyncio.gather(dripping, return_exceptions=True)
        writer.close()
    return answer, time.monotonic() - started


def _cut_off(answer: bytes, caplog: pytest.LogCaptureFixture) -> None:
    # the server answers 408 and closes; a client still sending may see the reset before the answer
    assert not answer or _status(answer) == 408
    assert any("did not send its request body" in r.getMessage() and r.levelno == logging.WARNING
               for r in caplog.records)
    _quiet(caplog)


@SQLITE
async def test_f4a_a_form_body_trickled_slowly_is_cut_off_after_the_body_timeout(
        db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0", web__body_timeout="1")) as bot:
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        before = await _errors_metric(base)
        caplog.set_level(logging.INFO)
        answer, took = await _trickle(bot.app.web_port, "/fragen", "application/x-www-form-urlencoded", 15)
        assert took < 8, f"the slow body kept the connection open {took:.1f} s"
        _cut_off(answer, caplog)
        assert await _errors_metric(base) == before
        _quiet(caplog)


@SQLITE
async def test_a_client_that_stops_sending_its_body_is_told_408(db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    """sec2 F7: `Content-Length: 100`, three bytes of body, then silence: the connection was
    closed after the body timeout with no answer at all; docs/security.md promises a 408."""
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0", web__body_timeout="1")) as bot:
        caplog.set_level(logging.INFO)
        reader, writer = await asyncio.open_connection("127.0.0.1", bot.app.web_port)
        writer.write(b"POST /fragen HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: 100\r\n\r\ntex")
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 10)
        writer.close()
        assert _status(answer) == 408 and b"Connection: close" in answer
        _cut_off(answer, caplog)


async def _slack(tmp_path: Path, fake: SlackFake, **extra: str) -> AsyncIterator[SlackBot]:
    app = App(slack_settings(f"sqlite:///{tmp_path / 'slack.db'}", fake.api_url, "http", **extra))
    await app.start()
    bot = SlackBot(app, fake, "http")
    try:
        yield bot
    finally:
        await bot.close()
        await app.shutdown()


@pytest.fixture
async def slack_slow(tmp_path: Path, fake: SlackFake) -> AsyncIterator[SlackBot]:
    async for bot in _slack(tmp_path, fake, SACHSTAND_WEB__BODY_TIMEOUT="1"):
        yield bot


@pytest.fixture
async def slack_http(tmp_path: Path, fake: SlackFake) -> AsyncIterator[SlackBot]:
    async for bot in _slack(tmp_path, fake):
        yield bot


async def test_f11b_a_slack_body_trickled_slowly_is_cut_off(
        slack_slow: SlackBot, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    answer, took = await _trickle(slack_slow.app.web_port, "/slack/events", "application/json", 15)
    assert took < 8, f"the slow body kept the connection open {took:.1f} s"
    _cut_off(answer, caplog)


async def test_f11b_an_oversize_announced_slack_body_is_refused_at_once(slack_http: SlackBot) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", slack_http.app.web_port)
    writer.write(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 50000000\r\n\r\n{\"a")
    await writer.drain()
    # the default body timeout is 30 s: an answer within 5 s is the up-front refusal
    answer = await asyncio.wait_for(reader.read(4096), 5)
    writer.close()
    assert _status(answer) == 413


SHAPES = [  # (body, content type): validly signed, valid syntax, wrong shape (F11a)
    ('{"type":"event_callback","event":null}', "application/json"),
    ('{"type":"event_callback","event":{"type":"message","text":5,"channel_type":"im"}}', "application/json"),
    ("payload=" + urllib.parse.quote('{"type":"event_callback","event":null}'), "application/x-www-form-urlencoded"),
    ("payload=" + urllib.parse.quote('{"type":"block_actions","actions":"x"}'), "application/x-www-form-urlencoded"),
    ("payload=" + urllib.parse.quote('{"type":"block_actions","actions":[1]}'), "application/x-www-form-urlencoded"),
    ("payload=" + urllib.parse.quote('{"type":"view_submission","view":1}'), "application/x-www-form-urlencoded"),
    ("payload=" + urllib.parse.quote(json.dumps({"type": "view_submission", "view": {
        "callback_id": "sachstand_form", "state": {"values": {"b": "x"}}}})), "application/x-www-form-urlencoded"),
    ('{"type":"url_verification"}', "application/json"),
    ('{"type":"url_verification","challenge":{"a":1}}', "application/json"),
]


async def test_f11a_signed_slack_bodies_of_the_wrong_shape_get_400_and_one_warning(
        slack_http: SlackBot, caplog: pytest.LogCaptureFixture) -> None:
    base = f"http://127.0.0.1:{slack_http.app.web_port}/"
    before = await _errors_metric(base)
    caplog.set_level(logging.INFO)
    for body, content_type in SHAPES:
        caplog.clear()
        status, _ = await slack_http.post(body, content_type)
        assert status == 400, body
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1 and "wrong shape" in warnings[0].getMessage(), body
        _quiet(caplog)
    assert await _errors_metric(base) == before
    # the right shape still works: the handshake answers its challenge
    status, text = await slack_http.post('{"type":"url_verification","challenge":"abc"}', "application/json")
    assert status == 200 and "abc" in text


@SQLITE
async def test_f2b_metrics_answer_only_the_configured_addresses(db_url: str) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0",
                                 web__metrics_from='["192.0.2.1"]')) as bot:
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        async with aiohttp.ClientSession() as http:
            async with http.get(base + "metrics") as resp:
                assert resp.status == 404  # 127.0.0.1 is not on the list
                assert "sachstand_" not in await resp.text()
            async with http.get(base + "healthz") as resp:
                assert resp.status == 200
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:  # the default: loopback
        async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{bot.app.web_port}/metrics") as resp:
            assert resp.status == 200 and "sachstand_" in await resp.text()


async def test_sec2_f10_bytes_that_are_not_utf8_and_deep_nesting_are_400_not_500(
        slack_http: SlackBot, caplog: pytest.LogCaptureFixture) -> None:
    """Second outside attack, F10: a body that is not UTF-8 (any signature) crashed the signature
    check; a signed JSON body nested 5000 deep crashed the parser — 500, traceback, error metric."""
    base = f"http://127.0.0.1:{slack_http.app.web_port}/"
    before = await _errors_metric(base)
    async with slack_http.http.post(slack_http.url, data=b"\xff\xfe{\"a\":1}", headers={
            "X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=00",
            "Content-Type": "application/json"}) as response:
        assert response.status == 400
    status, _ = await slack_http.post("[" * 5000 + "]" * 5000, "application/json")
    assert status == 400
    assert await _errors_metric(base) == before
    _quiet(caplog)
