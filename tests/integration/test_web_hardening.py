"""The web server as an attacker meets it (issue #15, points 3 and 4).

Security headers on every HTML response (a CSP without script that the pages satisfy — the
browser test in tests/browser/test_hostile_input.py checks that no violation occurs), CORS only
on open data, no versions in `Server`. Bad requests — malformed form bodies, bad encodings,
broken chunked bodies, oversize chunked bodies, unsigned or malformed Slack requests, headers
that never end — are answered 4xx (or the connection closed), never 500, with no traceback,
no ERROR record and no move of the error metric.
"""
from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.app import App
from tests.helpers.harness import Bot, make_settings
from tests.helpers.slack_app import SlackBot, slack_settings
from tests.helpers.slack_fake import SlackFake

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
CSP = ("default-src 'none'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
HTML_PATHS = ("", "index.html", "gremien.html", "empfehlungen/HF2-04.html", "fragen/danke.html",
              "empfehlungen/HF9-99.html")
OPEN_DATA = ("feed.atom", "api/status.json", "api/status.schema.json", "oparl/v1.1/", "calendar/all.ics",
             "calendar/EG2.ics")
MESSAGE_TEXT = "Geheimer Nachrichtentext 4711"  # must never reach a log


async def _get(base: str, path: str, **headers: str) -> tuple[int, bytes, dict[str, str]]:
    async with aiohttp.ClientSession() as http, http.get(base + path, headers=headers,
                                                         allow_redirects=False) as resp:
        return resp.status, await resp.read(), dict(resp.headers)


async def _raw(port: int, data: bytes) -> bytes:
    """Send bytes as they are (no client library fixing them up); the whole answer."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    answer = await reader.read()  # the server answers and closes (Connection: close)
    writer.close()
    return answer


def _status(answer: bytes) -> int:
    return int(answer.split(b" ", 2)[1])


async def _errors_metric(base: str) -> float:
    _, body, _ = await _get(base, "metrics")
    return sum(float(v) for v in re.findall(r"^sachstand_errors_total\{[^}]*\} (\S+)$", body.decode(), re.M))


@SQLITE
async def test_security_headers_on_every_html_response_and_cors_only_on_open_data(db_url: str) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:
        base = f"http://127.0.0.1:{bot.app.web_port}/"
        for path in HTML_PATHS:
            status, body, headers = await _get(base, path)
            assert status in (200, 404), path
            if status == 200:
                assert headers["Content-Type"].startswith("text/html"), path
                assert b"<style" not in body and b"style=" not in body, path  # the CSP allows no inline style
            assert headers.get("Content-Security-Policy") == CSP, path
            assert headers.get("X-Content-Type-Options") == "nosniff", path
            assert headers.get("Referrer-Policy") == "no-referrer", path
            assert headers.get("Server") == "Sachstand", path
            assert "Access-Control-Allow-Origin" not in headers, path
        status, css, headers = await _get(base, "site.css")
        assert status == 200 and headers["Content-Type"].startswith("text/css") and b"svg.bar{" in css
        for path in OPEN_DATA:
            status, _, headers = await _get(base, path)
            assert status == 200, path
            assert headers.get("Access-Control-Allow-Origin") == "*", path
            assert headers.get("X-Content-Type-Options") == "nosniff", path
            assert not re.search(r"\d", headers.get("Server", "")), path
        # compressed where the client asks for it (point 6 of the issue), still with the headers
        for path in ("index.html", "api/status.json", "empfehlungen/HF2-04.html"):
            async with aiohttp.ClientSession() as http, http.get(base + path, headers={"Accept-Encoding": "gzip"}) as r:
                assert r.headers.get("Content-Encoding") == "gzip" and b"HF2-04" in await r.read(), path
                assert "Accept-Encoding" in r.headers.get("Vary", "") and r.headers["ETag"].startswith("W/")
                assert r.headers.get("X-Content-Type-Options") == "nosniff"
        # a form answered with problems (here: no token) is an HTML response too
        async with aiohttp.ClientSession() as http, http.post(base + "fragen", data={"text": "Hallo"}) as resp:
            assert 400 <= resp.status < 500 and resp.headers.get("Content-Security-Policy") == CSP
            assert "Access-Control-Allow-Origin" not in resp.headers


@SQLITE
async def test_the_form_cookie_is_secure_when_the_site_is_https(db_url: str) -> None:
    settings = make_settings(db_url, web__enabled="true", web__port="0",
                             web__public_base_url="https://sachstand.example.org")
    async with Bot(settings) as bot:
        _, _, headers = await _get(f"http://127.0.0.1:{bot.app.web_port}/", "index.html")
        cookie = headers.get("Set-Cookie", "")
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


BAD_FORMS = [
    # multipart without a boundary, with a broken body, with a boundary that never closes
    b"Content-Type: multipart/form-data\r\nContent-Length: 9\r\n\r\ntext=Hallo",
    b"Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: 20\r\n\r\n--xyz\r\nGarbage\r\n\r\n",
    b"Content-Type: multipart/form-data; boundary=xyz\r\nContent-Length: 48\r\n\r\n"
    b"--xyz\r\nContent-Disposition: form-data\r\n\r\nHallo\r\n",
    # urlencoded that is not UTF-8, and an unknown charset
    b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 12\r\n\r\ntext=\xff\xfe\xfa\xe4=xx",
    b"Content-Type: application/x-www-form-urlencoded; charset=x-unknown\r\nContent-Length: 10\r\n\r\ntext=Hallo",
    # chunked, broken in the middle
    b"Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\ntext=Hallo\r\n0\r\n\r\n",
]


@SQLITE
async def test_bad_form_bodies_get_4xx_without_traceback_or_error_metric(
        db_url: str, caplog: pytest.LogCaptureFixture) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0")) as bot:
        port = bot.app.web_port
        base = f"http://127.0.0.1:{port}/"
        before = await _errors_metric(base)
        caplog.set_level(logging.INFO)
        for head in BAD_FORMS:
            answer = await _raw(port, b"POST /fragen HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + head)
            assert 400 <= _status(answer) < 500, head
            assert b"Traceback" not in answer
        # a chunked body past the form's limit: no Content-Length to refuse it by
        chunk = b"text=" + b"a" * 70_000
        oversize = (b"POST /fragen HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n"
                    b"Content-Type: application/x-www-form-urlencoded\r\n\r\n"
                    + f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n0\r\n\r\n")
        assert _status(await _raw(port, oversize)) == 413
        # a request line and headers that are not HTTP
        for junk in (b"GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n", b"GET / HTTP/1.1\r\nHo st: x\r\n\r\n",
                     b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"):
            assert 400 <= _status(await _raw(port, junk)) < 500, junk
        assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
        assert not [r for r in caplog.records if r.exc_info]
        assert await _errors_metric(base) == before


@SQLITE
async def test_headers_that_never_end_are_cut_off(db_url: str) -> None:
    async with Bot(make_settings(db_url, web__enabled="true", web__port="0", web__header_timeout="1")) as bot:
        reader, writer = await asyncio.open_connection("127.0.0.1", bot.app.web_port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nX-Slow: a")  # and then nothing more
        await writer.drain()
        assert await asyncio.wait_for(reader.read(), 60) == b""  # closed by the server, nothing served
        writer.close()


@pytest.fixture
async def slack_http(tmp_path: Path, fake: SlackFake) -> AsyncIterator[SlackBot]:
    app = App(slack_settings(f"sqlite:///{tmp_path / 'slack.db'}", fake.api_url, "http"))
    await app.start()
    bot = SlackBot(app, fake, "http")
    try:
        yield bot
    finally:
        await bot.close()
        await app.shutdown()


async def test_unsigned_and_malformed_slack_requests_are_refused_before_parsing(
        slack_http: SlackBot, caplog: pytest.LogCaptureFixture) -> None:
    base = f"http://127.0.0.1:{slack_http.app.web_port}/"
    before = await _errors_metric(base)
    caplog.set_level(logging.DEBUG)
    message = '{"type":"event_callback","event":{"type":"message","text":"' + MESSAGE_TEXT + '"}}'
    async with aiohttp.ClientSession() as http:
        for body, content_type in ((message, "application/json"), ("{not json " + MESSAGE_TEXT, "application/json"),
                                   ("payload=%7B%7D" + MESSAGE_TEXT, "application/x-www-form-urlencoded")):
            async with http.post(slack_http.url, data=body.encode(), headers={"Content-Type": content_type}) as r:
                assert r.status == 401
        # signed, but not what it claims to be: 400
        for body, content_type in (("{not json", "application/json"),
                                   ("payload=%7Bbroken", "application/x-www-form-urlencoded"),
                                   ("[1, 2]", "application/json")):
            status, _ = await slack_http.post(body, content_type)
            assert 400 <= status < 500, body
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert MESSAGE_TEXT not in logged  # a refused request's body is never logged
    assert "refused a request with a missing signature" in logged
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert await _errors_metric(base) == before
